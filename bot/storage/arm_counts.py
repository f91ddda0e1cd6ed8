"""The A/B test's raw counts, per arm and per day: the report's only reads of the database.

The statistics (intervals, tests, the trend) are :mod:`bot.ops.report`'s; here
are the three aggregate queries they start from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import Feedback, Recommendation

__all__ = ["ArmCounts", "DayCounts", "count_arms"]


@dataclass(frozen=True)
class ArmCounts:
    """One arm: distinct people shown answers, answers shown, and 👍 and 👎 votes on them."""

    people: int = 0
    answers: int = 0
    ups: int = 0
    downs: int = 0


class DayCounts(NamedTuple):
    """The 👍 and 👎 votes one arm's answers got on one day (by when the vote was last changed, UTC)."""

    day: date
    arm: str
    ups: int
    downs: int


async def count_arms(engine: AsyncEngine) -> tuple[dict[str, ArmCounts], list[DayCounts]]:
    """Every arm that was shown, with its counts, and the votes per day and arm in day order."""
    rec = Recommendation
    up = func.sum(case((Feedback.vote > 0, 1), else_=0))
    down = func.sum(case((Feedback.vote < 0, 1), else_=0))
    shown = select(
        rec.arm, func.count(distinct(rec.platform + ":" + rec.user_id)), func.count(rec.id)
    ).group_by(rec.arm)
    voted = select(rec.arm, up, down).join(Feedback, Feedback.recommendation_id == rec.id).group_by(rec.arm)
    day = func.date(Feedback.updated_at)
    by_day = (
        select(day, rec.arm, up, down)
        .join(Feedback, Feedback.recommendation_id == rec.id)
        .group_by(day, rec.arm)
        .order_by(day)
    )
    async with engine.connect() as conn:
        shown_rows = {arm: (users, answers) for arm, users, answers in await conn.execute(shown)}
        voted_rows = {arm: (int(u or 0), int(d or 0)) for arm, u, d in await conn.execute(voted)}
        daily = [
            DayCounts(d if isinstance(d, date) else date.fromisoformat(str(d)), arm, int(u or 0), int(n or 0))
            for d, arm, u, n in await conn.execute(by_day)
        ]
    arms = {
        arm: ArmCounts(*shown_rows.get(arm, (0, 0)), *voted_rows.get(arm, (0, 0)))
        for arm in shown_rows.keys() | voted_rows.keys()
    }
    return arms, daily
