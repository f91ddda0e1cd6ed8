"""How votes change what the bot shows.

Three rules, each applied on every answer:

* a song a person voted 👎 (on the pick itself, or on a whole answer that
  showed it) is never shown to that person again;
* songs already shown to a person come after the ones they have not seen;
* a song that enough different people voted 👎, clearly more than voted 👍,
  sinks below everything else for everyone. One grumpy person cannot sink a
  song, and a song people are split on stays where the recommender put it.

And one for the recommender arm's ranking: once ``MIN_PEOPLE`` different
people voted on a song, their votes move it (and its artist) up or down for
everyone, shrunk by ``PRIOR_VOTES`` of "no opinion" so that a few votes move
it a little and many a lot
(:class:`~recommender.ranking.signals.feedback.FeedbackScores` does the
arithmetic with these numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.storage.vote_log import SongVotes

__all__ = ["MIN_PEOPLE", "PRIOR_VOTES", "SinkPolicy", "counts_for_everyone"]

#: Fewest distinct voters whose votes on a song count for everyone.
MIN_PEOPLE = 3
#: Votes' worth of "no opinion" every song starts with in the ranking's feedback signal.
PRIOR_VOTES = 3.0


def counts_for_everyone(votes: SongVotes) -> bool:
    """Whether enough people voted on a song for their votes to change what others are shown."""
    return votes.up + votes.down >= MIN_PEOPLE


@dataclass(frozen=True)
class SinkPolicy:
    """When a song sinks for everyone: at least ``min_down`` people 👎 and ``ratio`` times more 👎 than 👍."""

    min_down: int = 3
    ratio: float = 2.0

    def sinks(self, votes: SongVotes) -> bool:
        return votes.down >= self.min_down and votes.down >= self.ratio * votes.up

    def sunk(self, votes: Mapping[str, SongVotes]) -> frozenset[str]:
        return frozenset(key for key, v in votes.items() if self.sinks(v))
