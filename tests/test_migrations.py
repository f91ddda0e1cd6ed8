"""The schema exists only through Alembic; these tests run the real migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage.engine import alembic_config, create_engine, migrate, open_database, StorageError
from bot.storage.models import Base


async def test_fresh_database_is_created_and_migrated(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "dir" / "bot.db"
    engine = await open_database(f"sqlite+aiosqlite:///{db}")
    try:
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
    finally:
        await engine.dispose()
    assert db.exists()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert mode == "wal"


async def test_migrations_match_the_models_and_round_trip(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")

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


async def test_unopenable_database_gives_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError, match="could not open or migrate"):
        await open_database(f"sqlite+aiosqlite:///{blocker / 'bot.db'}")
