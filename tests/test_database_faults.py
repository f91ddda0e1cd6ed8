"""Database faults through the core: a SQLite file another process keeps locked.

Answers come from memory, so a locked database must cost at most the vote
buttons of an answer, never the answer. Votes are retried by the group-commit
writer; a vote still not saved when its retry budget is spent gets a friendly
error, and once the lock is gone everything is saved again, with no restart.
The busy timeout and retry budgets are shortened here so the tests take
fractions of a second; nothing waits on a fixed sleep.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core import VOTE_NOT_SAVED, KpopCore
from bot.replies import AnswerKind, Sender
from bot.storage import engine as storage_engine
from bot.storage.models import Feedback
from bot.storage.writer import Retry
from tests.conftest_core import CoreFactory

ALICE = Sender("test", "alice", "chat")
BOB = Sender("test", "bob", "chat")
#: Holds the write lock of a SQLite file until its standard input closes.
LOCKER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
connection.rollback()
"""
TIMEOUT = 30.0  # generous: the machine may be busy; the waits end as soon as their condition holds


class LockHolder:
    """Another process holding the database's write lock (``BEGIN IMMEDIATE``) until released."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.process: asyncio.subprocess.Process | None = None

    async def lock(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCKER, str(self.database),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)
        assert line.strip() == b"locked", line

    async def release(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        assert await asyncio.wait_for(self.process.wait(), TIMEOUT) == 0
        self.process = None


@pytest.fixture
async def locked_core(
    make_core: CoreFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[KpopCore, LockHolder]]:
    """A core whose SQLite busy timeout is 50 ms, and a holder for its database's lock (not yet taken)."""
    monkeypatch.setattr(storage_engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    core = await make_core()
    holder = LockHolder(tmp_path / "bot.db")
    yield core, holder
    if holder.process is not None:
        await holder.release()


async def saved_votes(core: KpopCore) -> dict[tuple[str, int], int]:
    async with core.history.engine.connect() as conn:
        rows = await conn.execute(select(Feedback.user_id, Feedback.recommendation_id, Feedback.vote))
    return {(user, rec): vote for user, rec, vote in rows}


async def until(condition: Callable[[], bool]) -> None:
    """Wait (polling) until ``condition`` holds; fail after ``TIMEOUT`` seconds."""
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0.01)


def retries_logged(caplog: pytest.LogCaptureFixture) -> int:
    return sum("will be tried again" in r.getMessage() for r in caplog.records if r.name == "bot.storage.writer")


async def test_a_locked_database_costs_vote_buttons_and_votes_but_no_answers(
    locked_core: tuple[KpopCore, LockHolder], caplog: pytest.LogCaptureFixture
) -> None:
    core, holder = locked_core
    core.history.writer.retry = Retry(seconds=0.3, first_pause=0.01, max_pause=0.05)
    before = await core.recommend(ALICE, "Blinding Lights")
    assert before.recommendation_id is not None

    caplog.set_level(logging.WARNING, logger="bot.storage.writer")
    await holder.lock()
    known = await core.recommend(ALICE, "Starboy")  # a person in memory
    new = await core.recommend(BOB, "Shape of You")  # a person read from the database (readers are not locked)
    vote = await core.vote(ALICE, before.recommendation_id, 1)

    for answer in (known, new):
        assert answer.kind == AnswerKind.PICKS and answer.picks
        assert answer.recommendation_id is None  # not recorded, so no vote buttons
        assert "I couldn't save this answer, so votes on it won't count." in answer.notes
    assert (vote.kind, vote.text) == (AnswerKind.ERROR, VOTE_NOT_SAVED)
    assert retries_logged(caplog) >= 1  # the vote was tried again before giving up
    assert await saved_votes(core) == {}

    await holder.release()
    again = await core.vote(ALICE, before.recommendation_id, 1)
    after = await core.recommend(BOB, "Shape of You")
    assert again.kind == AnswerKind.INFO and after.recommendation_id is not None
    assert await saved_votes(core) == {("alice", before.recommendation_id): 1}


async def test_a_vote_waits_out_a_lock_released_during_its_retries(
    locked_core: tuple[KpopCore, LockHolder], caplog: pytest.LogCaptureFixture
) -> None:
    core, holder = locked_core
    core.history.writer.retry = Retry(seconds=TIMEOUT, first_pause=0.01, max_pause=0.05)
    shown = await core.recommend(ALICE, "Blinding Lights")
    assert shown.recommendation_id is not None

    caplog.set_level(logging.WARNING, logger="bot.storage.writer")
    await holder.lock()
    vote = asyncio.create_task(core.vote(ALICE, shown.recommendation_id, -1))
    await until(lambda: retries_logged(caplog) >= 2)
    # answers are not held up behind the vote that is being retried
    meanwhile = await asyncio.wait_for(core.recommend(BOB, "Starboy"), TIMEOUT)
    assert meanwhile.kind == AnswerKind.PICKS and not vote.done()
    await holder.release()

    assert (await asyncio.wait_for(vote, TIMEOUT)).kind == AnswerKind.INFO
    assert await saved_votes(core) == {("alice", shown.recommendation_id): -1}
    # and the 👎 counts at once: none of those picks come back for Alice
    later = await core.recommend(ALICE, "Blinding Lights")
    assert not {p.song_id for p in later.picks} & {p.song_id for p in shown.picks}
