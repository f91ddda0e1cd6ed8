"""Opening the database: engine settings per dialect and migrations on start.

SQLite is the default (a file, created on first run), so its connections get the
pragmas that make a small bot robust: WAL so readers never block the writer,
a busy timeout so a briefly locked file waits instead of failing, and foreign
keys switched on. PostgreSQL (``postgresql+asyncpg://``, the ``postgres``
extra) gets sessions in UTC, the zone SQLite's stored times are in, so SQL date
arithmetic (the report's days) gives the same answer on both. Any other URL is
used as given.

Several bot processes may share one database and start together; migrations
take a lock (see :func:`migrate`) so that exactly one of them creates the schema.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from importlib import resources
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


__all__ = ["create_engine", "migrate", "open_database", "database", "alembic_config", "describe_url", "StorageError"]

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 5000
#: The PostgreSQL advisory lock held while migrating: any fixed 64-bit number ("kpopbot" in ASCII).
MIGRATION_LOCK_KEY = int.from_bytes(b"kpopbot", "big")


class StorageError(Exception):
    """The database could not be opened or migrated; the message is fit for the operator."""


def describe_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _postgresql_session(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; for a SQLite file, its directory is created first.

    ``hide_parameters``: a failed statement's error names its SQL but not its values, which
    hold what people typed and their platform ids; errors are logged, and logs are kept.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    if backend == "postgresql":
        event.listen(engine.sync_engine, "connect", _postgresql_session)
    return engine


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the installed ``migrations`` package.

    Its folder is found as package data, not imported: the migration scripts depend on
    :mod:`bot.storage.models`, and storage only hands their folder to Alembic.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("migrations")))
    return cfg


def _one_migration_at_a_time(connection: Connection) -> None:
    """Hold a database-wide lock for the rest of the migration's transaction.

    Two workers started together on an empty database would otherwise both find
    no schema and both create it, and the slower one would fail with "table
    already exists". With the lock the second waits, then finds the schema
    current and has nothing to do. PostgreSQL has advisory locks for this.
    SQLite's Python driver opens a transaction only before INSERT, UPDATE or
    DELETE, so DDL would run outside any; ``BEGIN IMMEDIATE`` takes the write
    lock up front (a second process waits for it up to the busy timeout) and
    makes the migration one transaction there too.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` through the real Alembic migrations, one process at a time."""

    def upgrade(connection: Connection) -> None:
        _one_migration_at_a_time(connection)
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)


async def open_database(url: str) -> AsyncEngine:
    """Create the engine and migrate; failures become one clear :class:`StorageError`."""
    def failure(exc: BaseException) -> StorageError:
        return StorageError(f"could not open or migrate the database at {describe_url(url)}: {exc}")

    try:
        engine = create_engine(url)
    except OSError as exc:
        raise failure(exc) from exc
    try:
        await migrate(engine)
    except Exception as exc:  # driver errors differ per dialect; the operator needs one message
        await engine.dispose()
        raise failure(exc) from exc
    log.info("database ready at %s", describe_url(url))
    return engine


@asynccontextmanager
async def database(url: str) -> AsyncIterator[AsyncEngine]:
    """The migrated database at ``url`` for the block's duration (see :func:`open_database`), then closed."""
    engine = await open_database(url)
    try:
        yield engine
    finally:
        await engine.dispose()
