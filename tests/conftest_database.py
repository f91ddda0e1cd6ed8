"""Database fixtures: storage, feedback and experiment tests run on SQLite and on a real PostgreSQL.

A plugin of tests/conftest.py. ``any_database_url`` is parametrised over both
engines and gives each test an empty database of its own: a SQLite file in
``tmp_path``, or an emptied database on one PostgreSQL server shared by the
whole session (a private throwaway cluster, see tests/postgres_server.py, or the
server at ``KPOP_TEST_POSTGRES_URL``). Where no server can be had the
PostgreSQL cases are skipped with the reason, unless
``KPOP_TEST_POSTGRES_REQUIRED=1`` (as in CI), where they fail instead: a CI
run must not pass by skipping half of the storage tests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

import pytest

from tests.postgres_server import URL_VARIABLE, PostgresServer, PostgresUnavailable, private_server, server_from_url

REQUIRED_VARIABLE = "KPOP_TEST_POSTGRES_REQUIRED"
ENGINES = ["sqlite", "postgresql"]


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRED_VARIABLE) == "1":
        pytest.fail(f"{REQUIRED_VARIABLE}=1 but no PostgreSQL server: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server for the session: ``KPOP_TEST_POSTGRES_URL``'s, or a private cluster started here."""
    if url := os.environ.get(URL_VARIABLE):
        server = server_from_url(url)
        yield server
        asyncio.run(server.drop_databases())  # leave a shared server as we found it
        return
    with ExitStack() as stack:
        try:
            server = stack.enter_context(private_server())
        except PostgresUnavailable as exc:  # only starting may skip; a failure to stop is an error
            _unavailable(str(exc))
        yield server


@pytest.fixture
async def postgres_database_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """An empty PostgreSQL database for this test alone (emptied again afterwards)."""
    url = await postgres_server.take_database()
    yield url
    await postgres_server.give_back(url)


@pytest.fixture(params=ENGINES)
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per engine: a SQLite file, then a PostgreSQL database."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_database_url")
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
