"""Alembic environment for kpop-bot.

Two ways in: the application passes its own (sync-wrapped) connection through
``config.attributes["connection"]`` so migrations run inside the running event
loop on start; the ``alembic`` command line gets no connection and builds an
async engine from ``sqlalchemy.url`` (or ``KPOP_DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_new_engine() -> None:
    section = config.get_section(config.config_ini_section, {})
    url = os.environ.get("KPOP_DATABASE_URL") or section.get("sqlalchemy.url")
    if not url:
        raise SystemExit("set KPOP_DATABASE_URL (or sqlalchemy.url in alembic.ini)")
    section["sqlalchemy.url"] = url
    engine = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (shared := config.attributes.get("connection")) is not None:
    _configure_and_run(shared)
else:
    asyncio.run(_run_with_new_engine())
