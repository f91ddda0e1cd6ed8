"""Running the Discord adapter inside ``kpop-bot run``: log in, serve until told to stop, close cleanly."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from pydantic import SecretStr

from adapters.discord.client import KpopBot, ShardedKpopBot, create_bot
from adapters.discord.options import DiscordOptions
from adapters.errors import PlatformConfigError
from bot.chat.completion import Completion
from bot.chat.core import KpopCore

__all__ = ["serve", "DRAIN_SECONDS"]

log = logging.getLogger(__name__)

#: How long a shutdown waits for handlers still answering someone.
DRAIN_SECONDS = 10.0


async def serve(
    core: KpopCore, completion: Completion, options: DiscordOptions, stop: asyncio.Event, **client_options: Any
) -> None:
    """Serve Discord until ``stop`` is set, then let running handlers finish and disconnect.

    Raises :class:`~adapters.errors.PlatformConfigError` (never showing the token) when Discord refuses
    the token or the development server, and whatever ends the gateway connection for good.
    """
    bot = create_bot(core, completion, options, **client_options)
    async with bot:
        await _login(bot, options.token)
        gateway = asyncio.create_task(bot.connect(), name="discord-gateway")
        try:
            await _until_stopped(gateway, stop)
            if not gateway.done() and not await bot.in_flight.drained(DRAIN_SECONDS):
                log.warning("closing Discord with %d answers still being sent", bot.in_flight.count)
        finally:
            await bot.close()
            await gateway


async def _login(bot: KpopBot | ShardedKpopBot, token: SecretStr) -> None:
    try:
        await bot.login(token.get_secret_value())
    except discord.LoginFailure:
        raise PlatformConfigError(
            "Discord refused DISCORD_TOKEN: copy the bot's token again from the Developer Portal "
            "(your application > Bot > Reset Token)"
        ) from None
    log.info("logged in to Discord as %s (id %s)", bot.user, bot.user.id if bot.user else "?")


async def _until_stopped(gateway: asyncio.Task[None], stop: asyncio.Event) -> None:
    """Return when ``stop`` is set or the gateway connection ended (for good: it reconnects itself)."""
    stopping = asyncio.create_task(stop.wait(), name="discord-stop")
    try:
        await asyncio.wait({gateway, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
