"""Group commit: many concurrent writes, one transaction, retried through brief outages.

Every answer the bot gives is recorded, and every vote saved, before the person
is told so. Done one transaction each, a busy bot spends its time waiting on
commits (and SQLite serialises them). Here callers submit a write and await it;
a single background task takes everything submitted so far, applies it in one
transaction and then wakes every caller. While one commit runs, the next batch
gathers, so batches grow exactly when the bot is busy and a quiet bot pays for
one small transaction. If a batch fails, its writes are retried one by one so
that one bad write (say, a vote on an answer that no longer exists) fails alone.

A database that is briefly unavailable (a SQLite file another process holds
locked past the busy timeout, a PostgreSQL server restarting or a dropped
connection) fails a whole batch with a *transient* error. Such a batch is tried
again after a growing pause, with whatever was submitted meanwhile, until each
write's own retry budget is spent; then that write's caller gets the error. A
caller that must not wait (an answer that is about to be shown) passes a budget
of zero: one attempt. Retrying here, not in every caller, keeps the policy in
one place and lets one retry serve a whole batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Write", "Retry", "GroupCommitWriter", "is_transient", "dialect_insert"]

log = logging.getLogger(__name__)

#: Applies a run of same-kind writes inside an open transaction.
Apply = Callable[[Connection, Sequence["Write"]], None]

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
#: PostgreSQL SQLSTATEs worth another try: serialization failure, deadlock, shutdown, restart, too many connections.
_PG_TRANSIENT = {"40001", "40P01", "57P01", "57P02", "57P03", "53300"}


def is_transient(exc: BaseException) -> bool:
    """True for errors that say "not now" rather than "never": trying again later may succeed."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:  # the connection dropped under the statement
            return True
        orig = exc.orig
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:  # extended codes keep the primary code in the low byte
            return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if isinstance(state, str):
            return state.startswith("08") or state in _PG_TRANSIENT  # class 08: connection exception
        return False
    return isinstance(exc, OSError)  # no connection at all: refused, reset, timed out


@dataclass(frozen=True)
class Retry:
    """How long a write is retried after transient errors, and the pauses between tries.

    ``seconds`` is each write's budget from its submission; a SQLite attempt
    itself waits up to the busy timeout, so with the default five seconds a
    vote gets two or three tries against a locked file before its caller hears
    of it. Pauses double from ``first_pause`` up to ``max_pause``.
    """

    seconds: float = 10.0
    first_pause: float = 0.05
    max_pause: float = 1.0

    def pause(self, failures: int) -> float:
        return min(self.max_pause, self.first_pause * 2 ** (failures - 1))


@dataclass(eq=False)
class Write:
    """One write: ``apply`` is shared by writes of a kind so that a run of them becomes one statement."""

    apply: Apply
    payload: Any
    deadline: float  # event-loop time after which a transient failure is final
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupCommitWriter:
    """Serialises all writes of one process through batched transactions."""

    def __init__(self, engine: AsyncEngine, retry: Retry | None = None) -> None:
        self.engine = engine
        self.retry = retry or Retry()
        self._pending: list[Write] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def submit(self, apply: Apply, payload: Any, *, retry_for: float | None = None) -> None:
        """Queue one write and wait until it is committed (or raise its error).

        ``retry_for`` overrides the writer's retry budget for this write (0: one attempt).
        """
        if self._closed:
            raise RuntimeError("the writer is closed")
        budget = self.retry.seconds if retry_for is None else retry_for
        write = Write(apply, payload, asyncio.get_running_loop().time() + budget)
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
            await self._commit(batch, gather=True)

    async def _commit(self, batch: list[Write], *, gather: bool) -> None:
        """Commit ``batch``; with ``gather``, writes submitted during retries join it."""
        failures = 0
        while batch:
            try:
                async with self.engine.begin() as conn:
                    await conn.run_sync(_apply_runs, batch)
            except Exception as exc:
                if is_transient(exc):
                    failures += 1
                    now = asyncio.get_running_loop().time()
                    expired = [w for w in batch if w.deadline <= now]
                    _settle(expired, exc)
                    batch = [w for w in batch if w.deadline > now]
                    log.warning(
                        "the database is unavailable (%s): %d writes failed, %d will be tried again",
                        type(exc).__name__, len(expired), len(batch),  # fmt: skip
                    )
                    if batch:
                        await asyncio.sleep(self.retry.pause(failures))
                    if gather:
                        batch, self._pending = batch + self._pending, []
                    continue
                if len(batch) == 1:
                    _settle(batch, exc)
                    return
                log.warning("a batch of %d writes failed; retrying them one by one", len(batch), exc_info=True)
                for write in batch:
                    await self._commit([write], gather=False)
                return
            if failures:
                log.info("the database is back after %d failed tries", failures)
            _settle(batch, None)
            return


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


def dialect_insert(conn: Connection, model: type) -> Any:
    """The dialect's INSERT, which takes ON CONFLICT clauses (SQLite and PostgreSQL spell them alike).

    Writes applied in a batch use it to be idempotent: a replayed write updates or skips its row.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)
