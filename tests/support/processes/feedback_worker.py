"""One bot process for tests/bot/storage/test_shared_database.py: a real core on a shared database, voting hard.

Run as ``python -m tests.support.processes.feedback_worker DATABASE_URL NAME DATA_DIR``. The
process opens (and migrates) the database, prints ``ready`` and waits for one
JSON line on stdin: ``{"shared": [recommendation ids]}``. It then runs, all at
once through one core (so through one group-commit writer):

* people of its own asking and voting on their answers (rows no one else writes);
* people shared with the other process changing their votes on the shared
  answers: every (person, answer, pick) gets the votes ``+1, -1, 0`` and then
  :func:`final_vote`, in order, from both processes at the same time, each
  process taking the keys in its own random order.

Whatever the interleaving, the last write of each shared key is its final vote
(both processes end on it), so the test knows every row the table must hold.
The process prints one JSON line: its own answers' ids and how many writes were
refused, and how many group-commit batches failed and were retried one by one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
from pathlib import Path

from bot.app.config import load_settings
from bot.app.runtime import new_core
from bot.chat.core import KpopCore
from bot.chat.library import Library
from bot.chat.replies import Answer, AnswerKind, Sender
from bot.storage.catalogue_store import load_build
from bot.storage.engine import open_database
from bot.storage.history import History

PLATFORM = "test"
SHARED_PEOPLE = 8
OWN_PEOPLE = 60
PICK_RANKS = (0, 1, 2, 3)  # 0 is the whole answer
CHANGES = (1, -1, 0)  # votes given before the final one
QUERIES = ("Blinding Lights", "Taylor Swift", "Shape of You", "Bad Guy")


def shared_person(j: int) -> str:
    return f"both-{j}"


def own_person(process: str, i: int) -> str:
    return f"{process}-{i}"


def final_vote(answer_index: int, person: int, pick_rank: int) -> int:
    """The vote both processes end on for one shared key: -1, 0 (cleared: no row) or +1."""
    return (answer_index + person + pick_rank) % 3 - 1


def own_votes(answer_id: int, shared_id: int) -> list[tuple[int, int, int]]:
    """(answer, pick rank, vote) that one of a process's own people gives, on their answer and a shared one."""
    return [(answer_id, 0, 1), (answer_id, 1, -1), (shared_id, 2, 1)]


class BatchRetries(logging.Handler):
    """Counts the writer's "a batch failed; retrying one by one" warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "bot.storage.writer":
            self.count += 1


async def hammer(core: KpopCore, process: str, shared: list[int]) -> dict[str, object]:
    refused = 0

    def count_refusal(answer: Answer) -> None:
        nonlocal refused
        if answer.kind != AnswerKind.INFO:  # "Sorry, I couldn't save your vote"
            refused += 1

    async def change_votes(answer_index: int, person: int, pick_rank: int) -> None:
        sender = Sender(PLATFORM, shared_person(person), "chat")
        for vote in (*CHANGES, final_vote(answer_index, person, pick_rank)):
            count_refusal(await core.vote(sender, shared[answer_index], vote, pick_rank=pick_rank))

    async def ask_and_vote(i: int) -> int | None:
        sender = Sender(PLATFORM, own_person(process, i), "chat")
        answer = await core.recommend(sender, QUERIES[i % len(QUERIES)])
        if answer.recommendation_id is None:
            return None
        for answer_id, pick_rank, vote in own_votes(answer.recommendation_id, shared[i % len(shared)]):
            count_refusal(await core.vote(sender, answer_id, vote, pick_rank=pick_rank))
        return answer.recommendation_id

    keys = [(a, p, r) for a in range(len(shared)) for p in range(SHARED_PEOPLE) for r in PICK_RANKS]
    random.Random(process).shuffle(keys)  # each process meets the shared keys in its own order
    changes = [change_votes(*key) for key in keys]
    results = await asyncio.gather(*(ask_and_vote(i) for i in range(OWN_PEOPLE)), *changes)
    own = results[:OWN_PEOPLE]
    return {"own_answers": own, "refused": refused + own.count(None)}


async def main(url: str, process: str, data_dir: Path) -> None:
    retries = BatchRetries()
    logging.getLogger().addHandler(retries)
    settings = load_settings(
        KPOP_DATA_DIR=data_dir, KPOP_DATABASE_URL=url, KPOP_EXPERIMENT=False, KPOP_RATE_LIMIT_COUNT=1_000_000
    )
    engine = await open_database(url)
    try:
        print("ready", flush=True)
        go = json.loads(await asyncio.to_thread(sys.stdin.readline))
        stored = await load_build(engine)
        assert stored is not None, "the test saves a build before saying go"
        history = History(engine)
        try:
            result = await hammer(new_core(Library.from_build(stored), history, settings), process, go["shared"])
        finally:
            await history.close()
    finally:
        await engine.dispose()
    print(json.dumps({**result, "batch_retries": retries.count}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
