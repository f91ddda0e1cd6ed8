"""The memory of everyone's votes (sunk songs, counts that move songs): one awaited first read, then reads of
what changed in the background, re-counts after votes in between."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime, timedelta, timezone

from bot.storage.vote_log import SongVotes
from bot.votes.everyone import EveryonesVotes

DOWN = SongVotes(up=0, down=3)  # sinks under the default policy
SPLIT = SongVotes(up=2, down=3)  # does not
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Database:
    """Song counts as the running-counts table would return them, with a gate to hold a read open."""

    def __init__(self) -> None:
        self.counts: dict[str, SongVotes] = {}
        self.changed: dict[str, datetime] = {}
        self.now = START
        self.shown: dict[int, list[str]] = {}
        self.reads: list[tuple[datetime | None, set[str]]] = []  # (since, songs returned)
        self.recounts: list[list[int]] = []
        self.gate: asyncio.Event | None = None

    def set(self, **counts: SongVotes) -> None:
        """Record new counts of some songs, as a vote's transaction would."""
        self.now += timedelta(seconds=1)
        for key, votes in counts.items():
            self.counts[key], self.changed[key] = votes, self.now

    @property
    def full_reads(self) -> int:
        return sum(since is None for since, _ in self.reads)

    async def read_changed(self, since: datetime | None) -> tuple[dict[str, SongVotes], datetime]:
        started = self.now
        snapshot = {k: v for k, v in self.counts.items() if since is None or self.changed[k] > since}
        self.reads.append((since, set(snapshot)))
        if self.gate is not None:
            await self.gate.wait()
        return snapshot, started

    async def read_shown(self, answers: Collection[int]) -> dict[str, SongVotes]:
        self.recounts.append(sorted(answers))
        return {key: self.counts.get(key, SongVotes()) for answer in answers for key in self.shown[answer]}


def memory(db: Database, clock: list[float]) -> EveryonesVotes:
    return EveryonesVotes(db.read_changed, db.read_shown, refresh_seconds=30.0, clock=lambda: clock[0])


async def settle() -> None:
    """Let background tasks run until they wait on something."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_first_answer_reads_all_counts_and_later_reads_fetch_only_changes_in_the_background() -> None:
    db, clock = Database(), [0.0]
    db.set(a=DOWN, b=SPLIT)
    sunk = memory(db, clock)
    assert await sunk.get() == {"a"}
    db.set(b=DOWN)  # recorded by another process
    clock[0] = 29.0
    assert await sunk.get() == {"a"} and len(db.reads) == 1
    clock[0] = 31.0
    assert await sunk.get() == {"a"}  # the answer did not wait for the read it started
    await settle()
    assert await sunk.get() == {"a", "b"}
    assert db.reads == [(None, {"a", "b"}), (START + timedelta(seconds=1), {"b"})]


async def test_an_answer_never_waits_for_a_refresh() -> None:
    db, clock = Database(), [0.0]
    db.set(a=DOWN)
    sunk = memory(db, clock)
    await sunk.get()
    db.gate = asyncio.Event()  # the next read hangs until released
    clock[0] = 31.0
    assert await asyncio.wait_for(sunk.get(), timeout=1) == {"a"}
    assert await asyncio.wait_for(sunk.get(), timeout=1) == {"a"} and len(db.reads) == 2
    db.gate.set()
    await settle()


async def test_a_vote_re_counts_the_songs_of_its_answer_before_it_returns() -> None:
    db, clock = Database(), [0.0]
    db.shown = {7: ["a", "b"]}
    sunk = memory(db, clock)
    assert await sunk.get() == set()
    db.set(a=DOWN, b=DOWN)
    await sunk.voted(7)
    assert await sunk.get() == {"a", "b"}
    db.set(b=SPLIT)  # someone voted b up
    await sunk.voted(7)
    assert await sunk.get() == {"a"} and db.full_reads == 1


async def test_votes_arriving_together_share_one_re_count() -> None:
    db, clock = Database(), [0.0]
    db.shown = {n: [f"song-{n}"] for n in range(20)}
    db.set(**{f"song-{n}": DOWN for n in range(20)})
    sunk = memory(db, clock)
    await asyncio.gather(*(sunk.voted(n) for n in range(20)))
    assert db.recounts == [list(range(20))]
    assert await sunk.get() == {f"song-{n}" for n in range(20)}


async def test_a_read_under_way_keeps_the_newer_counts_of_a_vote_re_counted_meanwhile() -> None:
    db, clock = Database(), [0.0]
    db.shown = {1: ["a"]}
    sunk = memory(db, clock)
    await sunk.get()
    db.set(a=SPLIT)
    db.gate = asyncio.Event()
    clock[0] = 31.0
    await sunk.get()
    await settle()  # the read has its snapshot (a split) and waits
    db.set(a=DOWN)
    await sunk.voted(1)  # newer than the read's snapshot
    db.gate.set()
    await settle()
    assert await sunk.get() == {"a"}


async def test_a_failed_re_count_makes_the_next_answer_start_a_read() -> None:
    db, clock = Database(), [0.0]
    sunk = memory(db, clock)
    await sunk.get()
    await sunk.voted(9)  # unknown answer: the read fails (KeyError here), the vote does not
    db.set(z=DOWN)
    await sunk.get()
    await settle()
    assert await sunk.get() == {"z"} and len(db.reads) == 2


async def test_only_songs_enough_people_voted_on_are_counted_and_the_object_changes_only_with_them() -> None:
    db, clock = Database(), [0.0]
    db.set(a=SongVotes(up=2, down=0), b=SongVotes(up=3, down=1))
    db.shown = {7: ["a"], 8: ["b"]}
    votes = memory(db, clock)
    await votes.get()
    assert votes.counted == {"b": SongVotes(up=3, down=1)}  # two people cannot move a song for everyone
    before = votes.counted
    await votes.voted(8)  # re-counted, unchanged
    assert votes.counted is before
    db.counts["a"] = SongVotes(up=3, down=0)
    await votes.voted(7)
    assert votes.counted == {"a": SongVotes(up=3, down=0), "b": SongVotes(up=3, down=1)}
    db.counts["b"] = SongVotes(up=1, down=1)  # people took their votes back
    await votes.voted(8)
    assert votes.counted == {"a": SongVotes(up=3, down=0)}
