"""Everyone's counted votes as the recommender arm's feedback signal, re-derived when they change.

Counts are kept by stored song key (keys outlive rebuilds); the ranking wants
song ids of the loaded catalogue and the numbers of the vote policy
(:mod:`bot.votes.policy`). Each new set of scores drops every ranking the
recommender remembers (:class:`~recommender.ranking.picks.Recommender`), and a
busy bot sees votes many times a second, so the scores move at most every
``refresh_seconds``; sinking a song, which hides it, is not delayed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

from bot.storage.vote_log import SongVotes
from bot.votes.everyone import EveryonesVotes
from bot.votes.policy import MIN_PEOPLE, PRIOR_VOTES
from recommender.ranking.signals.feedback import FeedbackScores
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["REFRESH_SECONDS", "RankingFeedback"]

#: Everyone's votes move the ranking at most this often.
REFRESH_SECONDS = 2.0


class RankingFeedback:
    """The feedback scores of everyone's counted votes, for the loaded catalogue."""

    def __init__(
        self,
        everyone: EveryonesVotes,
        ids_by_key: Mapping[str, int],
        artist_of: np.ndarray,
        artists: KoreanArtists,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.everyone = everyone
        self.refresh_seconds = refresh_seconds
        self._ids = ids_by_key
        self._artist_of = artist_of
        self._artists = artists
        self._clock = clock
        self._derived_from: Mapping[str, SongVotes] | None = None
        self._scores: FeedbackScores | None = None
        self._derived_at = -refresh_seconds

    def scores(self) -> FeedbackScores | None:
        """The current scores (None while no song counts), re-derived when the counts changed and it is time."""
        counted, now = self.everyone.counted, self._clock()
        if counted is not self._derived_from and now - self._derived_at >= self.refresh_seconds:
            self._derived_at = now
            self._derived_from = counted
            self._scores = self._derive(counted) if counted else None
        return self._scores

    def _derive(self, counted: Mapping[str, SongVotes]) -> FeedbackScores:
        """Scores from the counts; songs no longer in the catalogue are skipped."""
        by_id = {self._ids[key]: (v.up, v.down) for key, v in counted.items() if key in self._ids}
        return FeedbackScores.from_votes(
            by_id, self._artist_of, self._artists, min_people=MIN_PEOPLE, prior_votes=PRIOR_VOTES
        )
