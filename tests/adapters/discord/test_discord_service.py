"""``serve`` as ``kpop-bot run`` uses it, gateway resumes, and sharding: the real discord.py against the fake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.discord import serve
from adapters.discord.client import ShardedKpopBot
from adapters.discord.options import DiscordOptions
from adapters.errors import PlatformConfigError
from bot.app.config import ConfigError, load_settings
from bot.app.options import discord_options
from bot.app.runtime import platform_services, serve_until_stopped
from bot.chat.completion import Completion
from bot.chat.core import KpopCore
from tests.support.discord import invoke, make_bot, picks_for, settled
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.discord_gateway import OP_IDENTIFY, OP_RESUME

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


def run_options(token: str, **settings: Any) -> DiscordOptions:
    """The adapter's options as ``kpop-bot run`` makes them from these settings."""
    return discord_options(load_settings(DISCORD_TOKEN=token, **settings))


def served(core: KpopCore, options: DiscordOptions, stop: asyncio.Event, **client_options: Any) -> Any:
    """``serve`` over ``core`` with the services ``kpop-bot run`` hands it."""
    return serve(core, Completion(core.library, core.options), options, stop, **client_options)


async def test_serve_answers_until_stopped_then_closes(core: KpopCore, fake_discord: FakeDiscord) -> None:
    stop = asyncio.Event()
    service = asyncio.create_task(served(core, run_options(fake_discord.token), stop, guild_ready_timeout=0.05))
    await fake_discord.wait_for_gateway(OP_IDENTIFY)
    await picks_for(fake_discord, "Blinding Lights")
    stop.set()
    await asyncio.wait_for(service, timeout=2)

    assert [c["name"] for c in fake_discord.global_commands] == ["kpop", "kpop-help", "kpop-stats"]


async def test_serve_lets_an_answer_in_flight_finish_before_closing(
    core: KpopCore, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    answer = core.handle

    async def slow_answer(*args: Any) -> Any:
        entered.set()
        await release.wait()
        return await answer(*args)

    monkeypatch.setattr(core, "handle", slow_answer)
    stop = asyncio.Event()
    service = asyncio.create_task(served(core, run_options(fake_discord.token), stop, guild_ready_timeout=0.05))
    await fake_discord.wait_for_gateway(OP_IDENTIFY)
    interaction = fake_discord.slash_command("kpop", {"query": "Perfect"})
    await fake_discord.dispatch("INTERACTION_CREATE", interaction)
    await asyncio.wait_for(entered.wait(), timeout=2)
    stop.set()
    await asyncio.sleep(0.05)
    assert not service.done(), "serve closed the connection under a running answer"
    release.set()
    await asyncio.wait_for(service, timeout=2)

    reply = fake_discord.original_response(interaction)
    assert reply is not None and reply["embeds"][0]["title"].startswith("If you like Perfect")
    assert [(r["emoji"]["name"], r["me"]) for r in reply["reactions"]] == [("👍", True), ("👎", True)]


async def test_a_refused_token_is_a_clear_error_without_the_token(core: KpopCore, fake_discord: FakeDiscord) -> None:
    wrong = "MTIz.wrong-token-never-shown"
    with pytest.raises(PlatformConfigError) as refused:
        await served(core, run_options(wrong), asyncio.Event())

    assert "DISCORD_TOKEN" in str(refused.value) and wrong not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


async def test_kpop_bot_run_reports_a_refused_token_as_a_configuration_error(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    settings = load_settings(DISCORD_TOKEN="not-the-token")
    with pytest.raises(PlatformConfigError, match="Discord refused DISCORD_TOKEN"):  # not an ExceptionGroup
        await serve_until_stopped(platform_services(settings, core))


async def test_a_server_the_bot_is_not_in_is_a_clear_error(core: KpopCore, fake_discord: FakeDiscord) -> None:
    missing_access = {"code": 50001, "message": "Missing Access"}
    fake_discord.fail_next("PUT", "/applications/{app}/guilds/{guild}/commands", 403, missing_access)
    options = run_options(fake_discord.token, DISCORD_GUILD_ID=fake_discord.guild["id"])
    with pytest.raises(PlatformConfigError, match=r"DISCORD_GUILD_ID=\d+ \(Missing Access\): is the bot in that server"):
        await served(core, options, asyncio.Event())


async def test_after_a_gateway_disconnect_the_bot_resumes_and_answers(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    bot = make_bot(core)
    async with fake_discord.running(bot):
        answer = await picks_for(fake_discord, "Starboy")
        await fake_discord.disconnect(code=4000)
        # sent while the bot is away: Discord replays it on RESUME
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", fake_discord.reaction_add(answer, "👍"))
        await fake_discord.wait_for_gateway(OP_RESUME)
        later = await picks_for(fake_discord, "Anti-Hero")
        await settled(core, bot, [(fake_discord.user["id"], answer["id"], 1)])

    assert len(fake_discord.identifies) == 1 and later["embeds"]


async def test_auto_sharding_connects_every_shard_and_answers_on_each(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    fake_discord.shard_count = 2  # what Discord recommends in GET /gateway/bot
    other_shard = 1 - (int(fake_discord.guild["id"]) >> 22) % 2
    other = fake_discord.add_guild("Second Guild", members=[fake_discord.user], shard=(other_shard, 2))
    bot = make_bot(core, shard_count="auto")
    async with fake_discord.running(bot):
        assert isinstance(bot, ShardedKpopBot) and bot.shard_count == 2
        here = await picks_for(fake_discord, "Perfect")
        there = await picks_for(fake_discord, "Perfect", channel=fake_discord.channels[int(other["channels"][0]["id"])])

    assert sorted(identify["shard"] for identify in fake_discord.identifies) == [[0, 2], [1, 2]]
    assert here["guild_id"] != there["guild_id"]


async def test_a_process_serving_some_shards_leaves_the_command_sync_to_shard_0(
    core: KpopCore, fake_discord: FakeDiscord
) -> None:
    fake_discord.add_guild("Second Guild", members=[fake_discord.user], shard=(1, 2))
    bot = make_bot(core, shard_count=2, shard_ids=(1,))
    async with fake_discord.running(bot):
        pass

    assert [identify["shard"] for identify in fake_discord.identifies] == [[1, 2]]
    assert not any("/commands" in r.path for r in fake_discord.requests)


async def test_a_fixed_shard_count_is_used_as_configured(core: KpopCore, fake_discord: FakeDiscord) -> None:
    bot = make_bot(core, shard_count=3)
    async with fake_discord.running(bot):
        _, reply = await invoke(fake_discord, "kpop-help")

    assert sorted(identify["shard"] for identify in fake_discord.identifies) == [[0, 3], [1, 3], [2, 3]]
    assert reply.json["data"]["content"].startswith("I turn western music")


@pytest.mark.parametrize(
    ("environment", "problem"),
    [
        ({"DISCORD_SHARD_IDS": "1"}, "needs a numeric DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "auto", "DISCORD_SHARD_IDS": "0"}, "needs a numeric DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,2"}, "between 0 and DISCORD_SHARD_COUNT - 1 (1)"),
        ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT"),
    ],
)
def test_shard_settings_are_checked(environment: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_settings(**environment)


def test_shard_settings_accept_a_count_auto_and_ids() -> None:
    assert load_settings(DISCORD_SHARD_COUNT="auto").discord_shard_count == "auto"
    settings = load_settings(DISCORD_SHARD_COUNT="4", DISCORD_SHARD_IDS="2, 3")
    assert (settings.discord_shard_count, settings.discord_shard_ids) == (4, [2, 3])
