"""Building the Discord bot: intents, mentions, sharding, and the slash commands synced at start.

Intents (nothing privileged, each listed for a reason):

- ``guilds``: the servers and channels the bot is in. discord.py keeps its state (channels of
  interactions, which shard a server is on) from these events and warns when they are missing.
- ``guild_reactions`` and ``dm_reactions``: 👍/👎 under answers in servers and in DMs are the votes.

Slash commands arrive as interactions, which need no intent; message content is never read. Messages
are not cached either (``max_messages=None``): reactions are handled from raw events.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import discord
from discord.ext import commands

from adapters.discord import views
from adapters.discord.commands import KpopCommands
from adapters.discord.inflight import InFlight
from adapters.discord.options import DiscordOptions
from adapters.discord.reactions import ReactionVotes
from adapters.errors import PlatformConfigError
from bot.chat.completion import Completion
from bot.chat.core import KpopCore

__all__ = ["INTENTS", "KpopBot", "ShardedKpopBot", "create_bot"]

log = logging.getLogger(__name__)

INTENTS = discord.Intents(guilds=True, guild_reactions=True, dm_reactions=True)


class _KpopBotMixin:
    """What both bot classes add to discord.py's: the core, its services, the options and the start-up steps."""

    def __init__(self, core: KpopCore, completion: Completion, options: DiscordOptions, **client_options: Any) -> None:
        client_options = {
            "command_prefix": commands.when_mentioned,  # unused: no message intents, slash commands only
            "help_command": None,
            "intents": INTENTS,
            "allowed_mentions": discord.AllowedMentions.none(),
            "max_messages": None,
            **client_options,
        }
        super().__init__(**client_options)
        self.core = core
        self.completion = completion
        self.kpop_options = options
        self.in_flight = InFlight()

    async def setup_hook(self) -> None:
        """Runs once, after login and before the gateway connects."""
        bot = self._bot()
        await bot.add_cog(KpopCommands(self.core, self.completion))
        await bot.add_cog(ReactionVotes(bot, self.core, self.in_flight))
        bot.add_dynamic_items(*views.DYNAMIC_ITEMS)
        if self._syncs_commands():
            await self._sync_commands()

    def _bot(self) -> commands.Bot:
        """``self`` as the discord.py bot it is mixed into (Bot or AutoShardedBot: the same interface)."""
        return cast(commands.Bot, self)

    def _syncs_commands(self) -> bool:
        """One process syncs: the only one, or the one serving shard 0 of a multi-process install."""
        shard_ids = self.kpop_options.shard_ids
        return not shard_ids or 0 in shard_ids

    async def _sync_commands(self) -> None:
        """Register the slash commands: in one server (development, instant) or globally."""
        tree = self._bot().tree
        guild_id = self.kpop_options.guild_id
        if guild_id is None:
            synced = await tree.sync()
            log.info("synced %d slash commands globally", len(synced))
            return
        guild = discord.Object(guild_id)
        tree.copy_global_to(guild=guild)
        try:
            synced = await tree.sync(guild=guild)
        except (discord.Forbidden, discord.NotFound) as error:
            raise PlatformConfigError(
                f"Discord refused the slash commands for server DISCORD_GUILD_ID={guild_id} ({error.text}): "
                "is the bot in that server, invited with the scopes bot and applications.commands?"
            ) from None
        log.info("synced %d slash commands to server %s", len(synced), guild_id)


class KpopBot(_KpopBotMixin, commands.Bot):
    """One gateway connection: fine up to about 2,500 servers."""


class ShardedKpopBot(_KpopBotMixin, commands.AutoShardedBot):
    """Several gateway connections (shards) in this process, counted by Discord or by the options."""


def create_bot(
    core: KpopCore, completion: Completion, options: DiscordOptions, **client_options: Any
) -> KpopBot | ShardedKpopBot:
    """The bot for ``options``; ``client_options`` go to discord.py (tests pass ``guild_ready_timeout``)."""
    count = options.shard_count
    if count is None:
        return KpopBot(core, completion, options, **client_options)
    shards: dict[str, Any] = {"shard_count": None if count == "auto" else count}
    if options.shard_ids:
        shards["shard_ids"] = list(options.shard_ids)
    return ShardedKpopBot(core, completion, options, **shards, **client_options)
