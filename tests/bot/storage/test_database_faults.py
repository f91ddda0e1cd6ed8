"""Database faults through the core: a SQLite file another process keeps locked, a PostgreSQL
server that goes away and comes back, and connections the server kills.

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
import re
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.chat.core import KpopCore
from bot.chat.messages import VOTE_NOT_SAVED
from bot.chat.replies import AnswerKind, Sender
from bot.storage import engine as storage_engine
from bot.storage.engine import create_engine
from bot.storage.models import Feedback
from bot.storage.writer import Retry
from tests.support.fixtures.core import CoreFactory
from bot.storage.scratch_postgres import PostgresServer
from tests.support.tcp_proxy import TcpProxy

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
RETRY_LOGGED = re.compile(r"(\d+) will be tried again")
TIMEOUT = 30.0  # generous: the machine may be busy; the waits end as soon as their condition holds


class LockHolder:
    """A SQLite fault: another process holds the database's write lock (``BEGIN IMMEDIATE``).

    Readers are not blocked (WAL), so what needs only reading still works.
    """

    reads_work = True

    def __init__(self, database: Path) -> None:
        self.database = database
        self.process: asyncio.subprocess.Process | None = None

    async def begin(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCKER, str(self.database),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)
        assert line.strip() == b"locked", line

    async def end(self) -> None:
        if self.process is None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert await asyncio.wait_for(self.process.wait(), TIMEOUT) == 0
        self.process = None


class ServerAway:
    """A PostgreSQL fault: the server goes away (connections drop, new ones are refused), then comes back."""

    reads_work = False

    def __init__(self, proxy: TcpProxy) -> None:
        self.proxy = proxy

    async def begin(self) -> None:
        await self.proxy.cut()

    async def end(self) -> None:
        await self.proxy.restore()


Fault = LockHolder | ServerAway


@pytest.fixture
async def proxied_postgres(postgres_database_url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    """An empty PostgreSQL database reached through a proxy the test can cut: (URL through it, proxy)."""
    url = make_url(postgres_database_url)
    assert url.host is not None and url.port is not None
    proxy = TcpProxy(url.host, url.port)
    await proxy.start()
    yield url.set(port=proxy.port).render_as_string(hide_password=False), proxy
    await proxy.stop()


@pytest.fixture(params=["sqlite-locked", "postgresql-away"])
def fault_and_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Fault, str | None]:
    """A fault that can befall a database, and the database's URL (None: the test core's SQLite file)."""
    if request.param == "sqlite-locked":
        monkeypatch.setattr(storage_engine, "SQLITE_BUSY_TIMEOUT_MS", 50)  # a lock fails a try in 50 ms
        return LockHolder(tmp_path / "bot.db"), None
    url, proxy = request.getfixturevalue("proxied_postgres")
    return ServerAway(proxy), url


@pytest.fixture
async def faulty(
    fault_and_url: tuple[Fault, str | None], make_core: CoreFactory
) -> AsyncIterator[tuple[KpopCore, Fault]]:
    """A core and a fault of its database (not yet begun; ended after the test)."""
    fault, url = fault_and_url
    yield await make_core(database_url=url), fault
    await fault.end()


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
    """How many failed tries the writer logged that left writes to be tried again."""
    logged = (RETRY_LOGGED.search(r.getMessage()) for r in caplog.records if r.name == "bot.storage.writer")
    return sum(1 for found in logged if found and int(found[1]) > 0)


async def test_a_database_fault_costs_vote_buttons_and_votes_but_no_answers_and_no_restart(
    faulty: tuple[KpopCore, Fault], caplog: pytest.LogCaptureFixture
) -> None:
    core, fault = faulty
    core.history.writer.retry = Retry(seconds=1.0, first_pause=0.01, max_pause=0.05)
    before = await core.recommend(ALICE, "Blinding Lights")
    assert before.recommendation_id is not None

    caplog.set_level(logging.WARNING, logger="bot.storage.writer")
    await fault.begin()
    known = await core.recommend(ALICE, "Starboy")  # a person in memory
    new = await core.recommend(BOB, "Shape of You")  # a person whose history must be read
    vote = await core.vote(ALICE, before.recommendation_id, 1)
    more = await core.handle_text(ALICE, "/kpop more")  # needs the stored answer

    for answer in (known, new):
        assert answer.kind == AnswerKind.PICKS and answer.picks
        assert answer.recommendation_id is None  # not recorded, so no vote buttons
        assert "I couldn't save this answer, so votes on it won't count." in answer.notes
    assert (vote.kind, vote.text) == (AnswerKind.ERROR, VOTE_NOT_SAVED)
    assert retries_logged(caplog) >= 1  # the vote was tried again before giving up
    if fault.reads_work:
        assert more.kind == AnswerKind.PICKS and more.recommendation_id is None
    else:
        assert more.kind == AnswerKind.ERROR and "Please try again" in more.text

    await fault.end()  # the same core and engine: nothing is restarted
    again = await core.vote(ALICE, before.recommendation_id, 1)
    after = await core.recommend(BOB, "Shape of You")
    assert again.kind == AnswerKind.INFO and after.recommendation_id is not None
    assert await saved_votes(core) == {("alice", before.recommendation_id): 1}


async def test_a_vote_during_a_short_fault_is_saved_when_it_ends(
    faulty: tuple[KpopCore, Fault], caplog: pytest.LogCaptureFixture
) -> None:
    core, fault = faulty
    core.history.writer.retry = Retry(seconds=TIMEOUT, first_pause=0.01, max_pause=0.05)
    shown = await core.recommend(ALICE, "Blinding Lights")
    assert shown.recommendation_id is not None

    caplog.set_level(logging.WARNING, logger="bot.storage.writer")
    await fault.begin()
    vote = asyncio.create_task(core.vote(ALICE, shown.recommendation_id, -1))
    await until(lambda: retries_logged(caplog) >= 2)
    # answers are not held up behind the vote that is being retried
    meanwhile = await asyncio.wait_for(core.recommend(BOB, "Starboy"), TIMEOUT)
    assert meanwhile.kind == AnswerKind.PICKS and not vote.done()
    await fault.end()

    assert (await asyncio.wait_for(vote, TIMEOUT)).kind == AnswerKind.INFO
    assert await saved_votes(core) == {("alice", shown.recommendation_id): -1}
    # and the 👎 counts at once: none of those picks come back for Alice
    later = await core.recommend(ALICE, "Blinding Lights")
    assert not {p.song_id for p in later.picks} & {p.song_id for p in shown.picks}


async def test_connections_killed_by_the_server_are_replaced_without_losing_a_vote(
    postgres_server: PostgresServer, postgres_database_url: str, make_core: CoreFactory
) -> None:
    core = await make_core(database_url=postgres_database_url)
    shown = await core.recommend(ALICE, "Blinding Lights")
    assert shown.recommendation_id is not None

    admin = create_engine(postgres_server.url(postgres_server.admin_url.database or "postgres"))
    try:
        async with admin.connect() as conn:
            killed = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": make_url(postgres_database_url).database},
            )
    finally:
        await admin.dispose()
    assert killed >= 1  # the bot's pooled connections, now dead

    vote = await core.vote(ALICE, shown.recommendation_id, 1)
    answer = await core.recommend(BOB, "Starboy")
    assert vote.kind == AnswerKind.INFO and answer.recommendation_id is not None
    assert await saved_votes(core) == {("alice", shown.recommendation_id): 1}
