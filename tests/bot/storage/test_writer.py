"""Group commit on both engines: concurrent writes share transactions, and a bad write fails alone."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.storage.engine import create_engine
from bot.storage.writer import GroupCommitWriter, Retry, Write, is_transient

TRANSACTIONS: list[int] = []


def insert_numbers(conn: Connection, writes: Sequence[Write]) -> None:
    TRANSACTIONS.append(len(writes))
    conn.execute(text("insert into t (n) values (:n)"), [{"n": w.payload} for w in writes])


@pytest.fixture
async def writer(any_database_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(any_database_url)
    async with engine.begin() as conn:
        await conn.execute(text("create table t (n integer primary key)"))
    TRANSACTIONS.clear()
    writer = GroupCommitWriter(engine)
    yield writer
    await writer.close()
    await engine.dispose()


async def rows(writer: GroupCommitWriter) -> list[int]:
    async with writer.engine.connect() as conn:
        return list((await conn.execute(text("select n from t order by n"))).scalars())


async def test_concurrent_writes_share_transactions(writer: GroupCommitWriter) -> None:
    await asyncio.gather(*(writer.submit(insert_numbers, n) for n in range(200)))
    assert await rows(writer) == list(range(200))
    assert sum(TRANSACTIONS) == 200
    assert len(TRANSACTIONS) < 20  # batched, not one transaction per write


async def test_a_bad_write_fails_alone(writer: GroupCommitWriter) -> None:
    await writer.submit(insert_numbers, 7)
    results = await asyncio.gather(*(writer.submit(insert_numbers, n) for n in (1, 7, 2)), return_exceptions=True)
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], IntegrityError)  # the duplicate key, whatever the engine calls it
    assert await rows(writer) == [1, 2, 7]


async def test_close_commits_what_is_queued_then_refuses(writer: GroupCommitWriter) -> None:
    pending = [asyncio.create_task(writer.submit(insert_numbers, n)) for n in range(5)]
    await asyncio.sleep(0)
    await writer.close()
    await asyncio.gather(*pending)
    assert await rows(writer) == list(range(5))
    with pytest.raises(RuntimeError, match="closed"):
        await writer.submit(insert_numbers, 99)


def locked_error() -> OperationalError:
    """What SQLAlchemy raises when SQLite's busy timeout runs out."""
    orig = sqlite3.OperationalError("database is locked")
    orig.sqlite_errorcode = 5  # type: ignore[attr-defined]  # SQLITE_BUSY, as sqlite3 sets it
    return OperationalError("INSERT ...", {}, orig)


class Flaky:
    """An apply function that raises ``error`` on its first ``failures`` calls, then inserts."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self, conn: Connection, writes: Sequence[Write]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        insert_numbers(conn, writes)


FAST = Retry(seconds=5.0, first_pause=0.001, max_pause=0.01)


async def test_transient_errors_are_retried_for_the_whole_batch(writer: GroupCommitWriter) -> None:
    writer.retry = FAST
    flaky = Flaky(3, locked_error())
    await asyncio.gather(*(writer.submit(flaky, n) for n in range(10)))
    assert await rows(writer) == list(range(10))
    assert flaky.calls == 4  # three failed tries of the batch, then one commit; never one by one


async def test_a_write_without_retry_budget_fails_at_the_first_transient_error(writer: GroupCommitWriter) -> None:
    writer.retry = FAST
    flaky = Flaky(1, locked_error())
    once, patient = await asyncio.gather(
        writer.submit(flaky, 1, retry_for=0), writer.submit(flaky, 2), return_exceptions=True
    )
    assert isinstance(once, OperationalError) and patient is None
    assert await rows(writer) == [2]


async def test_retries_stop_when_the_budget_is_spent(writer: GroupCommitWriter) -> None:
    writer.retry = Retry(seconds=0.05, first_pause=0.001, max_pause=0.01)
    flaky = Flaky(10**9, locked_error())
    with pytest.raises(OperationalError, match="database is locked"):
        await writer.submit(flaky, 1)
    assert flaky.calls >= 2


async def test_errors_that_will_not_go_away_are_not_retried(writer: GroupCommitWriter) -> None:
    writer.retry = FAST
    flaky = Flaky(1, OperationalError("INSERT ...", {}, sqlite3.OperationalError("no such table: t")))
    with pytest.raises(OperationalError, match="no such table"):
        await writer.submit(flaky, 1)
    assert flaky.calls == 1


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (locked_error(), True),
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error")), False),
        (IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_errors_are_transient(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient
