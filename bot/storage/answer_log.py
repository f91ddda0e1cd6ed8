"""The answers shown to people: recorded as they go out, found again for "more", votes and reactions.

An answer is recorded through the group-commit writer and tried once: someone
is waiting for it, and a missing record only costs its vote buttons. Its picks
are stored by their stable song key and display text, so stored answers
outlive rebuilds of the catalogue.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import Recommendation, RecommendationPick, utcnow
from bot.storage.writer import GroupCommitWriter, Write

__all__ = ["PickRecord", "AnswerRecord", "ShownAnswer", "AnswerLog", "new_id"]

_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def new_id() -> int:
    """A time-ordered 63-bit id: milliseconds since 2026 above 22 random bits.

    Ids sort by creation time (so "the latest answer" is the largest id) and two
    processes writing to one database collide with negligible probability (four
    million ids a millisecond), without asking the database for a sequence.
    """
    return ((time.time_ns() // 1_000_000 - _EPOCH_MS) << 22) | secrets.randbits(22)


@dataclass(frozen=True)
class PickRecord:
    """One pick of an answer as stored: its place, the song's stable key and what was shown."""

    rank: int
    song_key: str
    title: str
    artist: str
    distance: float | None  # None for a random pick


@dataclass(frozen=True)
class AnswerRecord:
    """An answer about to be shown: who asked where, what they asked, what it matched and its picks."""

    platform: str
    user_id: str
    chat_id: str
    query: str
    match_kind: str
    match_id: int
    match_label: str
    arm: str
    picks: Sequence[PickRecord]
    page_offset: int = 0


@dataclass(frozen=True)
class ShownAnswer:
    """A stored recommendation, enough to page on from it or to vote on it, and where it was shown."""

    id: int
    platform: str
    user_id: str
    chat_id: str
    query: str
    match_kind: str
    match_id: int
    match_label: str  # "title — artist" as answered: what the match was, whatever row it is in a later build
    page_offset: int
    pick_count: int

    def shown_in(self, platform: str, chat_id: str) -> bool:
        """Whether this answer was shown in that chat (anyone there may page on from it or vote)."""
        return (self.platform, self.chat_id) == (platform, chat_id)


class AnswerLog:
    """Answers shown, over one engine; writes share the history's group-commit writer."""

    def __init__(self, engine: AsyncEngine, writer: GroupCommitWriter) -> None:
        self.engine = engine
        self.writer = writer

    async def record(self, answer: AnswerRecord) -> int:
        """Store an answer about to be shown; returns its id for buttons and votes."""
        rec_id = new_id()
        row = {
            "id": rec_id,
            "platform": answer.platform,
            "user_id": answer.user_id,
            "chat_id": answer.chat_id,
            "query": answer.query,
            "match_kind": answer.match_kind,
            "match_id": answer.match_id,
            "match_label": answer.match_label,
            "page_offset": answer.page_offset,
            "arm": answer.arm,
            "created_at": utcnow(),
        }
        picks = [
            {
                "recommendation_id": rec_id,
                "rank": p.rank,
                "song_key": p.song_key,
                "title": p.title,
                "artist": p.artist,
                "distance": p.distance,
            }
            for p in answer.picks
        ]
        await self.writer.submit(_insert_answers, (row, picks), retry_for=0)
        return rec_id

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

    async def pages_end(self, answer: ShownAnswer, platform: str, user_id: str, chat_id: str) -> int:
        """Where the pages of ``answer``'s match end for one person in one chat: the rank after the
        last pick shown to them there since ``answer`` (``answer``'s own end when there is none).

        "More" continues from here, so pressing it again, or on an older page, goes on to picks not
        yet numbered instead of numbering from the pressed answer again.
        """
        picks = (
            select(func.count())
            .where(RecommendationPick.recommendation_id == Recommendation.id)
            .scalar_subquery()
        )
        stmt = select(func.max(Recommendation.page_offset + picks)).where(
            (Recommendation.platform == platform)
            & (Recommendation.user_id == user_id)
            & (Recommendation.chat_id == chat_id)
            & (Recommendation.match_kind == answer.match_kind)
            & (Recommendation.match_id == answer.match_id)
            & (Recommendation.id >= answer.id)
        )
        async with self.engine.connect() as conn:
            end = (await conn.execute(stmt)).scalar()
        return max(answer.page_offset + answer.pick_count, int(end or 0))

    async def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> int:
        """Answers shown in a chat that now has another id (a Telegram group upgraded to a
        supergroup) move with it; returns how many."""
        stmt = (
            update(Recommendation)
            .where((Recommendation.platform == platform) & (Recommendation.chat_id == old_chat_id))
            .values(chat_id=new_chat_id)
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount or 0

    async def latest(self, platform: str, user_id: str, chat_id: str) -> ShownAnswer | None:
        """The newest answer shown to this person in this chat (for a bare "more")."""
        return await self._one(
            (Recommendation.platform == platform)
            & (Recommendation.user_id == user_id)
            & (Recommendation.chat_id == chat_id)
        )

    async def _one(self, condition: Any) -> ShownAnswer | None:
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
            match_label=m["match_label"],
            page_offset=m["page_offset"],
            pick_count=int(row[-1]),
        )


def _insert_answers(conn: Connection, writes: Sequence[Write]) -> None:
    """A run of recorded answers: two statements, however many answers."""
    conn.execute(Recommendation.__table__.insert(), [w.payload[0] for w in writes])
    picks = [pick for w in writes for pick in w.payload[1]]
    if picks:
        conn.execute(RecommendationPick.__table__.insert(), picks)
