"""The fake Discord serves the real discord.py client: login, commands, interactions, reactions, gateway.

A throwaway bot defined here exercises what the kpop-bot adapter will need: a /ping slash command with an
autocomplete option, a persistent button, reactions on its own reply and a raw reaction listener.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.discord_gateway import OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

CALLBACK = "/interactions/{id}/{token}/callback"
VOTES = ("👍", "👎")


class VoteView(discord.ui.View):
    """A persistent view: its button works on any message that carries it, even after a restart."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="More like this", custom_id="vote:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.send_message("noted", ephemeral=True)


def build_bot(
    bot_class: type[commands.Bot] = commands.Bot,
    *,
    sync_guild: int | None = None,
    intents: discord.Intents | None = None,
) -> tuple[commands.Bot, asyncio.Queue[tuple[str, discord.RawReactionActionEvent]]]:
    """A bot with /ping, the vote button and reaction listeners; the queue receives reaction events."""
    reactions: asyncio.Queue[tuple[str, discord.RawReactionActionEvent]] = asyncio.Queue()
    bot = bot_class(
        command_prefix=commands.when_mentioned,
        intents=intents or discord.Intents.default(),
        guild_ready_timeout=0.05,
    )

    @app_commands.command(name="ping", description="Answer with the query")
    async def ping(interaction: discord.Interaction, query: str, slow: bool = False) -> None:
        if slow:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"pong later: {query}")
            return
        sent = await interaction.response.send_message(f"pong: {query}", view=VoteView())
        assert isinstance(sent.resource, discord.InteractionMessage)
        for emoji in VOTES:
            await sent.resource.add_reaction(emoji)

    @ping.autocomplete("query")
    async def complete_query(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} {n}", value=f"{current}-{n}") for n in (1, 2)]

    bot.tree.add_command(ping)

    async def setup_hook() -> None:
        bot.add_view(VoteView())
        if sync_guild is None:
            await bot.tree.sync()
        else:
            bot.tree.copy_global_to(guild=discord.Object(sync_guild))
            await bot.tree.sync(guild=discord.Object(sync_guild))

    bot.setup_hook = setup_hook  # type: ignore[method-assign]

    async def on_raw_reaction_add(event: discord.RawReactionActionEvent) -> None:
        await reactions.put(("add", event))

    async def on_raw_reaction_remove(event: discord.RawReactionActionEvent) -> None:
        await reactions.put(("remove", event))

    bot.add_listener(on_raw_reaction_add)
    bot.add_listener(on_raw_reaction_remove)
    return bot, reactions


async def next_reaction(
    queue: asyncio.Queue[tuple[str, discord.RawReactionActionEvent]],
) -> tuple[str, discord.RawReactionActionEvent]:
    return await asyncio.wait_for(queue.get(), timeout=2)


async def ping_and_reply(fake: FakeDiscord, query: str, **where: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run /ping to its end (reply and both vote reactions); return the interaction and the stored reply."""
    interaction = fake.slash_command("ping", {"query": query}, **where)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    callback = await fake.wait_for_request("POST", CALLBACK, where=lambda r: r.status == 200)
    reply = fake.original_response(interaction)
    assert reply is not None and callback.response["resource"]["message"]["id"] == reply["id"]
    own_reaction = f"/channels/{reply['channel_id']}/messages/{reply['id']}/reactions/{{emoji}}/@me"
    for _ in VOTES:
        await fake.wait_for_request("PUT", own_reaction)
    return interaction, reply


async def test_login_identifies_and_syncs_global_commands(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        assert bot.user is not None and bot.user.id == int(fake_discord.bot_user["id"])
        assert [guild.id for guild in bot.guilds] == [int(fake_discord.guild["id"])]
        assert bot.get_channel(int(fake_discord.channel["id"])) is not None

    sync = await fake_discord.wait_for_request("PUT", "/applications/{app}/commands")
    assert [command["name"] for command in sync.json] == ["ping"]
    assert sync.response[0]["id"] == fake_discord.global_commands[0]["id"]
    [identify] = fake_discord.identifies
    assert identify["token"] == fake_discord.token
    assert identify["intents"] == discord.Intents.default().value


async def test_guild_sync_registers_guild_commands_and_routes_them(fake_discord: FakeDiscord) -> None:
    guild_id = int(fake_discord.guild["id"])
    bot, _ = build_bot(sync_guild=guild_id)
    async with fake_discord.running(bot):
        await fake_discord.wait_for_request("PUT", f"/applications/{{app}}/guilds/{guild_id}/commands")
        [registered] = fake_discord.guild_commands[guild_id]
        interaction, reply = await ping_and_reply(fake_discord, "guild only")

    assert interaction["data"]["guild_id"] == str(guild_id)
    assert interaction["data"]["id"] == registered["id"]
    assert reply["content"] == "pong: guild only"


async def test_slash_command_in_a_guild_gets_a_reply_with_a_button(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        interaction, _ = await ping_and_reply(fake_discord, "Blinding Lights")
        callback = fake_discord.requests[-3]  # the reply, before the two reactions

    assert callback.query == {"with_response": "1"}
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "pong: Blinding Lights"
    [row] = callback.json["data"]["components"]
    assert [button["custom_id"] for button in row["components"]] == ["vote:more"]
    assert callback.response["resource"]["message"]["channel_id"] == fake_discord.channel["id"]


async def test_slash_command_in_a_dm_gets_a_reply_in_the_dm(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    dm = fake_discord.dm_channel(fake_discord.user)
    async with fake_discord.running(bot):
        interaction, reply = await ping_and_reply(fake_discord, "in private", channel=dm)

    assert "guild_id" not in interaction and interaction["user"]["id"] == fake_discord.user["id"]
    assert reply["channel_id"] == dm["id"]
    assert reply["content"] == "pong: in private"


async def test_autocomplete_choices_reach_the_fake(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        typing = fake_discord.autocomplete("ping", {"query": "Blin", "slow": True}, focused="query")
        await fake_discord.dispatch("INTERACTION_CREATE", typing)
        callback = await fake_discord.wait_for_request("POST", CALLBACK)

    assert [option["type"] for option in typing["data"]["options"]] == [3, 5]  # from the synced schema
    assert callback.json == {
        "type": 8,
        "data": {"choices": [{"name": "Blin 1", "value": "Blin-1"}, {"name": "Blin 2", "value": "Blin-2"}]},
    }


async def test_deferred_reply_is_completed_by_the_followup(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        interaction = fake_discord.slash_command("ping", {"query": "Seven", "slow": True})
        await fake_discord.dispatch("INTERACTION_CREATE", interaction)
        deferred = await fake_discord.wait_for_request("POST", CALLBACK)
        followup = await fake_discord.wait_for_request("POST", f"/webhooks/{fake_discord.application_id}/{{token}}")

    assert deferred.json == {"type": 5}
    assert deferred.response["interaction"]["response_message_loading"] is True
    assert followup.query["wait"] == "1"
    assert followup.json["content"] == "pong later: Seven"
    original = fake_discord.original_response(interaction)
    assert original is not None and original["content"] == "pong later: Seven"
    assert original["id"] == followup.response["id"]  # the first follow-up replaced "is thinking..."


async def test_button_click_runs_the_persistent_view(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Dynamite")
        await fake_discord.dispatch("INTERACTION_CREATE", fake_discord.button_click(reply, "vote:more"))
        answer = await fake_discord.wait_for_request("POST", CALLBACK)

    assert answer.json["data"]["content"] == "noted"
    assert answer.json["data"]["flags"] == 64  # ephemeral


async def test_select_menu_choice_updates_the_message(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()

    async def on_interaction(interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component and interaction.data is not None:
            picked = ", ".join(interaction.data.get("values", []))
            await interaction.response.edit_message(content=f"picked {picked}", view=None)

    bot.add_listener(on_interaction)
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Hype Boy")
        click = fake_discord.select_menu(reply, "pick", ["ditto", "omg"])
        await fake_discord.dispatch("INTERACTION_CREATE", click)
        update = await fake_discord.wait_for_request("POST", CALLBACK)

    assert update.json["type"] == 7
    assert fake_discord.original_response(click) is reply
    assert (reply["content"], reply["components"]) == ("picked ditto, omg", [])
    assert reply["edited_timestamp"] is not None


async def test_original_response_can_be_fetched_and_edited(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    invoked: asyncio.Queue[discord.Interaction] = asyncio.Queue()

    async def on_interaction(interaction: discord.Interaction) -> None:
        await invoked.put(interaction)

    bot.add_listener(on_interaction)
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Whiplash")
        interaction = await asyncio.wait_for(invoked.get(), timeout=2)
        fetched = await interaction.original_response()
        await interaction.edit_original_response(content="edited through the webhook")
        await fetched.edit(content="edited in the channel")  # an InteractionMessage edits via the webhook too
        channel = bot.get_channel(int(fake_discord.channel["id"]))
        assert isinstance(channel, discord.TextChannel)
        await channel.get_partial_message(fetched.id).edit(content="edited as a channel message")

    assert fetched.id == int(reply["id"]) and fetched.content == "pong: Whiplash"
    patched = [r.path for r in fake_discord.requests if r.method == "PATCH"]
    webhook = f"/webhooks/{fake_discord.application_id}/{interaction.token}/messages"
    assert patched == [f"{webhook}/@original", f"{webhook}/@original", f"/channels/{channel.id}/messages/{fetched.id}"]
    assert reply["content"] == "edited as a channel message"


async def test_bot_adds_reactions_to_its_own_reply(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Butter")

    added = [r.path for r in fake_discord.requests if r.method == "PUT" and "/reactions/" in r.path]
    where = f"/channels/{reply['channel_id']}/messages/{reply['id']}"
    assert added == [f"{where}/reactions/{emoji}/@me" for emoji in VOTES]
    assert [(r["emoji"]["name"], r["count"], r["me"]) for r in reply["reactions"]] == [(e, 1, True) for e in VOTES]


async def test_reaction_add_and_remove_reach_the_listener(fake_discord: FakeDiscord) -> None:
    bot, reactions = build_bot()
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Ditto")
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", fake_discord.reaction_add(reply, "👍"))
        await fake_discord.dispatch("MESSAGE_REACTION_REMOVE", fake_discord.reaction_remove(reply, "👍"))
        kind_added, added = await next_reaction(reactions)
        kind_removed, removed = await next_reaction(reactions)

    assert (kind_added, kind_removed) == ("add", "remove")
    for event in (added, removed):
        assert event.message_id == int(reply["id"])
        assert event.user_id == int(fake_discord.user["id"])
        assert str(event.emoji) == "👍"
    assert added.member is not None and added.message_author_id == bot.user.id  # type: ignore[union-attr]


async def test_user_messages_reach_the_bot_and_can_be_fetched(fake_discord: FakeDiscord) -> None:
    bot, reactions = build_bot(intents=discord.Intents.default() | discord.Intents(message_content=True))
    seen: asyncio.Queue[discord.Message] = asyncio.Queue()

    async def on_message(message: discord.Message) -> None:
        await seen.put(message)

    bot.add_listener(on_message)
    async with fake_discord.running(bot):
        written = fake_discord.user_message("hello bot")
        await fake_discord.dispatch("MESSAGE_CREATE", written)
        received = await asyncio.wait_for(seen.get(), timeout=2)
        fetched = await received.channel.fetch_message(received.id)
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", fake_discord.reaction_add(written, "kpop:123"))
        _, event = await next_reaction(reactions)

    assert (received.content, received.author.id) == ("hello bot", int(fake_discord.user["id"]))
    assert isinstance(received.author, discord.Member)
    assert fetched.content == "hello bot"
    assert (event.emoji.name, event.emoji.id, event.message_author_id) == ("kpop", 123, received.author.id)


@pytest.mark.parametrize("where", ["interaction callback", "channel message"])
async def test_rate_limited_request_is_retried(fake_discord: FakeDiscord, where: str) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        if where == "interaction callback":
            fake_discord.fail_next("POST", CALLBACK, 429, retry_after=0.05)
            _, reply = await ping_and_reply(fake_discord, "Antifragile")
            assert reply["content"] == "pong: Antifragile"
            path = CALLBACK
        else:
            path = "/channels/{channel_id}/messages"
            fake_discord.fail_next("POST", path, 429, retry_after=0.05)
            channel = bot.get_channel(int(fake_discord.channel["id"]))
            assert isinstance(channel, discord.TextChannel)
            sent = await channel.send("after the limit")
            assert fake_discord.messages[sent.id]["content"] == "after the limit"
        limited = await fake_discord.wait_for_request("POST", path)

    assert limited.status == 429 and limited.response["retry_after"] == 0.05
    assert [r.status for r in fake_discord.requests if r.method == "POST" and r.path == limited.path] == [429, 200]


async def test_injected_client_error_surfaces_as_discord_exception(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        channel = bot.get_channel(int(fake_discord.channel["id"]))
        assert isinstance(channel, discord.TextChannel)
        missing_permissions = {"code": 50013, "message": "Missing Permissions"}
        fake_discord.fail_next("POST", "/channels/{id}/messages", 403, missing_permissions)
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("not allowed")
        with pytest.raises(discord.NotFound, match="no route for GET /nowhere"):
            await bot.http.request(discord.http.Route("GET", "/nowhere"))

    assert refused.value.code == 50013


async def test_injected_server_error_then_normal_service(fake_discord: FakeDiscord) -> None:
    """Checked with a plain HTTP client: discord.py itself would sleep 1 s before retrying a 500."""
    fake_discord.fail_next("GET", "/users/@me", 500, times=1)
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake_discord.api_url}/users/@me", headers=headers) as failed:
            assert failed.status == 500
            assert (await failed.json())["message"] == "500: failure injected by the fake"
        async with session.get(f"{fake_discord.api_url}/users/@me", headers=headers) as served:
            assert served.status == 200
            assert served.headers["Content-Type"] == "application/json"
        async with session.get(f"{fake_discord.api_url}/users/@me") as anonymous:
            assert anonymous.status == 401


async def test_interaction_callbacks_are_checked_like_discord(fake_discord: FakeDiscord) -> None:
    """Mistakes discord.py would not stop (it only guards its own Interaction object) get Discord's errors."""
    command = fake_discord.slash_command("ping", {"query": "x"})
    typing = fake_discord.autocomplete("ping", {"query": "x"}, focused="query")
    reply = {"type": 4, "data": {"content": "hi"}}

    async def post(interaction: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
        url = f"{fake_discord.api_url}/interactions/{interaction['id']}/{interaction['token']}/callback"
        async with session.post(url, json=body) as response:
            return response.status, (await response.json()).get("code")

    async with aiohttp.ClientSession() as session:
        assert await post(command, {"type": 4, "data": {"content": ""}}) == (400, 50006)  # empty message
        assert await post(command, {"type": 4, "data": {"content": "x" * 2001}}) == (400, 50035)  # too long
        assert await post(typing, reply) == (400, 50035)  # autocomplete may only answer with choices
        assert await post(command, reply) == (200, None)
        assert await post(command, reply) == (400, 40060)  # already acknowledged
        assert await post({**command, "id": "1"}, reply) == (404, 10062)  # unknown interaction


async def test_heartbeats_are_acknowledged(fake_discord: FakeDiscord) -> None:
    fake_discord.heartbeat_interval = 20  # ms, sent in HELLO
    bot, _ = build_bot()
    async with fake_discord.running(bot):
        for _ in range(3):
            await fake_discord.wait_for_gateway(OP_HEARTBEAT)
        assert bot.latency < 1  # inf until the first ACK arrives


async def test_gateway_disconnect_is_resumed_without_a_new_identify(fake_discord: FakeDiscord) -> None:
    bot, reactions = build_bot()
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Next Level")
        await fake_discord.disconnect(code=4000)
        missed = fake_discord.reaction_add(reply, "👍")
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", missed)  # while offline: replayed on resume
        resume = await fake_discord.wait_for_gateway(OP_RESUME)
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", fake_discord.reaction_add(reply, "👎"))
        first = await next_reaction(reactions)
        second = await next_reaction(reactions)
        await asyncio.wait_for(resumed.wait(), timeout=2)

    assert [str(event.emoji) for _, event in (first, second)] == ["👍", "👎"]
    assert len(fake_discord.identifies) == 1
    assert resume.data["session_id"] and resume.data["seq"] >= 2


async def test_unresumable_disconnect_makes_the_client_identify_again(fake_discord: FakeDiscord) -> None:
    bot, reactions = build_bot()
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Love Dive")
        await fake_discord.wait_for_gateway(OP_IDENTIFY)  # the first one: waits return each frame once
        await fake_discord.disconnect(code=4000, resumable=False)
        await fake_discord.wait_for_gateway(OP_RESUME)
        await fake_discord.wait_for_gateway(OP_IDENTIFY)
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", fake_discord.reaction_add(reply, "👍"))
        _, event = await next_reaction(reactions)

    assert str(event.emoji) == "👍"
    assert len(fake_discord.identifies) == 2


async def test_auto_sharded_bot_connects_every_shard(fake_discord: FakeDiscord) -> None:
    fake_discord.shard_count = 2
    other_shard = 1 - (int(fake_discord.guild["id"]) >> 22) % 2
    other = fake_discord.add_guild("Second Guild", members=[fake_discord.user], shard=(other_shard, 2))
    bot, _ = build_bot(commands.AutoShardedBot)
    async with fake_discord.running(bot):
        assert await fake_discord.wait_for_request("GET", "/gateway/bot")
        assert sorted(guild.shard_id for guild in bot.guilds) == [0, 1]
        channel = fake_discord.channels[int(other["channels"][0]["id"])]
        _, reply = await ping_and_reply(fake_discord, "on the other shard", channel=channel)

    assert sorted(identify["shard"] for identify in fake_discord.identifies) == [[0, 2], [1, 2]]
    assert reply["channel_id"] == channel["id"]


async def test_events_without_their_intent_are_not_delivered(fake_discord: FakeDiscord) -> None:
    bot, _ = build_bot(intents=discord.Intents.default() & ~discord.Intents(guild_reactions=True))
    async with fake_discord.running(bot):
        _, reply = await ping_and_reply(fake_discord, "Super Shy")
        delivered = await fake_discord.dispatch("MESSAGE_REACTION_ADD", fake_discord.reaction_add(reply, "👍"))

    assert delivered is False
