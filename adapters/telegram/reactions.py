"""Emoji reactions on an answer, read as votes.

Telegram reports a reaction change as the person's whole set of reactions on
the message before and after (several at once for Premium users). Only 👍 and
👎 are votes; other emoji say nothing about the picks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import ReactionType, ReactionTypeEmoji

from adapters.telegram.keyboards import THUMBS

__all__ = ["reaction_vote", "emojis"]

_VOTES = {emoji: vote for vote, emoji in THUMBS.items()}


def emojis(reactions: Sequence[ReactionType]) -> list[str]:
    """The plain emoji among reactions (custom and paid reactions carry none)."""
    return [r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji)]


def reaction_vote(old: Iterable[str], new: Iterable[str]) -> int | None:
    """The vote a change of reactions means: +1, -1, 0 (vote taken back) or None (no change).

    With both 👍 and 👎 on the message, the one just added counts; if both came
    at once there is no telling what the person meant, so nothing changes.
    """
    before = {_VOTES[e] for e in old if e in _VOTES}
    after = {_VOTES[e] for e in new if e in _VOTES}
    if after == before:
        return None
    if not after:
        return 0
    if len(after) == 1:
        return next(iter(after))
    added = after - before
    return next(iter(added)) if len(added) == 1 else None
