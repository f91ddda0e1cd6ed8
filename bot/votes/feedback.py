"""Everything a vote does, in one service the chat core calls.

A vote is saved, then changes three things: what that person is shown (their
👎 hides songs from them, :mod:`bot.votes.person_memory`), what everyone is
shown (enough people's 👎 sinks a song, :mod:`bot.votes.everyone`), and, in
the recommender arm, how songs rank (:mod:`bot.votes.ranking_feedback`). The
core turns outcomes into words; this service decides what they mean. It
knows songs by their stored key and the loaded catalogue's ids by
``ids_by_key``, so it needs no chat types.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from bot.storage.history import History
from bot.votes.everyone import EveryonesVotes
from bot.votes.person_memory import SeenCache
from bot.votes.ranking_feedback import RankingFeedback
from recommender.ranking.signals.feedback import FeedbackScores
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["Feedback"]

log = logging.getLogger(__name__)


class Feedback:
    """Votes saved and their effects, over one history and one loaded catalogue."""

    def __init__(
        self, history: History, ids_by_key: Mapping[str, int], artist_of: np.ndarray, artists: KoreanArtists
    ) -> None:
        self._history = history
        self._ids = ids_by_key
        self.memory = SeenCache(history.votes.person)
        self.everyone = EveryonesVotes(history.votes.song_votes, history.votes.shown_song_votes)
        self.ranking = RankingFeedback(self.everyone, ids_by_key, artist_of, artists)
        self._sunk_ids: tuple[frozenset[str], set[int]] = (frozenset(), set())  # sunk keys -> catalogue ids

    async def vote(self, platform: str, user_id: str, recommendation_id: int, pick_rank: int, vote: int) -> None:
        """Save (+1/-1) or clear (0) a person's vote on an answer (``pick_rank`` 0) or one of its picks.

        Raises when it could not be saved. Once saved, the songs of that answer
        are re-counted for everyone before this returns (that part never raises).
        """
        await self._history.votes.vote(platform, user_id, recommendation_id, pick_rank, vote)
        self.memory.voted(platform, user_id, recommendation_id, pick_rank, vote)
        await self.everyone.voted(recommendation_id)  # it may sink (or lift) a song for everyone

    async def retract(self, platform: str, user_id: str, recommendation_id: int, vote: int) -> None:
        """Clear a person's vote on a whole answer only while it is still ``vote`` (a reaction taken off).

        Raises when it could not be saved, like :meth:`vote`.
        """
        await self._history.votes.retract(platform, user_id, recommendation_id, 0, vote)
        if vote < 0:  # the 👎 is gone if it was the vote, and never was a dislike otherwise
            self.memory.voted(platform, user_id, recommendation_id, 0, 0)
        await self.everyone.voted(recommendation_id)

    async def clear(self, recommendation_id: int, vote: int | None) -> None:
        """Take back everyone's vote on a whole answer (``vote`` None), or only its 👍 (+1) or 👎 (-1)
        votes: the reactions that gave them were cleared. Raises when it could not be saved."""
        for platform, user_id, given in await self._history.votes.on_answer(recommendation_id):
            if vote is None or given == vote:
                await self.retract(platform, user_id, recommendation_id, given)

    async def forget(self, platform: str, user_id: str) -> int:
        """Delete everything stored about a person; returns how many rows went. Their votes stop counting."""
        rows = await self._history.forget(platform, user_id)
        self.memory.forget(platform, user_id)
        self.everyone.invalidate()
        return rows

    def shown(self, platform: str, user_id: str, recommendation_id: int, ranked_keys: Sequence[tuple[int, str]]) -> None:
        """An answer of (rank, song key) picks was just recorded for the person."""
        self.memory.shown(platform, user_id, recommendation_id, ranked_keys)

    async def exclusions(self, platform: str, user_id: str) -> tuple[set[int], set[int]]:
        """(never show, show last) song ids for a person: what they disliked; what they saw and what is sunk.

        A person's history that cannot be read is answered without (the answer matters more).
        """
        try:
            person = await self.memory.get(platform, user_id)
            seen, disliked = person.seen, person.disliked
        except Exception:
            log.warning("could not read a person's history; answering without it", exc_info=True)
            seen, disliked = set(), set()
        sunk = await self.everyone.get()
        if sunk is not self._sunk_ids[0]:  # converted once per change of the list, not on every answer
            self._sunk_ids = (sunk, self._song_ids(sunk))
        return self._song_ids(disliked), self._song_ids(seen) | self._sunk_ids[1]

    def scores(self) -> FeedbackScores | None:
        """Everyone's votes as the recommender arm's feedback signal (see :class:`RankingFeedback`)."""
        return self.ranking.scores()

    def _song_ids(self, keys: Iterable[str]) -> set[int]:
        """Song ids of stored song keys; keys of songs no longer in the catalogue are skipped."""
        return {self._ids[k] for k in keys if k in self._ids}
