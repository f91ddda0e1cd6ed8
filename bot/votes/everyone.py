"""Everyone's votes that change what everyone is shown, kept in memory and brought up to date vote by vote.

Two things follow from them: which songs are sunk for everyone (enough
different people voted them down, :class:`~bot.votes.policy.SinkPolicy`), and the
counts of every song that enough people voted on to move it up or down in the
recommender arm's ranking (:class:`~recommender.ranking.signals.feedback.FeedbackScores`). Counting that means aggregating every vote
ever given, far too much work for every answer, and yet a vote should count
on the very next answer. So this memory reads the running counts
(:mod:`bot.storage.vote_counts`) once, on the first answer; after that, every
``refresh_seconds`` it reads in the background only the songs whose counts
changed since (what other processes sharing the database recorded shows up
within that time), and no answer ever waits for that. After each vote saved
here it re-counts just the songs of the voted answer before the vote is
acknowledged. Like the group-commit writer,
the re-counts of votes that arrive together share one query, so a busy bot
pays one read per batch of votes, not one per vote.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import datetime

from bot.storage.vote_log import SongVotes
from bot.votes.policy import SinkPolicy, counts_for_everyone

__all__ = ["EveryonesVotes"]

log = logging.getLogger(__name__)

#: The counts of songs changed since a time (all when None), and the time to pass next.
ReadChanged = Callable[[datetime | None], Awaitable[tuple[dict[str, SongVotes], datetime]]]
#: The counts of every song shown in the given answers, zero counts included.
ReadShown = Callable[[Collection[int]], Awaitable[dict[str, SongVotes]]]
#: At most this many answers' songs are re-counted in one query (database parameter limits).
RECOUNT_BATCH = 500


class EveryonesVotes:
    def __init__(
        self,
        read_changed: ReadChanged,
        read_shown: ReadShown,
        policy: SinkPolicy | None = None,
        *,
        refresh_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_changed = read_changed
        self._read_shown = read_shown
        self.policy = policy or SinkPolicy()
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._sunk: frozenset[str] = frozenset()  # replaced, never changed: callers may cache by identity
        self._counted: dict[str, SongVotes] = {}  # likewise
        self._read_at = -refresh_seconds
        self._since: datetime | None = None  # None until the first read of all counts succeeded
        self._refresher: asyncio.Task[None] | None = None
        # While a read runs: the counts re-read meanwhile, newer than what it will return.
        self._newer: dict[str, SongVotes] | None = None
        self._voted: dict[int, list[asyncio.Future[None]]] = {}  # answer id -> votes waiting for its re-count
        self._recounter: asyncio.Task[None] | None = None

    async def get(self) -> frozenset[str]:
        """The sunk songs' keys. Only the first call (until one read of all counts succeeded) waits for a read;
        later reads of what changed start in the background when due.

        The same object comes back until the list changes, so a caller can cache what it derives from it.
        """
        running = self._refresher is not None and not self._refresher.done()
        if not running and self._clock() - self._read_at >= self.refresh_seconds:
            self._read_at = self._clock()  # also on failure: a sick database is not asked on every message
            self._refresher = asyncio.create_task(self._refresh(), name="everyones-votes-refresh")
            running = True
        if running and self._since is None:
            await asyncio.shield(self._refresher)  # type: ignore[arg-type]
        return self._sunk

    @property
    def counted(self) -> Mapping[str, SongVotes]:
        """Counts of the songs enough people voted on to move them for everyone, as of the last :meth:`get`.

        The same object comes back until one of them changes.
        """
        return self._counted

    async def voted(self, recommendation_id: int) -> None:
        """A vote on an answer (or one of its picks) was saved: re-count that answer's songs.

        Never raises: when the re-count fails, all counts are read on the next answer instead.
        """
        done = asyncio.get_running_loop().create_future()
        self._voted.setdefault(recommendation_id, []).append(done)
        if self._recounter is None or self._recounter.done():
            self._recounter = asyncio.create_task(self._recount(), name="sunk-songs-recount")
        await done

    def invalidate(self) -> None:
        """Read what changed now, in the background (e.g. after a person's votes were deleted)."""
        self._read_at = -self.refresh_seconds

    async def _recount(self) -> None:
        while self._voted:
            answers = list(self._voted)[:RECOUNT_BATCH]
            waiting = [done for answer in answers for done in self._voted.pop(answer)]
            try:
                counts = await self._read_shown(answers)
            except Exception:
                log.warning("could not re-count voted songs; reading what changed on the next answer", exc_info=True)
                self.invalidate()
            else:
                self._apply(counts)
            for done in waiting:
                if not done.done():
                    done.set_result(None)

    def _apply(self, counts: dict[str, SongVotes]) -> None:
        """Fold re-counted songs in; the lists are copied only when one of these songs changes them.

        This runs after every vote, so it costs as much as the re-counted songs, not as the lists.
        """
        if self._newer is not None:
            self._newer.update(counts)
        if any((key in self._sunk) != self.policy.sinks(votes) for key, votes in counts.items()):
            sinking = {key for key, votes in counts.items() if self.policy.sinks(votes)}
            self._sunk = frozenset((self._sunk - counts.keys()) | sinking)
        counting = _counting(counts)
        if any(self._counted.get(key) != counting.get(key) for key in counts):
            counted = {key: votes for key, votes in self._counted.items() if key not in counts}
            self._counted = counted | counting

    async def _refresh(self) -> None:
        """Read all counts the first time, then only those changed since the last read."""
        self._newer = {}
        try:
            counts, since = await self._read_changed(self._since)
        except Exception:
            log.warning("could not read song votes; keeping the previous list", exc_info=True)
            self._newer = None
            return
        counts.update(self._newer)
        self._newer = None
        if self._since is None:
            self._sunk = self.policy.sunk(counts)
            self._counted = _counting(counts)
        else:
            self._apply(counts)
        self._since = since


def _counting(counts: Mapping[str, SongVotes]) -> dict[str, SongVotes]:
    """The songs whose votes count for everyone: fewer people cannot change what others are shown."""
    return {key: votes for key, votes in counts.items() if counts_for_everyone(votes)}
