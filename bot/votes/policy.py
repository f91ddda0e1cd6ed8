"""How votes change what the bot shows.

Three rules, each applied on every answer:

* a song a person voted 👎 (on the pick itself, or on a whole answer that
  showed it) is never shown to that person again;
* songs already shown to a person come after the ones they have not seen;
* a song that enough different people voted 👎, clearly more than voted 👍,
  sinks below everything else for everyone. One grumpy person cannot sink a
  song, and a song people are split on stays where the recommender put it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.storage.vote_log import SongVotes

__all__ = ["SinkPolicy"]


@dataclass(frozen=True)
class SinkPolicy:
    """When a song sinks for everyone: at least ``min_down`` people 👎 and ``ratio`` times more 👎 than 👍."""

    min_down: int = 3
    ratio: float = 2.0

    def sinks(self, votes: SongVotes) -> bool:
        return votes.down >= self.min_down and votes.down >= self.ratio * votes.up

    def sunk(self, votes: Mapping[str, SongVotes]) -> frozenset[str]:
        return frozenset(key for key, v in votes.items() if self.sinks(v))
