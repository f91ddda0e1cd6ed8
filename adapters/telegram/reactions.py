"""Emoji reactions on an answer, read as votes.

Telegram reports a reaction change as the person's whole set of reactions on
the message before and after (several at once for Premium users). Only 👍 and
👎 are votes; other emoji say nothing about the picks. The vote follows what
the message shows: the 👍 or 👎 left on it, the one just added when both are.
A reaction taken off is a retraction, not a plain clear: it removes the vote
only while that is still the vote, so a 👎 button pressed after reacting 👍
survives the 👍 being taken off later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import ReactionType, ReactionTypeEmoji

from adapters.telegram.keyboards import THUMBS

__all__ = ["VoteChange", "vote_change", "emojis"]

_VOTES = {emoji: vote for vote, emoji in THUMBS.items()}


@dataclass(frozen=True)
class VoteChange:
    """What a change of reactions does to the person's vote on the answer."""

    vote: int = 0  # +1 or -1 to save; 0 when there is nothing to save
    retract: frozenset[int] = frozenset()  # votes whose reaction was taken off


def emojis(reactions: Sequence[ReactionType]) -> list[str]:
    """The plain emoji among reactions (custom and paid reactions carry none)."""
    return [r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji)]


def vote_change(old: Iterable[str], new: Iterable[str]) -> VoteChange | None:
    """The change a new set of reactions means for the vote; None when it changes nothing.

    With both 👍 and 👎 on the message the one just added counts; if both came at
    once there is no telling what the person meant, so nothing changes.
    """
    before = {_VOTES[e] for e in old if e in _VOTES}
    after = {_VOTES[e] for e in new if e in _VOTES}
    if after == before:
        return None
    if not after:
        return VoteChange(retract=frozenset(before))
    if len(after) == 1:
        return VoteChange(vote=next(iter(after)))
    added = after - before
    return VoteChange(vote=next(iter(added))) if len(added) == 1 else None
