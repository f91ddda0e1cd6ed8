"""What the bot showed to whom, and what they thought of it.

Every write is one short transaction. Votes are upserts keyed on
(platform, user, recommendation, pick), so a replayed or repeated vote updates
the one row instead of adding another, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.feedback import SongVotes
from bot.replies import ItemRef, Pick, Sender
from bot.storage.models import Feedback, HandledUpdate, Recommendation, RecommendationPick, utcnow

__all__ = ["ShownAnswer", "History"]


@dataclass(frozen=True)
class ShownAnswer:
    """A stored recommendation, enough to page on from it or to vote on it."""

    id: int
    platform: str
    user_id: str
    chat_id: str
    query: str
    match_kind: str
    match_id: int
    page_offset: int
    arm: str
    pick_count: int


class History:
    """Recommendations shown and feedback, over one async engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(
        self,
        sender: Sender,
        *,
        query: str,
        match: ItemRef,
        picks: Sequence[Pick],
        song_keys: Sequence[str],
        arm: str,
        page_offset: int = 0,
    ) -> int:
        """Store an answer about to be shown; returns its id for buttons and votes."""
        async with self.engine.begin() as conn:
            rec_id = (
                await conn.execute(
                    Recommendation.__table__.insert().returning(Recommendation.id),
                    {
                        "platform": sender.platform,
                        "user_id": sender.user_id,
                        "chat_id": sender.chat_id,
                        "query": query,
                        "match_kind": match.kind,
                        "match_id": match.id,
                        "match_label": match.label,
                        "page_offset": page_offset,
                        "arm": arm,
                        "created_at": utcnow(),
                    },
                )
            ).scalar_one()
            if picks:
                await conn.execute(
                    RecommendationPick.__table__.insert(),
                    [
                        {
                            "recommendation_id": rec_id,
                            "rank": p.rank,
                            "song_key": key,
                            "title": p.title,
                            "artist": p.artist,
                            "distance": p.distance,
                        }
                        for p, key in zip(picks, song_keys, strict=True)
                    ],
                )
        return int(rec_id)

    async def attach_message(self, recommendation_id: int, message_id: str) -> None:
        """Remember which platform message shows a recommendation, for reactions on it."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(Recommendation).where(Recommendation.id == recommendation_id).values(message_id=message_id)
            )

    async def get(self, recommendation_id: int) -> ShownAnswer | None:
        return await self._one(Recommendation.id == recommendation_id)

    async def find_by_message(self, platform: str, chat_id: str, message_id: str) -> ShownAnswer | None:
        return await self._one(
            (Recommendation.platform == platform)
            & (Recommendation.chat_id == chat_id)
            & (Recommendation.message_id == message_id)
        )

    async def latest(self, platform: str, user_id: str, chat_id: str) -> ShownAnswer | None:
        """The newest answer shown to this person in this chat (for a bare "more")."""
        return await self._one(
            (Recommendation.platform == platform)
            & (Recommendation.user_id == user_id)
            & (Recommendation.chat_id == chat_id)
        )

    async def _one(self, condition) -> ShownAnswer | None:  # type: ignore[no-untyped-def]
        picks = (
            select(func.count())
            .where(RecommendationPick.recommendation_id == Recommendation.id)
            .scalar_subquery()
        )
        stmt = select(Recommendation, picks).where(condition).order_by(Recommendation.id.desc()).limit(1)
        async with self.engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        m = row._mapping
        return ShownAnswer(
            id=m["id"],
            platform=m["platform"],
            user_id=m["user_id"],
            chat_id=m["chat_id"],
            query=m["query"],
            match_kind=m["match_kind"],
            match_id=m["match_id"],
            page_offset=m["page_offset"],
            arm=m["arm"],
            pick_count=int(row[-1]),
        )

    async def vote(self, platform: str, user_id: str, recommendation_id: int, pick_rank: int, vote: int) -> None:
        """Set (``vote`` +1 or -1) or clear (0) one person's vote; idempotent."""
        if vote not in (-1, 0, 1):
            raise ValueError("vote must be -1, 0 or +1")
        key = {
            "platform": platform,
            "user_id": user_id,
            "recommendation_id": recommendation_id,
            "pick_rank": pick_rank,
        }
        async with self.engine.begin() as conn:
            if vote == 0:
                await conn.execute(delete(Feedback).filter_by(**key))
                return
            now = utcnow()
            stmt = _upsert(conn, Feedback).values(**key, vote=vote, created_at=now, updated_at=now)
            stmt = stmt.on_conflict_do_update(
                index_elements=["platform", "user_id", "recommendation_id", "pick_rank"],
                set_={"vote": vote, "updated_at": now},
            )
            await conn.execute(stmt)

    async def claim_update(self, platform: str, update_id: str) -> bool:
        """Mark an update handled; False when it already was (a redelivery to skip).

        One atomic insert-or-nothing, so two deliveries racing each other cannot both win.
        """
        async with self.engine.begin() as conn:
            stmt = (
                _upsert(conn, HandledUpdate)
                .values(platform=platform, update_id=update_id, handled_at=utcnow())
                .on_conflict_do_nothing(index_elements=["platform", "update_id"])
            )
            return (await conn.execute(stmt)).rowcount == 1

    async def prune_updates(self, before: datetime) -> int:
        """Forget updates handled before ``before``; returns how many went."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
        return result.rowcount or 0

    async def seen_and_disliked(self, platform: str, user_id: str) -> tuple[set[str], set[str]]:
        """Song keys this person was shown, and those they voted 👎 (directly or on a whole answer)."""
        rec, pick = Recommendation.__table__, RecommendationPick.__table__
        shown = (
            select(pick.c.song_key)
            .join(rec, rec.c.id == pick.c.recommendation_id)
            .where(rec.c.platform == platform, rec.c.user_id == user_id)
            .distinct()
        )
        disliked = (
            select(pick.c.song_key)
            .join(Feedback, _votes_on_pick(pick))
            .where(Feedback.platform == platform, Feedback.user_id == user_id, Feedback.vote < 0)
            .distinct()
        )
        async with self.engine.connect() as conn:
            seen = set((await conn.execute(shown)).scalars())
            down = set((await conn.execute(disliked)).scalars())
        return seen, down

    async def song_votes(self) -> dict[str, SongVotes]:
        """For every voted song, how many distinct people voted it up and down."""
        pick = RecommendationPick.__table__
        per_person = (
            select(pick.c.song_key, Feedback.platform, Feedback.user_id, Feedback.vote)
            .join(Feedback, _votes_on_pick(pick))
            .distinct()
            .subquery()
        )
        stmt = select(per_person.c.song_key, per_person.c.vote, func.count()).group_by(
            per_person.c.song_key, per_person.c.vote
        )
        counts: dict[str, dict[int, int]] = {}
        async with self.engine.connect() as conn:
            for key, vote, n in await conn.execute(stmt):
                counts.setdefault(key, {})[vote] = n
        return {key: SongVotes(up=c.get(1, 0), down=c.get(-1, 0)) for key, c in counts.items()}

    async def forget(self, platform: str, user_id: str) -> int:
        """Delete every row about one person; returns how many rows went."""
        async with self.engine.begin() as conn:
            own = select(Recommendation.id).where(
                (Recommendation.platform == platform) & (Recommendation.user_id == user_id)
            )
            deleted = 0
            for stmt in (
                delete(Feedback).where((Feedback.platform == platform) & (Feedback.user_id == user_id)),
                delete(Feedback).where(Feedback.recommendation_id.in_(own)),
                delete(RecommendationPick).where(RecommendationPick.recommendation_id.in_(own)),
                delete(Recommendation).where(
                    (Recommendation.platform == platform) & (Recommendation.user_id == user_id)
                ),
            ):
                deleted += (await conn.execute(stmt)).rowcount or 0
        return deleted


def _upsert(conn: AsyncConnection, model: type):  # type: ignore[no-untyped-def]
    """The dialect's INSERT that takes ON CONFLICT clauses (SQLite and PostgreSQL spell them alike)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _votes_on_pick(pick):  # type: ignore[no-untyped-def]
    """Join condition: a vote on this pick itself, or on the whole answer that showed it."""
    return and_(
        Feedback.recommendation_id == pick.c.recommendation_id,
        or_(Feedback.pick_rank == 0, Feedback.pick_rank == pick.c.rank),
    )
