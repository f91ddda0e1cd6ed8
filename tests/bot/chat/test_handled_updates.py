"""Handled-update claims, the service the Telegram adapter is handed: each update handled at most once, old claims go."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.chat.core import KpopCore
from bot.chat.updates import UPDATE_RETENTION, HandledUpdates
from bot.storage.models import HandledUpdate, utcnow


async def claims(core: KpopCore) -> int:
    async with core.history.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(HandledUpdate))).scalar_one()


async def test_an_update_is_claimed_once_per_platform(core: KpopCore) -> None:
    updates = HandledUpdates(core.history.updates)
    assert await updates.claim("telegram", 41)
    assert not await updates.claim("telegram", 41)
    assert not await updates.claim("telegram", "41")  # the same id, however it is spelt
    assert await updates.claim("discord", 41)
    assert await updates.claim("telegram", 42)
    assert await claims(core) == 3


async def test_concurrent_deliveries_of_one_update_have_one_winner(core: KpopCore) -> None:
    updates = HandledUpdates(core.history.updates)
    results = await asyncio.gather(*(updates.claim("telegram", 7) for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_claims_older_than_the_retention_are_pruned(core: KpopCore, monkeypatch: pytest.MonkeyPatch) -> None:
    updates = HandledUpdates(core.history.updates)
    assert await updates.claim("telegram", 1)
    assert await updates.claim("telegram", 2)
    async with core.history.engine.begin() as conn:  # update 1 was handled long ago
        await conn.execute(
            update(HandledUpdate)
            .where(HandledUpdate.update_id == "1")
            .values(handled_at=utcnow() - UPDATE_RETENTION - timedelta(minutes=1))
        )
    assert await updates.claim("telegram", 3)  # pruning waits for its hourly turn
    assert await claims(core) == 3

    monkeypatch.setattr("bot.chat.updates.UPDATE_PRUNE_SECONDS", 0.0)  # its turn has come
    assert await updates.claim("telegram", 4)
    async with core.history.engine.connect() as conn:
        kept = set((await conn.execute(select(HandledUpdate.update_id))).scalars())
    assert kept == {"2", "3", "4"}


async def test_an_unreachable_database_handles_the_update_anyway(core: KpopCore, caplog: pytest.LogCaptureFixture) -> None:
    updates = HandledUpdates(core.history.updates)
    async with core.history.engine.begin() as conn:
        await conn.exec_driver_sql("DROP TABLE handled_updates")
    assert await updates.claim("telegram", 5)
    assert await updates.claim("telegram", 5)  # no record, so no way to know
    assert "handling it anyway" in caplog.text
