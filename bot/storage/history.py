"""What the bot showed to whom, and what they thought of it.

Answers and votes go through one :class:`~bot.storage.writer.GroupCommitWriter`:
each caller waits for its own write to be committed, and concurrent writes
share a transaction. Votes are retried through brief outages (see
:class:`~bot.storage.writer.Retry`); answers and update claims are tried once,
because someone is waiting for the answer and a missing record only costs its
vote buttons. Votes are upserts keyed on (platform, user,
recommendation, pick), so a replayed or repeated vote updates the one row
instead of adding another, on SQLite and PostgreSQL alike, also when several
bot processes share the database.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, literal, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.votes.policy import SongVotes
from bot.chat.replies import ItemRef, Pick, Sender
from bot.storage.models import Feedback, HandledUpdate, Recommendation, RecommendationPick, utcnow
from bot.storage.writer import GroupCommitWriter, Retry, Write

__all__ = ["ShownAnswer", "History", "new_id"]

_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def new_id() -> int:
    """A time-ordered 63-bit id: milliseconds since 2026 above 22 random bits.

    Ids sort by creation time (so "the latest answer" is the largest id) and two
    processes writing to one database collide with negligible probability (four
    million ids a millisecond), without asking the database for a sequence.
    """
    return ((time.time_ns() // 1_000_000 - _EPOCH_MS) << 22) | secrets.randbits(22)


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

    def __init__(self, engine: AsyncEngine, retry: Retry | None = None) -> None:
        self.engine = engine
        self.writer = GroupCommitWriter(engine, retry)

    async def close(self) -> None:
        """Commit queued writes; the engine itself belongs to whoever opened it."""
        await self.writer.close()

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
        rec_id = new_id()
        answer = {
            "id": rec_id,
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
        }
        shown = [
            {
                "recommendation_id": rec_id,
                "rank": p.rank,
                "song_key": key,
                "title": p.title,
                "artist": p.artist,
                "distance": p.distance,
            }
            for p, key in zip(picks, song_keys, strict=True)
        ]
        await self.writer.submit(_insert_answers, (answer, shown), retry_for=0)
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
        key = (platform, user_id, recommendation_id, pick_rank)
        await self.writer.submit(_apply_votes, (key, vote))

    async def retract(self, platform: str, user_id: str, recommendation_id: int, pick_rank: int, vote: int) -> None:
        """Clear one person's vote only while it is still ``vote``.

        For reactions taken back: someone who reacted 👍, then 👎, then removed the 👍 keeps the
        👎. It queues behind that person's earlier votes, so it never undoes a newer one.
        """
        if vote not in (-1, 1):
            raise ValueError("only a +1 or -1 vote can be retracted")
        key = (platform, user_id, recommendation_id, pick_rank)
        await self.writer.submit(_apply_votes, (key, _Retract(vote)))

    async def claim_update(self, platform: str, update_id: str) -> bool:
        """Mark an update handled; False when it already was (a redelivery to skip).

        Goes through the group-commit writer like answers and votes, so claiming
        costs a statement, not a transaction of its own; an insert-or-nothing, so
        two deliveries racing each other cannot both win.
        """
        claim = _Claim(platform, update_id)
        await self.writer.submit(_insert_claims, claim, retry_for=0)
        return claim.won

    async def prune_updates(self, before: datetime) -> int:
        """Forget updates handled before ``before``; returns how many went."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
        return result.rowcount or 0

    async def person(self, platform: str, user_id: str) -> tuple[set[str], dict[tuple[int, int], set[str]]]:
        """What one person was shown (song keys), and each of their 👎 votes with the songs it hides.

        A vote is keyed by (recommendation id, pick rank); rank 0 is a vote on a
        whole answer and hides all its picks. One query, one round trip.
        """
        seen: set[str] = set()
        down_votes: dict[tuple[int, int], set[str]] = {}
        async with self.engine.connect() as conn:
            rows = await conn.execute(_PERSON, {"platform": platform, "user_id": user_id})
            for is_down, rec_id, rank, key in rows:
                if is_down:
                    down_votes.setdefault((int(rec_id), int(rank)), set()).add(key)
                else:
                    seen.add(key)
        return seen, down_votes

    async def song_votes(self, shown_in: Collection[int] | None = None) -> dict[str, SongVotes]:
        """For every voted song, how many distinct people voted it up and down.

        With ``shown_in`` (recommendation ids), only the songs those answers
        showed, each of them present even without votes: what votes on those
        answers changed.
        """
        pick = RecommendationPick.__table__
        per_person = select(pick.c.song_key, Feedback.platform, Feedback.user_id, Feedback.vote).join(
            Feedback, _votes_on_pick(pick)
        )
        shown = None
        if shown_in is not None:
            shown = select(pick.c.song_key).where(pick.c.recommendation_id.in_(list(shown_in))).distinct()
            per_person = per_person.where(pick.c.song_key.in_(shown.scalar_subquery()))
        voters = per_person.distinct().subquery()
        stmt = select(voters.c.song_key, voters.c.vote, func.count()).group_by(voters.c.song_key, voters.c.vote)
        counts: dict[str, dict[int, int]] = {}
        async with self.engine.connect() as conn:
            if shown is not None:
                counts = {key: {} for key in (await conn.execute(shown)).scalars()}
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


def _votes_on_pick(pick):  # type: ignore[no-untyped-def]
    """Join condition: a vote on this pick itself, or on the whole answer that showed it."""
    return and_(
        Feedback.recommendation_id == pick.c.recommendation_id,
        or_(Feedback.pick_rank == 0, Feedback.pick_rank == pick.c.rank),
    )


def _person_query():  # type: ignore[no-untyped-def]
    """Songs shown to a person (``down`` 0) and their 👎 votes with the songs each hides (``down`` 1).

    Built once with bound parameters: it runs for every person the bot has
    not seen lately, and building the statement cost more than running it.
    """
    rec, pick = Recommendation.__table__, RecommendationPick.__table__
    platform, user_id = bindparam("platform"), bindparam("user_id")
    shown = (
        select(literal(0).label("down"), literal(0).label("rec"), literal(0).label("rank"), pick.c.song_key)
        .join(rec, rec.c.id == pick.c.recommendation_id)
        .where(rec.c.platform == platform, rec.c.user_id == user_id)
    )
    down = (
        select(literal(1), Feedback.recommendation_id, Feedback.pick_rank, pick.c.song_key)
        .join(Feedback, _votes_on_pick(pick))
        .where(Feedback.platform == platform, Feedback.user_id == user_id, Feedback.vote < 0)
    )
    return union_all(shown, down)


_PERSON = _person_query()


def _insert_answers(conn: Connection, writes: Sequence[Write]) -> None:
    """A run of recorded answers: two statements, however many answers."""
    conn.execute(Recommendation.__table__.insert(), [w.payload[0] for w in writes])
    picks = [pick for w in writes for pick in w.payload[1]]
    if picks:
        conn.execute(RecommendationPick.__table__.insert(), picks)


@dataclass(frozen=True)
class _Retract:
    """A vote change meaning "clear it, if it is still ``vote``" (see ``History.retract``)."""

    vote: int


def _apply_votes(conn: Connection, writes: Sequence[Write]) -> None:
    """A run of votes and retractions, in order.

    Per (person, answer, pick) the last vote wins, and a retraction clears it when
    it matches; retractions of a vote this run never set apply to the stored vote,
    as one conditional delete.

    Several bot processes may vote on the same rows at once. Rows are written in
    key order, so concurrent batches lock shared rows in the same order and do not
    deadlock (PostgreSQL would abort one of them after a second's wait; the writer
    would then retry each write alone). For the same reason a clear (vote 0) is
    upserted like any vote and then deleted: the delete touches only rows this
    transaction already holds.
    """
    final: dict[tuple[str, str, int, int], int] = {}
    retracted: dict[tuple[str, str, int, int], set[int]] = {}
    for w in writes:
        key, change = w.payload
        if isinstance(change, _Retract):
            if key not in final:
                retracted.setdefault(key, set()).add(change.vote)
            elif final[key] == change.vote:
                final[key] = 0
            continue
        retracted.pop(key, None)
        final[key] = change
    columns = ("platform", "user_id", "recommendation_id", "pick_rank")
    if final:
        now = utcnow()
        rows: list[dict[str, Any]] = [
            {**dict(zip(columns, key)), "vote": final[key], "created_at": now, "updated_at": now}
            for key in sorted(final)
        ]
        upsert = _insert(conn, Feedback)
        upsert = upsert.on_conflict_do_update(
            index_elements=list(columns),
            set_={"vote": upsert.excluded.vote, "updated_at": upsert.excluded.updated_at},
        )
        conn.execute(upsert, rows)
        cleared = [{f"b_{c}": row[c] for c in columns} for row in rows if row["vote"] == 0]
        if cleared:
            match = (getattr(Feedback, c) == bindparam(f"b_{c}") for c in columns)
            conn.execute(delete(Feedback).where(*match), cleared)
    for key in sorted(retracted):
        conn.execute(delete(Feedback).filter_by(**dict(zip(columns, key))).where(Feedback.vote.in_(retracted[key])))


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
            _insert(conn, HandledUpdate)
            .values(platform=claim.platform, update_id=claim.update_id, handled_at=now)
            .on_conflict_do_nothing(index_elements=["platform", "update_id"])
        )
        claim.won = conn.execute(stmt).rowcount == 1


def _insert(conn: Connection, model: type):  # type: ignore[no-untyped-def]
    """The dialect's INSERT, which takes ON CONFLICT clauses (SQLite and PostgreSQL spell them alike)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)
