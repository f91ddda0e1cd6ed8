"""A short-lived memory of what each person was shown and disliked.

Reading a person's history from the database on every answer would put two
queries on the hot path of every message. This process remembers it instead,
keeps it current with its own writes (answers it records, votes it saves) and
re-reads it after ``ttl`` seconds, so that what another process sharing the
database recorded shows up within that time. The memory is bounded: the least
recently used people are dropped first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["PersonHistory", "SeenCache"]

Person = tuple[str, str]  # (platform, user id)


@dataclass
class PersonHistory:
    seen: set[str] = field(default_factory=set)
    disliked: set[str] = field(default_factory=set)
    loaded_at: float = 0.0


class SeenCache:
    def __init__(
        self,
        load: Callable[[str, str], Awaitable[tuple[set[str], set[str]]]],
        *,
        ttl: float = 60.0,
        max_people: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self.ttl = ttl
        self.max_people = max_people
        self._clock = clock
        self._people: OrderedDict[Person, PersonHistory] = OrderedDict()

    async def get(self, platform: str, user_id: str) -> PersonHistory:
        """The person's history, from memory when fresh; the loader's errors propagate."""
        person = (platform, user_id)
        entry = self._people.get(person)
        now = self._clock()
        if entry is None or now - entry.loaded_at > self.ttl:
            seen, disliked = await self._load(platform, user_id)
            entry = PersonHistory(seen, disliked, now)
            self._people[person] = entry
            while len(self._people) > self.max_people:
                self._people.popitem(last=False)
        self._people.move_to_end(person)
        return entry

    def shown(self, platform: str, user_id: str, song_keys: Iterable[str]) -> None:
        """This process just showed these songs to the person."""
        entry = self._people.get((platform, user_id))
        if entry is not None:
            entry.seen.update(song_keys)

    def forget(self, platform: str, user_id: str) -> None:
        """Drop the person's memory: after a vote (re-read next time) or ``/kpop forget``."""
        self._people.pop((platform, user_id), None)
