"""The memory of everyone's votes (sunk songs, counts that move songs): full reads when due and one at a time, re-counts after votes in between."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from bot.storage.vote_log import SongVotes
from bot.votes.everyone import EveryonesVotes

DOWN = SongVotes(up=0, down=3)  # sinks under the default policy
SPLIT = SongVotes(up=2, down=3)  # does not


class Database:
    """Song counts as the database would return them, with a gate to hold a full read open."""

    def __init__(self) -> None:
        self.counts: dict[str, SongVotes] = {}
        self.shown: dict[int, list[str]] = {}
        self.full_reads = 0
        self.recounts: list[list[int]] = []
        self.gate: asyncio.Event | None = None

    async def read_all(self) -> dict[str, SongVotes]:
        self.full_reads += 1
        snapshot = dict(self.counts)
        if self.gate is not None:
            await self.gate.wait()
        return snapshot

    async def read_shown(self, answers: Collection[int]) -> dict[str, SongVotes]:
        self.recounts.append(sorted(answers))
        return {key: self.counts.get(key, SongVotes()) for answer in answers for key in self.shown[answer]}


def memory(db: Database, clock: list[float]) -> EveryonesVotes:
    return EveryonesVotes(db.read_all, db.read_shown, refresh_seconds=30.0, clock=lambda: clock[0])


async def test_counts_are_read_all_at_once_only_when_due() -> None:
    db, clock = Database(), [0.0]
    db.counts = {"a": DOWN, "b": SPLIT}
    sunk = memory(db, clock)
    assert await sunk.get() == {"a"}
    db.counts["b"] = DOWN  # recorded by another process
    clock[0] = 29.0
    assert await sunk.get() == {"a"} and db.full_reads == 1
    clock[0] = 31.0
    assert await sunk.get() == {"a", "b"} and db.full_reads == 2


async def test_a_vote_re_counts_the_songs_of_its_answer_before_it_returns() -> None:
    db, clock = Database(), [0.0]
    db.shown = {7: ["a", "b"]}
    sunk = memory(db, clock)
    assert await sunk.get() == set()
    db.counts = {"a": DOWN, "b": DOWN}
    await sunk.voted(7)
    assert await sunk.get() == {"a", "b"}
    db.counts = {"a": DOWN, "b": SPLIT}  # someone voted b up
    await sunk.voted(7)
    assert await sunk.get() == {"a"} and db.full_reads == 1


async def test_votes_arriving_together_share_one_re_count() -> None:
    db, clock = Database(), [0.0]
    db.shown = {n: [f"song-{n}"] for n in range(20)}
    db.counts = {f"song-{n}": DOWN for n in range(20)}
    sunk = memory(db, clock)
    await asyncio.gather(*(sunk.voted(n) for n in range(20)))
    assert db.recounts == [list(range(20))]
    assert await sunk.get() == {f"song-{n}" for n in range(20)}


async def test_answers_do_not_wait_for_a_full_read_under_way_and_it_keeps_newer_counts() -> None:
    db, clock = Database(), [0.0]
    db.shown = {1: ["a"]}
    db.gate = asyncio.Event()
    sunk = memory(db, clock)
    first = asyncio.create_task(sunk.get())  # reads everything: nothing sunk yet
    await asyncio.sleep(0)
    assert await sunk.get() == set() and db.full_reads == 1  # another answer goes on meanwhile
    db.counts = {"a": DOWN}
    await sunk.voted(1)  # newer than the full read's snapshot
    db.gate.set()
    assert await first == {"a"}


async def test_a_failed_re_count_makes_the_next_answer_read_everything() -> None:
    db, clock = Database(), [0.0]
    sunk = memory(db, clock)
    await sunk.get()
    await sunk.voted(9)  # unknown answer: the read fails (KeyError here), the vote does not
    db.counts = {"z": DOWN}
    assert await sunk.get() == {"z"} and db.full_reads == 2


async def test_only_songs_enough_people_voted_on_are_counted_and_the_object_changes_only_with_them() -> None:
    db, clock = Database(), [0.0]
    db.counts = {"a": SongVotes(up=2, down=0), "b": SongVotes(up=3, down=1)}
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
