"""👍/👎 reactions as votes, checked in the database: added, changed, removed, ignored, and after a restart."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from adapters.discord.reactions import vote_of
from bot.chat.core import KpopCore
from tests.support.discord import buttons, make_bot, picks_for, send, settled, votes_added
from tests.support.fakes.discord_api import FakeDiscord

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

async def react(fake: FakeDiscord, message: dict[str, Any], emoji: str, *, remove: bool = False, **who: Any) -> None:
    if remove:
        await fake.dispatch("MESSAGE_REACTION_REMOVE", fake.reaction_remove(message, emoji, **who))
    else:
        await fake.dispatch("MESSAGE_REACTION_ADD", fake.reaction_add(message, emoji, **who))


async def test_votes_follow_reactions_added_changed_and_removed(core: KpopCore, fake_discord: FakeDiscord) -> None:
    alice = fake_discord.user["id"]
    bot = make_bot(core)
    async with fake_discord.running(bot):
        answer = await picks_for(fake_discord, "Blinding Lights")
        await react(fake_discord, answer, "👍")
        await settled(core, bot, [(alice, answer["id"], 1)])
        await react(fake_discord, answer, "👎")  # changed her mind: the newer reaction is the vote
        await settled(core, bot, [(alice, answer["id"], -1)])
        await react(fake_discord, answer, "👍", remove=True)  # taking the old one away keeps the 👎
        await settled(core, bot, [(alice, answer["id"], -1)])
        await react(fake_discord, answer, "👎", remove=True)  # taking the current one away clears it
        await settled(core, bot, [])


async def test_a_quick_thumbs_up_then_down_ends_as_down(core: KpopCore, fake_discord: FakeDiscord) -> None:
    bot = make_bot(core)
    async with fake_discord.running(bot):
        answer = await picks_for(fake_discord, "Shape of You")
        for _ in range(3):
            await react(fake_discord, answer, "👍")
            await react(fake_discord, answer, "👎")
        await settled(core, bot, [(fake_discord.user["id"], answer["id"], -1)])


async def test_each_person_has_their_own_vote_in_servers_and_dms(core: KpopCore, fake_discord: FakeDiscord) -> None:
    alice, bob = fake_discord.user, fake_discord.add_user("bob")
    dm = fake_discord.dm_channel(alice)
    bot = make_bot(core)
    async with fake_discord.running(bot):
        in_server = await picks_for(fake_discord, "Starboy")
        in_dm = await picks_for(fake_discord, "Bad Guy", channel=dm)
        await react(fake_discord, in_server, "👍")
        await react(fake_discord, in_server, "👎\U0001f3fd", user=bob)  # any skin tone counts
        await react(fake_discord, in_dm, "👍")
        expected = [(alice["id"], in_server["id"], 1), (bob["id"], in_server["id"], -1), (alice["id"], in_dm["id"], 1)]
        await settled(core, bot, sorted(expected))


async def test_the_bots_own_reactions_and_other_messages_are_ignored(core: KpopCore, fake_discord: FakeDiscord) -> None:
    bot = make_bot(core)
    dm = fake_discord.dm_channel(fake_discord.user)
    async with fake_discord.running(bot):
        answer = await picks_for(fake_discord, "Perfect")
        in_dm = await picks_for(fake_discord, "Perfect", channel=dm)  # no member there to say it is a bot
        question_interaction = fake_discord.slash_command("kpop", {"query": "stai"})
        await send(fake_discord, question_interaction)
        question = fake_discord.original_response(question_interaction)  # the bot's, but no answer to vote on
        chatter = fake_discord.user_message("nice picks")
        await fake_discord.dispatch("MESSAGE_CREATE", chatter)
        for own in (answer, in_dm):
            await react(fake_discord, own, "👍", user=fake_discord.bot_user)
        for message in (question, chatter):
            await react(fake_discord, message, "👍")
            await react(fake_discord, message, "👍", remove=True)
        await react(fake_discord, answer, "🎉")
        await react(fake_discord, answer, "kpop:123")
        await react(fake_discord, answer, "👎")  # the one that counts, after all the others
        await settled(core, bot, [(fake_discord.user["id"], answer["id"], -1)])


async def test_reactions_and_buttons_on_answers_from_before_a_restart_still_work(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    async with fake_discord.running(make_bot(core)):
        answer = await picks_for(fake_discord, "Love Story")

    restarted = make_bot(core)  # a new process: nothing cached, no view registered for old messages
    async with fake_discord.running(restarted):
        await react(fake_discord, answer, "👍")
        await settled(core, restarted, [(fake_discord.user["id"], answer["id"], 1)])
        [(_, more_id)] = buttons(answer)
        more = fake_discord.button_click(answer, more_id)
        await send(fake_discord, more)
        later = fake_discord.original_response(more)
        assert later is not None
        await votes_added(fake_discord, later)

    assert [field["name"][:3] for field in later["embeds"][0]["fields"]] == ["4. ", "5. ", "6. "]


@pytest.mark.parametrize(
    ("emoji", "vote"),
    [("👍", 1), ("👎", -1), ("👍\U0001f3fb", 1), ("👎\ufe0f", -1), ("🎉", None), ("\U0001f3fb", None)],
)
def test_vote_of_reads_thumbs_in_every_skin_tone(emoji: str, vote: int | None) -> None:
    assert vote_of(discord.PartialEmoji(name=emoji)) == vote


def test_vote_of_ignores_custom_emoji_named_like_thumbs() -> None:
    assert vote_of(discord.PartialEmoji(name="👍", id=123)) is None


async def test_removals_on_messages_seen_to_be_someone_elses_cost_no_lookup(
    core: KpopCore, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_bot(core)
    async with fake_discord.running(bot):
        answer = await picks_for(fake_discord, "Perfect")
        chatter = fake_discord.user_message("nice picks")
        lookups: list[str] = []
        find = core.history.answers.find_by_message

        async def counted(platform: str, chat_id: str, message_id: str) -> object:
            lookups.append(message_id)
            return await find(platform, chat_id, message_id)

        monkeypatch.setattr(core.history.answers, "find_by_message", counted)
        for _ in range(3):
            await react(fake_discord, chatter, "👍")
            await react(fake_discord, chatter, "👍", remove=True)
        await react(fake_discord, answer, "👍")
        await settled(core, bot, [(fake_discord.user["id"], answer["id"], 1)])

    assert chatter["id"] not in lookups  # the additions said whose message it is; the removals trusted that


@pytest.mark.parametrize(("cleared", "left"), [(None, []), ("👍", [-1]), ("👎", [1])])
async def test_clearing_reactions_clears_the_votes_they_gave(
    core: KpopCore, fake_discord: FakeDiscord, cleared: str | None, left: list[int]
) -> None:
    alice, bob = fake_discord.user, fake_discord.add_user("bob")
    bot = make_bot(core)
    async with fake_discord.running(bot):
        answer = await picks_for(fake_discord, "Starboy")
        await react(fake_discord, answer, "👍")
        await react(fake_discord, answer, "👎", user=bob)
        await settled(core, bot, sorted([(alice["id"], answer["id"], 1), (bob["id"], answer["id"], -1)]))
        event = "MESSAGE_REACTION_REMOVE_ALL" if cleared is None else "MESSAGE_REACTION_REMOVE_EMOJI"
        await fake_discord.dispatch(event, fake_discord.reactions_cleared(answer, cleared))  # a moderator
        voters = {1: alice["id"], -1: bob["id"]}
        await settled(core, bot, sorted((voters[vote], answer["id"], vote) for vote in left))
