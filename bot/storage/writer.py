"""Group commit: many concurrent writes, one transaction.

Every answer the bot gives is recorded, and every vote saved, before the person
is told so. Done one transaction each, a busy bot spends its time waiting on
commits (and SQLite serialises them). Here callers submit a write and await it;
a single background task takes everything submitted so far, applies it in one
transaction and then wakes every caller. While one commit runs, the next batch
gathers, so batches grow exactly when the bot is busy and a quiet bot pays for
one small transaction. If a batch fails, its writes are retried one by one so
that one bad write (say, a vote on an answer that no longer exists) fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Write", "GroupCommitWriter"]

log = logging.getLogger(__name__)

#: Applies a run of same-kind writes inside an open transaction.
Apply = Callable[[Connection, Sequence["Write"]], None]


@dataclass(eq=False)
class Write:
    """One write: ``apply`` is shared by writes of a kind so that a run of them becomes one statement."""

    apply: Apply
    payload: Any
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupCommitWriter:
    """Serialises all writes of one process through batched transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pending: list[Write] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def submit(self, apply: Apply, payload: Any) -> None:
        """Queue one write and wait until it is committed (or raise its error)."""
        if self._closed:
            raise RuntimeError("the writer is closed")
        write = Write(apply, payload)
        self._pending.append(write)
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="group-commit-writer")
        await write.done

    async def close(self) -> None:
        """Commit what is queued, then stop."""
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while self._pending or not self._closed:
            if not self._pending:
                self._wake.clear()
                if self._closed:
                    return
                await self._wake.wait()
                continue
            batch, self._pending = self._pending, []
            await self._commit(batch)

    async def _commit(self, batch: list[Write]) -> None:
        try:
            async with self.engine.begin() as conn:
                await conn.run_sync(_apply_runs, batch)
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch, exc)
                return
            log.warning("a batch of %d writes failed; retrying them one by one", len(batch), exc_info=True)
            for write in batch:
                await self._commit([write])
            return
        _settle(batch, None)


def _apply_runs(conn: Connection, batch: list[Write]) -> None:
    for apply, run in groupby(batch, key=lambda w: w.apply):
        apply(conn, list(run))


def _settle(batch: list[Write], error: BaseException | None) -> None:
    """Wake the callers: success, or the error (a caller that gave up is skipped)."""
    for write in batch:
        if write.done.done():
            continue
        if error is None:
            write.done.set_result(None)
        else:
            write.done.set_exception(error)
