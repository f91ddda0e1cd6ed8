"""Answering in Discord's time: the 3 s count from the interaction's creation, and a deferred answer
keeps the visibility it needs (an owner's table or a confirmation never goes public)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.discord import respond
from bot.chat.core import KpopCore
from tests.support.discord import make_bot, send
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.discord_rest import EPHEMERAL
from tests.support.fixtures.core import CoreFactory

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


def slowed(core: KpopCore, name: str, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make ``core.<name>`` take ``seconds`` longer (a slow database)."""
    method = getattr(core, name)

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(seconds)
        return await method(*args, **kwargs)

    monkeypatch.setattr(core, name, slow)


def shown_for(fake: FakeDiscord, interaction: dict[str, Any]) -> list[dict[str, Any]]:
    """Every message that answers ``interaction`` (its response and follow-ups), as they are now."""
    return [m for m in fake.messages.values() if m.get("interaction_metadata", {}).get("id") == interaction["id"]]


@pytest.mark.parametrize(
    ("command", "options", "who"),
    [
        ("kpop-stats", {}, "owner"),
        ("kpop-stats", {}, "stranger"),  # the refusal
        ("kpop", {"query": "forget"}, "owner"),
        ("kpop", {}, "owner"),  # the help text
        ("kpop", {"query": "Perfect"}, "limited"),  # "slow down"
    ],
)
async def test_a_deferred_private_answer_stays_private(
    make_core: CoreFactory,
    fake_discord: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    options: dict[str, str],
    who: str,
) -> None:
    owner = fake_discord.user
    user = fake_discord.add_user("stranger") if who == "stranger" else owner
    core = await make_core(KPOP_OWNER_IDS=f"discord:{owner['id']}", KPOP_RATE_LIMIT_COUNT=1)
    bot = make_bot(core)
    async with fake_discord.running(bot):
        if who == "limited":
            await send(fake_discord, fake_discord.slash_command("kpop", {"query": "Perfect"}, user=user))
        monkeypatch.setattr(respond, "DEFER_AFTER_SECONDS", 0.0)
        for name in ("handle_text", "stats"):  # a slow database: every answer is deferred
            slowed(core, name, monkeypatch, 0.05)
        interaction = fake_discord.slash_command(command, options, user=user)
        await send(fake_discord, interaction)
        assert await bot.in_flight.drained(timeout=2)

    shown = shown_for(fake_discord, interaction)
    assert shown and all(message["flags"] & EPHEMERAL for message in shown), shown
    assert any(message["content"] for message in shown)


async def test_the_deadline_counts_from_the_interactions_creation(
    core: KpopCore, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(core, "handle_text", monkeypatch, 0.3)
    bot = make_bot(core)
    async with fake_discord.running(bot):
        # it spent 2.8 s reaching the bot (a busy gateway): 0.3 s more would be too late to answer
        interaction = fake_discord.slash_command("kpop", {"query": "Blinding Lights"}, age=2.8)
        deferred = await send(fake_discord, interaction)
        assert await bot.in_flight.drained(timeout=2)

    assert deferred.json["type"] == 5 and not deferred.json.get("data", {}).get("flags")  # picks are public
    [message] = shown_for(fake_discord, interaction)
    assert message["embeds"][0]["title"].startswith("If you like Blinding Lights")
    assert not message["flags"] & EPHEMERAL
    assert [r.status for r in fake_discord.requests if r.path.endswith("/callback")] == [200]


async def test_an_interaction_that_arrives_too_late_is_only_logged(
    core: KpopCore, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    bot = make_bot(core)
    async with fake_discord.running(bot):
        interaction = fake_discord.slash_command("kpop", {"query": "Blinding Lights"}, age=3.5)
        await fake_discord.dispatch("INTERACTION_CREATE", interaction)
        refused = await fake_discord.wait_for_request("POST", "/interactions/{id}/{token}/callback")
        assert await bot.in_flight.drained(timeout=2)

    assert (refused.status, refused.response["code"]) == (404, 10062)
    assert [r.path for r in fake_discord.requests if r.path.startswith("/interactions/")] == [refused.path]
    assert f"interaction {interaction['id']} expired before it could be answered" in caplog.text
