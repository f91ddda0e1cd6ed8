"""Steps shared by the Discord adapter tests: a bot over the test core and the usual exchanges with the fake.

The bot is the real one (``adapters.discord.create_bot``) run by the real discord.py against the fake
Discord of ``tests/support/fakes``; only ``guild_ready_timeout`` is shortened, so READY comes at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

from pydantic import SecretStr
from sqlalchemy import select

from adapters.discord import create_bot
from adapters.discord.client import KpopBot, ShardedKpopBot
from adapters.discord.options import DiscordOptions
from adapters.discord.respond import VOTE_EMOJI
from bot.chat.completion import Completion
from bot.chat.core import KpopCore
from bot.storage.models import Feedback, Recommendation
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.discord_rest import RecordedRequest

CALLBACK = "/interactions/{id}/{token}/callback"


def make_bot(
    core: KpopCore, *, guild_id: int | None = None, shard_count: int | Literal["auto"] | None = None,
    shard_ids: tuple[int, ...] = (),
) -> KpopBot | ShardedKpopBot:
    """The adapter's bot over ``core``, as ``kpop-bot run`` builds it (``FakeDiscord.running`` logs it in)."""
    options = DiscordOptions(SecretStr("unused"), guild_id, shard_count, shard_ids)
    return create_bot(core, Completion(core.library, core.options), options, guild_ready_timeout=0.05)


def answering(interaction: dict[str, Any]) -> Callable[[RecordedRequest], bool]:
    """Matches the accepted interaction callback of ``interaction`` (not a refused try, not another's)."""
    return lambda request: request.path.split("/")[2] == interaction["id"] and request.status == 200


async def send(fake: FakeDiscord, interaction: dict[str, Any]) -> RecordedRequest:
    """Dispatch ``interaction`` and return the bot's accepted response to it (its interaction callback)."""
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return await fake.wait_for_request("POST", CALLBACK, where=answering(interaction))


async def invoke(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None = None, **where: Any
) -> tuple[dict[str, Any], RecordedRequest]:
    """Run ``/name options`` (as ``where``: user=, channel=); the interaction and the bot's response."""
    interaction = fake.slash_command(name, options, **where)
    return interaction, await send(fake, interaction)


async def votes_added(fake: FakeDiscord, message: dict[str, Any]) -> None:
    """Wait until the bot has put 👍 and 👎 under ``message`` (it saved the message's answer before)."""
    path = f"/channels/{message['channel_id']}/messages/{message['id']}/reactions/{{emoji}}/@me"
    for _ in VOTE_EMOJI:
        await fake.wait_for_request("PUT", path, where=lambda request: request.status == 204)


async def picks_for(fake: FakeDiscord, query: str, **where: Any) -> dict[str, Any]:
    """``/kpop query`` answered with picks and vote reactions; the fake's stored answer message."""
    interaction, _ = await invoke(fake, "kpop", {"query": query}, **where)
    message = fake.original_response(interaction)
    assert message is not None and message["embeds"], f"no picks for {query!r}"
    await votes_added(fake, message)
    return message


Rows = list[tuple[str, str | None, int]]


async def feedback_rows(core: KpopCore) -> Rows:
    """Every saved vote as (user id, id of the message showing the answer, vote), sorted."""
    columns = (Feedback.user_id, Recommendation.message_id, Feedback.vote)
    query = select(*columns).join(Recommendation, Recommendation.id == Feedback.recommendation_id)
    async with core.history.engine.connect() as conn:
        rows = await conn.execute(query.order_by(*columns))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def stored_answers(core: KpopCore) -> list[tuple[int, str, str | None, int]]:
    """(id, chat id, message id, page offset) of every recorded answer, oldest first."""
    columns = (Recommendation.id, Recommendation.chat_id, Recommendation.message_id, Recommendation.page_offset)
    async with core.history.engine.connect() as conn:
        rows = await conn.execute(select(*columns).order_by(Recommendation.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, custom id) of every button on ``message``."""
    return [(b["label"], b["custom_id"]) for row in message["components"] for b in row["components"]]


async def settled(core: KpopCore, bot: KpopBot | ShardedKpopBot, expected: Rows, timeout: float = 2.0) -> None:
    """Wait until the saved votes are ``expected`` with no reaction still being handled.

    Reactions cause no request to the fake, so the database is the only place to watch. Requiring
    that nothing is in flight as well means a later event cannot still change the rows.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    rows = await feedback_rows(core)
    while not (rows == expected and bot.in_flight.count == 0):
        if loop.time() > deadline:
            assert rows == expected, "the saved votes did not become what was expected"
            raise AssertionError(f"votes {rows} are right but {bot.in_flight.count} reactions are still handled")
        await asyncio.sleep(0.005)
        rows = await feedback_rows(core)
