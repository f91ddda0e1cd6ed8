"""The per-person memory stays true to the database it stands in for."""

from __future__ import annotations

from bot.votes.person_memory import SeenCache


class Store:
    """A stand-in database: what a loader would read, and how often it was asked."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.down: dict[tuple[int, int], set[str]] = {}
        self.reads = 0

    async def load(self, platform: str, user_id: str) -> tuple[set[str], dict[tuple[int, int], set[str]]]:
        self.reads += 1
        return set(self.seen), {k: set(v) for k, v in self.down.items()}


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_own_writes_keep_memory_current_without_reads() -> None:
    store = Store()
    cache = SeenCache(store.load)
    await cache.get("t", "u")
    cache.shown("t", "u", 10, [(1, "a"), (2, "b"), (3, "c")])
    cache.voted("t", "u", 10, 2, -1)
    person = await cache.get("t", "u")
    assert person.seen == {"a", "b", "c"} and person.disliked == {"b"}
    cache.voted("t", "u", 10, 0, -1)  # the whole answer
    assert (await cache.get("t", "u")).disliked == {"a", "b", "c"}
    cache.voted("t", "u", 10, 0, 1)  # changed to 👍: only the pick-level 👎 remains
    assert (await cache.get("t", "u")).disliked == {"b"}
    cache.voted("t", "u", 10, 2, 0)  # cleared
    assert (await cache.get("t", "u")).disliked == set()
    assert store.reads == 1


async def test_a_vote_on_an_answer_recorded_elsewhere_rereads() -> None:
    store = Store()
    cache = SeenCache(store.load)
    await cache.get("t", "u")
    store.down[(99, 1)] = {"z"}  # another process recorded answer 99 and the vote
    cache.voted("t", "u", 99, 1, -1)
    assert (await cache.get("t", "u")).disliked == {"z"}
    assert store.reads == 2


async def test_memory_expires_and_is_bounded() -> None:
    store, clock = Store(), Clock()
    cache = SeenCache(store.load, ttl=60, max_people=2, clock=clock)
    await cache.get("t", "u")
    store.seen.add("from-another-process")
    clock.now = 30
    assert (await cache.get("t", "u")).seen == set()
    clock.now = 61
    assert (await cache.get("t", "u")).seen == {"from-another-process"}
    await cache.get("t", "v")
    await cache.get("t", "w")  # "u" is the least recently used and goes
    reads = store.reads
    await cache.get("t", "u")
    assert store.reads == reads + 1
