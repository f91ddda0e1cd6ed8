"""/kpop, its autocomplete and buttons, /kpop-help and /kpop-stats: the real discord.py against the fake Discord."""

from __future__ import annotations

import logging
import re

import pytest

from adapters.discord import respond
from adapters.discord.render import VOTE_HINT
from bot.chat.core import KpopCore
from bot.chat.messages import HELP_TEXT
from tests.support.fixtures.core import CoreFactory
from tests.support.discord import (
    CALLBACK,
    buttons,
    invoke,
    make_bot,
    picks_for,
    send,
    stored_answers,
    votes_added,
)
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.log_guard import ErrorLogGuard

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

EPHEMERAL = 64
NO_MENTIONS = {"parse": []}


async def test_login_syncs_the_commands_globally_with_minimal_intents(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    async with fake_discord.running(make_bot(core)):
        sync = await fake_discord.wait_for_request("PUT", "/applications/{app}/commands")

    assert [command["name"] for command in sync.json] == ["kpop", "kpop-help", "kpop-stats"]
    [query] = sync.json[0]["options"]
    assert (query["name"], query["type"], query["required"], query["autocomplete"]) == ("query", 3, False, True)
    permissions = {command["name"]: command["default_member_permissions"] for command in sync.json}
    # /kpop-stats is listed only to members who can manage the server (owners still checked by the core)
    assert permissions == {"kpop": None, "kpop-help": None, "kpop-stats": 1 << 5}
    [identify] = fake_discord.identifies
    assert identify["intents"] == (1 << 0) | (1 << 10) | (1 << 13)  # guilds, guild and DM reactions
    assert not any("/guilds/" in r.path for r in fake_discord.requests if r.method == "PUT")


async def test_with_a_guild_id_the_commands_sync_to_that_server_only(core: KpopCore, fake_discord: FakeDiscord) -> None:
    guild_id = int(fake_discord.guild["id"])
    async with fake_discord.running(make_bot(core, guild_id=guild_id)):
        await fake_discord.wait_for_request("PUT", f"/applications/{{app}}/guilds/{guild_id}/commands")
        interaction, reply = await invoke(fake_discord, "kpop", {"query": "Shape of You"})
        await votes_added(fake_discord, reply.response["resource"]["message"])

    assert interaction["data"]["guild_id"] == str(guild_id)  # routed to the guild command
    assert fake_discord.global_commands == []
    assert reply.json["data"]["embeds"][0]["title"] == "If you like Shape of You \u2014 Ed Sheeran, try:"


async def test_kpop_in_a_server_answers_with_picks_links_votes_and_more(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    async with fake_discord.running(make_bot(core)):
        interaction, reply = await invoke(fake_discord, "kpop", {"query": "Blinding Lights"})
        message = fake_discord.original_response(interaction)
        assert message is not None
        await votes_added(fake_discord, message)

    assert reply.json["type"] == 4 and not reply.json["data"].get("flags")  # public
    assert reply.json["data"]["allowed_mentions"] == NO_MENTIONS
    [embed] = message["embeds"]
    assert embed["title"] == "If you like Blinding Lights \u2014 The Weeknd, try:"
    assert embed["footer"]["text"] == VOTE_HINT
    assert [field["name"][:3] for field in embed["fields"]] == ["1. ", "2. ", "3. "]
    for field in embed["fields"]:
        reason, links = field["value"].split("\n")
        assert reason and links.startswith("[YouTube](https://www.youtube.com/results?search_query=")
    [(rec, chat, message_id, offset)] = await stored_answers(core)
    assert (chat, message_id, offset) == (fake_discord.channel["id"], message["id"], 0)
    assert buttons(message) == [("More like this", f"kpop:more:{rec}")]
    assert [(r["emoji"]["name"], r["me"]) for r in message["reactions"]] == [("👍", True), ("👎", True)]


async def test_kpop_in_a_dm_answers_in_the_dm(core: KpopCore, fake_discord: FakeDiscord) -> None:
    dm = fake_discord.dm_channel(fake_discord.user)
    async with fake_discord.running(make_bot(core)):
        message = await picks_for(fake_discord, "Taylor Swift", channel=dm)

    assert message["channel_id"] == dm["id"] and "guild_id" not in message
    assert message["embeds"][0]["title"] == "If you like Taylor Swift, try:"
    assert [answer[1:] for answer in await stored_answers(core)] == [(dm["id"], message["id"], 0)]


async def test_autocomplete_offers_at_most_25_catalogue_choices(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        typed = await send(fake_discord, fake_discord.autocomplete("kpop", {"query": "st"}, focused="query"))
        empty = await send(fake_discord, fake_discord.autocomplete("kpop", {"query": ""}, focused="query"))

    assert typed.json["type"] == 8
    choices = {choice["name"]: choice["value"] for choice in typed.json["data"]["choices"]}
    stamp = core.library.stamp  # the build's: an id means another song after a rebuild
    assert re.fullmatch(rf"kpop:song:\d+:{stamp}", choices["Stay \u2014 Rihanna"])  # the item itself, not its label
    assert re.fullmatch(rf"kpop:artist:\d+:{stamp}", choices["Stray Kids"])
    assert len(empty.json["data"]["choices"]) == 25  # the catalogue has more items than Discord shows


async def test_a_chosen_autocomplete_value_is_answered_exactly(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        typing = fake_discord.autocomplete("kpop", {"query": "Stay"}, focused="query")
        answered = await send(fake_discord, typing)
        offered = {choice["name"]: choice["value"] for choice in answered.json["data"]["choices"]}
        message = await picks_for(fake_discord, offered["Stay \u2014 Rihanna"])
        typed = await picks_for(fake_discord, "Stay \u2014 Rihanna")  # typed out in full, it matches too

    for answer in (message, typed):
        assert answer["embeds"][0]["title"] == "If you like Stay \u2014 Rihanna, try:"


async def test_an_unknown_song_gets_a_friendly_miss(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        _, reply = await invoke(fake_discord, "kpop", {"query": "Zzyzx Qwerty"})

    [embed] = reply.json["data"]["embeds"]
    assert embed["title"] == "No match"
    assert embed["description"].startswith("You asked for \u201cZzyzx Qwerty\u201d.\nI don't know that one yet")
    assert "components" not in reply.json["data"]
    assert not any("/reactions/" in r.path for r in fake_discord.requests)
    assert await stored_answers(core) == []


async def test_did_you_mean_then_a_choice_answers_in_place(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        interaction, reply = await invoke(fake_discord, "kpop", {"query": "stai"})
        question = fake_discord.original_response(interaction)
        assert question is not None
        assert reply.json["data"]["embeds"][0]["title"] == "Did you mean\u2026?"
        [(label, custom_id)] = buttons(question)
        chosen = await send(fake_discord, fake_discord.button_click(question, custom_id))
        await votes_added(fake_discord, question)

    assert label == "Stay \u2014 Justin Bieber" and custom_id.startswith("kpop:choose:song:")
    assert chosen.json["type"] == 7  # the question's message is updated, no new message
    assert question["embeds"][0]["title"] == "If you like Stay \u2014 Justin Bieber, try:"
    [(rec, chat, message_id, _)] = await stored_answers(core)
    assert (chat, message_id) == (fake_discord.channel["id"], question["id"])
    assert buttons(question) == [("More like this", f"kpop:more:{rec}")]


async def test_more_sends_the_next_picks_as_a_new_answer_to_vote_on(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        first = await picks_for(fake_discord, "Blinding Lights")
        [(_, more_id)] = buttons(first)
        more = fake_discord.button_click(first, more_id)
        reply = await send(fake_discord, more)
        second = fake_discord.original_response(more)
        assert second is not None
        await votes_added(fake_discord, second)

    assert reply.json["type"] == 4 and second["id"] != first["id"]
    assert [field["name"][:3] for field in second["embeds"][0]["fields"]] == ["4. ", "5. ", "6. "]
    shown = {field["name"] for message in (first, second) for field in message["embeds"][0]["fields"]}
    assert len(shown) == 6  # no pick twice
    channel = fake_discord.channel["id"]
    answers = await stored_answers(core)
    assert [answer[1:] for answer in answers] == [(channel, first["id"], 0), (channel, second["id"], 3)]
    assert buttons(second) == [("More like this", f"kpop:more:{answers[1][0]}")]


async def test_help_is_shown_to_the_asker_alone(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        _, help_reply = await invoke(fake_discord, "kpop-help")
        _, bare_kpop = await invoke(fake_discord, "kpop")

    for reply in (help_reply, bare_kpop):
        assert reply.json["data"]["flags"] == EPHEMERAL
        assert reply.json["data"]["content"] == HELP_TEXT  # nothing in it needs escaping
        assert len(HELP_TEXT.splitlines()) == 3


async def test_kpop_forget_works_as_on_every_platform(core: KpopCore, fake_discord: FakeDiscord) -> None:
    async with fake_discord.running(make_bot(core)):
        await picks_for(fake_discord, "Perfect")
        _, forgot = await invoke(fake_discord, "kpop", {"query": "forget"})

    assert forgot.json["data"]["flags"] == EPHEMERAL
    assert forgot.json["data"]["content"].startswith("Done: I deleted")
    assert await stored_answers(core) == []


async def test_stats_are_for_owners_only(make_core: CoreFactory, fake_discord: FakeDiscord) -> None:
    core = await make_core(KPOP_OWNER_IDS=f"discord:{fake_discord.user['id']}")
    stranger = fake_discord.add_user("mallory")
    async with fake_discord.running(make_bot(core)):
        _, owner = await invoke(fake_discord, "kpop-stats")
        _, refused = await invoke(fake_discord, "kpop-stats", user=stranger)

    assert owner.json["data"]["flags"] == EPHEMERAL
    table = owner.json["data"]["content"]
    assert table.startswith("```\narm      people answers votes") and table.endswith("\n```")
    assert refused.json["data"] == {
        "tts": False,
        "content": "Sorry, only the bot's owners can see its statistics.",
        "flags": EPHEMERAL,
        "allowed_mentions": NO_MENTIONS,
    }


async def test_the_rate_limit_answers_kindly_and_privately(make_core: CoreFactory, fake_discord: FakeDiscord) -> None:
    core = await make_core(KPOP_RATE_LIMIT_COUNT=2)
    async with fake_discord.running(make_bot(core)):
        await picks_for(fake_discord, "Perfect")
        await picks_for(fake_discord, "Starboy")
        _, limited = await invoke(fake_discord, "kpop", {"query": "Bad Guy"})
        other = fake_discord.add_user("bob")
        await picks_for(fake_discord, "Bad Guy", user=other)  # the limit is per person

    assert limited.json["data"]["flags"] == EPHEMERAL
    assert limited.json["data"]["content"].startswith("That's a lot of requests! Please wait")


async def test_mentions_and_markdown_in_a_query_are_echoed_harmlessly(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    query = "@everyone <@&123> **loud** _x_"
    async with fake_discord.running(make_bot(core)):
        _, reply = await invoke(fake_discord, "kpop", {"query": query})

    assert reply.json["data"]["allowed_mentions"] == NO_MENTIONS
    description = reply.json["data"]["embeds"][0]["description"]
    assert "\u201c@\u200beveryone <\u200b@\u200b&123> \\*\\*loud\\*\\* \\_x\\_\u201d" in description


async def test_a_rate_limited_rest_call_is_retried_and_the_reply_arrives(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    async with fake_discord.running(make_bot(core)):
        fake_discord.fail_next("POST", CALLBACK, 429, retry_after=0.05)
        fake_discord.fail_next("PUT", "/channels/{c}/messages/{m}/reactions/{e}/@me", 429, retry_after=0.05)
        message = await picks_for(fake_discord, "Anti-Hero")

    callbacks = [r.status for r in fake_discord.requests if r.method == "POST" and "/callback" in r.path]
    assert callbacks == [429, 200]
    assert [(r["emoji"]["name"], r["me"]) for r in message["reactions"]] == [("👍", True), ("👎", True)]


async def test_a_slow_answer_is_deferred_then_completed(
    core: KpopCore, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(respond, "DEFER_AFTER_SECONDS", 0.0)
    async with fake_discord.running(make_bot(core)):
        interaction, deferred = await invoke(fake_discord, "kpop", {"query": "Love Story"})
        followup = await fake_discord.wait_for_request("POST", f"/webhooks/{fake_discord.application_id}/{{token}}")
        message = fake_discord.original_response(interaction)
        assert message is not None
        await votes_added(fake_discord, message)

    assert deferred.json == {"type": 5}  # "kpop-bot is thinking..."
    assert followup.json["embeds"][0]["title"] == "If you like Love Story \u2014 Taylor Swift, try:"
    assert followup.json["allowed_mentions"] == NO_MENTIONS
    assert message["id"] == followup.response["id"]
    assert [answer[1:] for answer in await stored_answers(core)] == [(fake_discord.channel["id"], message["id"], 0)]


async def test_a_slow_choice_defers_the_update_then_edits(
    core: KpopCore, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with fake_discord.running(make_bot(core)):
        interaction, _ = await invoke(fake_discord, "kpop", {"query": "stai"})
        question = fake_discord.original_response(interaction)
        assert question is not None
        monkeypatch.setattr(respond, "DEFER_AFTER_SECONDS", 0.0)
        [(_, custom_id)] = buttons(question)
        deferred = await send(fake_discord, fake_discord.button_click(question, custom_id))
        edit = await fake_discord.wait_for_request("PATCH", "/webhooks/{app}/{token}/messages/@original")
        await votes_added(fake_discord, question)

    assert deferred.json == {"type": 6}
    assert edit.json["embeds"][0]["title"] == "If you like Stay \u2014 Justin Bieber, try:"
    assert question["embeds"] == edit.json["embeds"]


async def test_a_refused_choice_goes_to_the_clicker_and_keeps_the_question(
    make_core: CoreFactory, fake_discord: FakeDiscord
) -> None:
    core = await make_core(KPOP_RATE_LIMIT_COUNT=2)
    async with fake_discord.running(make_bot(core)):
        interaction, _ = await invoke(fake_discord, "kpop", {"query": "stai"})
        await picks_for(fake_discord, "Perfect")
        question = fake_discord.original_response(interaction)
        assert question is not None
        [(_, custom_id)] = buttons(question)
        refused = await send(fake_discord, fake_discord.button_click(question, custom_id))

    assert refused.json["type"] == 4 and refused.json["data"]["flags"] == EPHEMERAL
    assert refused.json["data"]["content"].startswith("That's a lot of requests!")
    assert question["embeds"][0]["title"] == "Did you mean\u2026?" and buttons(question)


@pytest.mark.parametrize("where", ["command", "button"])
async def test_a_crash_reaches_the_user_briefly_and_the_log_in_full(
    core: KpopCore,
    fake_discord: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    fail_on_error_logs: ErrorLogGuard,
    where: str,
) -> None:
    fail_on_error_logs.allow("failed to answer interaction")

    async def broken(*args: object) -> None:
        raise RuntimeError("the core broke")

    async with fake_discord.running(make_bot(core)):
        if where == "command":
            monkeypatch.setattr(core, "handle", broken)
            _, reply = await invoke(fake_discord, "kpop", {"query": "Perfect"})
        else:
            message = await picks_for(fake_discord, "Perfect")
            monkeypatch.setattr(core, "more", broken)
            [(_, more_id)] = buttons(message)
            reply = await send(fake_discord, fake_discord.button_click(message, more_id))

    assert reply.json["data"]["flags"] == EPHEMERAL
    assert reply.json["data"]["content"] == respond.FAILURE_TEXT
    [record] = fail_on_error_logs.records
    assert record.exc_info is not None and "the core broke" in logging.Formatter().formatException(record.exc_info)


async def test_missing_reaction_permission_leaves_the_answer_standing(
    core: KpopCore, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    missing = {"code": 50013, "message": "Missing Permissions"}
    bot = make_bot(core)
    async with fake_discord.running(bot):
        fake_discord.fail_next("PUT", "/channels/{c}/messages/{m}/reactions/{e}/@me", 403, missing)
        interaction, reply = await invoke(fake_discord, "kpop", {"query": "Perfect"})
        await fake_discord.wait_for_request("PUT", "/channels/{c}/messages/{m}/reactions/{e}/@me")
        assert await bot.in_flight.drained(timeout=2)

    assert reply.status == 200 and fake_discord.original_response(interaction) is not None
    assert sum("/reactions/" in r.path for r in fake_discord.requests) == 1
    assert any("could not add" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
