"""Reading what a person typed: a command and its argument, and a query cut to size.

The terminal and Telegram hand over raw text (:func:`parse`); platforms with
their own command syntax hand over its parts (Discord's ``/kpop`` option goes
through :func:`kpop_command`), so ``/kpop more``, ``/kpop forget`` and a bare
``/kpop`` mean the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recommender.catalogue.normalize import clean_display

__all__ = ["Command", "parse", "kpop_command", "cap_query", "SUBCOMMANDS"]

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
        return kpop_command(arg, bot)
    return Command("unknown", match["name"], bot)


def kpop_command(argument: str, addressed_to: str | None = None) -> Command:
    """What ``/kpop <argument>`` asks for: an action word (``more``...), help when empty, else a query."""
    argument = clean_display(argument)
    if argument.lower() in SUBCOMMANDS:
        return Command(argument.lower(), "", addressed_to)
    return Command("kpop", argument, addressed_to) if argument else Command("help", "", addressed_to)


def cap_query(text: str, limit: int) -> tuple[str, tuple[str, ...]]:
    """The query tidied and cut to ``limit`` characters, with a note for the person when it was cut."""
    query = clean_display(text)
    if len(query) <= limit:
        return query, ()
    return query[:limit].rstrip(), (f"I only read the first {limit} characters of that.",)
