"""The slash commands: ``/kpop [query]`` with autocomplete, ``/kpop-help`` and ``/kpop-stats``.

Handlers only translate: the ``query`` option is read as the argument of ``/kpop``
(:func:`~bot.chat.commands.kpop_command`), as the words Telegram and the terminal
send are, so ``/kpop more``, ``/kpop forget`` and a bare ``/kpop`` (help) mean the
same everywhere. Autocomplete asks the :class:`~bot.chat.completion.Completion`
service; a choice's value names the catalogue item itself (``kpop:song:12``), so a
chosen title is answered exactly however long it is (Discord caps values at 100
characters, the core caps typed queries too). What comes back is sent by
:mod:`adapters.discord.respond`.
"""

from __future__ import annotations

import re

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord import respond, views
from adapters.labels import distinct
from bot.chat.commands import kpop_command
from bot.chat.completion import Completion
from bot.chat.core import KpopCore
from bot.chat.replies import ItemRef

__all__ = ["KpopCommands", "CHOICES_LIMIT"]

CHOICES_LIMIT = 25  # Discord shows at most 25 autocomplete choices
CHOICE_LIMIT = 100  # characters in a choice's name and in its value
#: The value of an autocomplete choice: the item it names, whatever its label.
CHOSEN = re.compile(r"kpop:(?P<kind>song|artist):(?P<id>[0-9]{1,19})(?::(?P<catalogue>[0-9a-f]{6}))?")
#: What /kpop answers for the asker alone, so a slow answer is deferred privately (see ``respond``).
PRIVATE_COMMANDS = frozenset({"help", "forget", "stats"})


def _choices(items: list[ItemRef], catalogue: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices, named so that long near-identical titles stay apart; each value names the
    build it was made from, since item ids mean other songs after a rebuild."""
    names = distinct([item.label for item in items], CHOICE_LIMIT)
    return [
        app_commands.Choice(name=name, value=f"kpop:{item.kind}:{item.id}:{catalogue}")
        for item, name in zip(items, names, strict=True)
    ]


class KpopCommands(commands.Cog):
    """Slash commands over one core, with autocomplete from the completion service."""

    def __init__(self, core: KpopCore, completion: Completion) -> None:
        self.core = core
        self.completion = completion

    @app_commands.command(name="kpop", description="K-pop picks for a western song or artist you like")
    @app_commands.describe(query="A song or an artist, e.g. Blinding Lights or Taylor Swift (empty: help)")
    async def kpop(self, interaction: discord.Interaction, query: str | None = None) -> None:
        sender = respond.sender_of(interaction)
        if chosen := CHOSEN.fullmatch(query or ""):
            work = self.core.choose(sender, chosen["kind"], int(chosen["id"]), catalogue=chosen["catalogue"])
            await respond.reply(interaction, work, views.for_answer)
            return
        command = kpop_command(query or "")
        private = command.name in PRIVATE_COMMANDS
        await respond.reply(interaction, self.core.handle(sender, command), views.for_answer, private=private)

    @kpop.autocomplete("query")
    async def complete_query(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _choices(self.completion.complete(current, limit=CHOICES_LIMIT), self.core.library.stamp)

    @app_commands.command(name="kpop-help", description="What this bot does and how to use it")
    async def kpop_help(self, interaction: discord.Interaction) -> None:
        await respond.reply(interaction, self.core.help(), views.for_answer, private=True)

    @app_commands.command(name="kpop-stats", description="The A/B test's results (bot owners only)")
    @app_commands.default_permissions(manage_guild=True)  # listed to server managers; owners checked in the core
    async def kpop_stats(self, interaction: discord.Interaction) -> None:
        work = self.core.stats(respond.sender_of(interaction))
        await respond.reply(interaction, work, views.for_answer, table=True, private=True)

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await respond.report_failure(interaction, error)
