"""Group commit on both engines: concurrent writes share transactions, and a bad write fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.engine import create_engine
from bot.storage.writer import GroupCommitWriter, Write

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
