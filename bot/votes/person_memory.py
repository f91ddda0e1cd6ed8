"""A short-lived memory of what each person was shown and disliked.

Reading a person's history from the database on every answer would put a query
on the hot path of every message. This process remembers it instead, keeps it
current with its own writes (answers it records, votes it saves) and re-reads
it after ``ttl`` seconds, so that what another process sharing the database
recorded shows up within that time. The memory is bounded: the least recently
used people are dropped first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["PersonHistory", "SeenCache"]

Vote = tuple[int, int]  # (recommendation id, pick rank; 0 = the whole answer)
Loader = Callable[[str, str], Awaitable[tuple[set[str], dict[Vote, set[str]]]]]


@dataclass
class PersonHistory:
    seen: set[str] = field(default_factory=set)
    down_votes: dict[Vote, set[str]] = field(default_factory=dict)  # each 👎 and the songs it hides
    answers: dict[int, dict[int, str]] = field(default_factory=dict)  # answers recorded here: rank -> song key
    loaded_at: float = 0.0

    @property
    def disliked(self) -> set[str]:
        return set().union(*self.down_votes.values())


class SeenCache:
    def __init__(
        self,
        load: Loader,
        *,
        ttl: float = 60.0,
        max_people: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self.ttl = ttl
        self.max_people = max_people
        self._clock = clock
        self._people: OrderedDict[tuple[str, str], PersonHistory] = OrderedDict()

    async def get(self, platform: str, user_id: str) -> PersonHistory:
        """The person's history, from memory when fresh; the loader's errors propagate."""
        person = (platform, user_id)
        entry = self._people.get(person)
        now = self._clock()
        if entry is None or now - entry.loaded_at > self.ttl:
            seen, down_votes = await self._load(platform, user_id)
            entry = PersonHistory(seen, down_votes, loaded_at=now)
            self._people[person] = entry
            while len(self._people) > self.max_people:
                self._people.popitem(last=False)
        self._people.move_to_end(person)
        return entry

    def shown(self, platform: str, user_id: str, recommendation_id: int, ranked_keys: Sequence[tuple[int, str]]) -> None:
        """This process just recorded an answer of (rank, song key) picks for the person."""
        entry = self._people.get((platform, user_id))
        if entry is not None:
            entry.seen.update(key for _, key in ranked_keys)
            entry.answers[recommendation_id] = dict(ranked_keys)

    def voted(self, platform: str, user_id: str, recommendation_id: int, pick_rank: int, vote: int) -> None:
        """The person's vote was saved: update what they dislike, or re-read when it can't be known here."""
        entry = self._people.get((platform, user_id))
        if entry is None:
            return
        key = (recommendation_id, pick_rank)
        if vote >= 0:
            entry.down_votes.pop(key, None)
            return
        picks = entry.answers.get(recommendation_id)
        if picks is None or (pick_rank and pick_rank not in picks):
            self.forget(platform, user_id)  # an answer recorded elsewhere: read it from the database next time
            return
        entry.down_votes[key] = set(picks.values()) if pick_rank == 0 else {picks[pick_rank]}

    def forget(self, platform: str, user_id: str) -> None:
        """Drop the person's memory (re-read next time), e.g. after ``/kpop forget``."""
        self._people.pop((platform, user_id), None)
