"""The platform updates already handled, so that one delivered again is skipped.

A platform delivers an update again when the bot stopped between handling it
and confirming it. Claiming goes through the group-commit writer like answers
and votes, so it costs a statement, not a transaction of its own, and is tried
once: the caller would rather handle an update twice than not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import HandledUpdate, utcnow
from bot.storage.writer import GroupCommitWriter, Write, dialect_insert

__all__ = ["UpdateLedger"]


class UpdateLedger:
    """Claims of handled updates per platform, over one engine."""

    def __init__(self, engine: AsyncEngine, writer: GroupCommitWriter) -> None:
        self.engine = engine
        self.writer = writer

    async def claim(self, platform: str, update_id: str) -> bool:
        """Mark an update handled; False when it already was (a redelivery to skip).

        An insert-or-nothing, so two deliveries racing each other cannot both win.
        """
        claim = _Claim(platform, update_id)
        await self.writer.submit(_insert_claims, claim, retry_for=0)
        return claim.won

    async def prune(self, before: datetime) -> int:
        """Forget updates handled before ``before``; returns how many went."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
        return result.rowcount or 0


@dataclass
class _Claim:
    platform: str
    update_id: str
    won: bool = False


def _insert_claims(conn: Connection, writes: Sequence[Write]) -> None:
    """A run of update claims, one statement each: each needs to know whether its row went in."""
    now = utcnow()
    for write in writes:
        claim: _Claim = write.payload
        stmt = (
            dialect_insert(conn, HandledUpdate)
            .values(platform=claim.platform, update_id=claim.update_id, handled_at=now)
            .on_conflict_do_nothing(index_elements=["platform", "update_id"])
        )
        claim.won = conn.execute(stmt).rowcount == 1
