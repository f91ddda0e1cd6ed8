"""Reading what a person typed into a command and its argument.

Adapters for platforms with their own command syntax (Discord's slash
commands) call the core directly; the terminal and Telegram hand over raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recommender.catalogue.normalize import clean_display

__all__ = ["Command", "parse", "SUBCOMMANDS"]

#: Words that mean an action when they are the whole argument of ``/kpop``.
SUBCOMMANDS = frozenset({"help", "forget", "more", "stats"})
_COMMAND = re.compile(r"^/(?P<name>[A-Za-z_][\w-]*)(?:@(?P<bot>\w+))?(?:\s+(?P<arg>.*))?$", re.DOTALL)


@dataclass(frozen=True)
class Command:
    """``name`` is kpop, help, forget, more, stats, query (plain text) or unknown."""

    name: str
    arg: str = ""
    addressed_to: str | None = None  # the ``@botname`` of ``/kpop@botname``


def parse(text: str) -> Command:
    """Parse raw text. Invisible characters are dropped and spacing tidied first."""
    text = clean_display(text)
    match = _COMMAND.match(text)
    if not match:
        return Command("query", text)
    name = match["name"].lower().replace("-", "_")
    arg = (match["arg"] or "").strip()
    bot = match["bot"]
    if name in {"start", "help"}:
        return Command("help", arg, bot)
    if name in SUBCOMMANDS:
        return Command(name, arg, bot)
    if name == "kpop":
        if arg.lower() in SUBCOMMANDS:
            return Command(arg.lower(), "", bot)
        return Command("kpop", arg, bot) if arg else Command("help", "", bot)
    return Command("unknown", match["name"], bot)
