"""Suggestions while someone types a query, for platforms that offer them (Discord's autocomplete).

A service of its own, handed to the adapters that need it: a platform without
autocomplete never sees it.
"""

from __future__ import annotations

from bot.chat.commands import cap_query
from bot.chat.library import Library, to_ref
from bot.chat.options import ChatOptions
from bot.chat.replies import ItemRef

__all__ = ["Completion"]


class Completion:
    """Catalogue songs and artists starting like what was typed, best known first."""

    def __init__(self, library: Library, options: ChatOptions) -> None:
        self.matcher = library.matcher
        self.query_max_chars = options.query_max_chars

    def complete(self, prefix: str, limit: int = 25) -> list[ItemRef]:
        """At most ``limit`` choices for ``prefix`` (tidied and capped like a query)."""
        prefix, _ = cap_query(prefix, self.query_max_chars)
        return [to_ref(item) for item in self.matcher.complete(prefix, limit=limit)]
