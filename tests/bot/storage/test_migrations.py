"""The schema exists only through Alembic; these tests run the real migrations on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url

from bot.storage.engine import alembic_config, create_engine, migrate, open_database, StorageError
from bot.storage.models import Base


async def tables_of(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_an_empty_database_is_migrated_on_open(any_database_url: str) -> None:
    engine = await open_database(any_database_url)
    await engine.dispose()
    tables = await tables_of(any_database_url)
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


async def test_a_new_sqlite_file_gets_its_directory_and_wal(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "dir" / "bot.db"
    engine = await open_database(f"sqlite+aiosqlite:///{db}")
    try:
        async with engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
    finally:
        await engine.dispose()
    assert db.exists()
    assert mode == "wal"


async def test_migrations_match_the_models_and_round_trip(any_database_url: str) -> None:
    engine = create_engine(any_database_url)

    def check(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises if the models hold anything the migrations do not

    def downgrade(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")

    try:
        await migrate(engine)
        async with engine.begin() as conn:
            await conn.run_sync(check)
            await conn.run_sync(downgrade)
            remaining = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert set(remaining) <= {"alembic_version"}
        await migrate(engine)  # and up again
        await migrate(engine)  # idempotent
    finally:
        await engine.dispose()


async def test_an_unopenable_database_gives_one_clear_error(any_database_url: str, tmp_path: Path) -> None:
    url = make_url(any_database_url)
    if url.get_backend_name() == "sqlite":
        blocker = tmp_path / "file"
        blocker.write_text("not a directory")
        unopenable = url.set(database=str(blocker / "bot.db"))
    else:
        unopenable = url.set(database=f"{url.database}_missing")
    with pytest.raises(StorageError, match="could not open or migrate") as caught:
        await open_database(unopenable.render_as_string(hide_password=False))
    if url.password:
        assert url.password not in str(caught.value)
