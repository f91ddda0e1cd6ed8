"""People's votes: saved idempotently, read back per person and counted per song.

Votes go through the group-commit writer and are retried through brief
outages (see :class:`~bot.storage.writer.Retry`): someone pressed a button and
their vote should count. They are upserts keyed on (platform, user,
recommendation, pick), so a replayed or repeated vote updates the one row
instead of adding another, on SQLite and PostgreSQL alike, also when several
bot processes share the database. Each batch also moves the running counts per
song (:mod:`bot.storage.vote_counts`) in the same transaction, so reading
everyone's votes costs the same however long the history.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import Feedback, Recommendation, RecommendationPick, utcnow
from bot.storage.vote_counts import SongVotes, VoteChange, apply_changes, votes_on_pick, read_changed, read_shown
from bot.storage.writer import GroupCommitWriter, Write, dialect_insert

__all__ = ["SongVotes", "VoteLog", "AnswerGone", "NoSuchPick"]


class AnswerGone(LookupError):
    """The vote is on an answer that is no longer stored (forgotten since): it can never be saved."""


class NoSuchPick(LookupError):
    """The vote names a pick its answer never had (a forged or mistyped rank)."""


class VoteLog:
    """Votes on shown answers, over one engine; writes share the history's group-commit writer."""

    def __init__(self, engine: AsyncEngine, writer: GroupCommitWriter) -> None:
        self.engine = engine
        self.writer = writer

    async def vote(self, platform: str, user_id: str, recommendation_id: int, pick_rank: int, vote: int) -> None:
        """Set (``vote`` +1 or -1) or clear (0) one person's vote; idempotent."""
        if vote not in (-1, 0, 1):
            raise ValueError("vote must be -1, 0 or +1")
        if pick_rank < 0:
            raise NoSuchPick(pick_rank)
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

    async def on_answer(self, recommendation_id: int) -> list[tuple[str, str, int]]:
        """(platform, user id, vote) of everyone's vote on a whole answer (not on one of its picks)."""
        stmt = select(Feedback.platform, Feedback.user_id, Feedback.vote).where(
            (Feedback.recommendation_id == recommendation_id) & (Feedback.pick_rank == 0)
        )
        async with self.engine.connect() as conn:
            return [(platform, user_id, int(vote)) for platform, user_id, vote in await conn.execute(stmt)]

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

    async def song_votes(self, changed_since: datetime | None = None) -> tuple[dict[str, SongVotes], datetime]:
        """Distinct people up and down per song changed since ``changed_since`` (every counted song when None),
        from the running counts (:mod:`bot.storage.vote_counts`); also the ``changed_since`` of the next read."""
        return await read_changed(self.engine, changed_since)

    async def shown_song_votes(self, shown_in: Collection[int]) -> dict[str, SongVotes]:
        """The counts of every song the given answers (recommendation ids) showed, each present even without votes."""
        return await read_shown(self.engine, shown_in)


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
        .join(Feedback, votes_on_pick(pick))
        .where(Feedback.platform == platform, Feedback.user_id == user_id, Feedback.vote < 0)
    )
    return union_all(shown, down)


_PERSON = _person_query()


@dataclass(frozen=True)
class _Retract:
    """A vote change meaning "clear it, if it is still ``vote``" (see :meth:`VoteLog.retract`)."""

    vote: int


def _check_targets(conn: Connection, keys: Sequence[tuple[str, str, int, int]]) -> None:
    """Raise :class:`AnswerGone` or :class:`NoSuchPick` when a vote names an answer or pick not stored.

    One indexed read per batch; a failing batch is retried write by write, so only the bad vote fails.
    """
    if not keys:
        return
    answers = {key[2] for key in keys}
    stored = set(conn.scalars(select(Recommendation.id).where(Recommendation.id.in_(answers))))
    ranks = {(key[2], key[3]) for key in keys if key[3] > 0}
    picks: set[tuple[int, int]] = set()
    if ranks:
        rows = conn.execute(
            select(RecommendationPick.recommendation_id, RecommendationPick.rank).where(
                RecommendationPick.recommendation_id.in_({answer for answer, _ in ranks})
            )
        )
        picks = {(int(answer), int(rank)) for answer, rank in rows}
    for _, _, answer, rank in keys:
        if answer not in stored:
            raise AnswerGone(answer)
        if rank > 0 and (answer, rank) not in picks:
            raise NoSuchPick(rank)


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
    _check_targets(conn, [w.payload[0] for w in writes if not isinstance(w.payload[1], _Retract)])
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
    changes: list[VoteChange] = []
    if final:
        now = utcnow()
        rows: list[dict[str, Any]] = [
            {**dict(zip(columns, key)), "vote": final[key], "created_at": now, "updated_at": now}
            for key in sorted(final)
        ]
        before = _claim(conn, [{**row, "vote": 0} for row in rows], columns)
        changes += [(*key, before.get(key, 0), final[key]) for key in sorted(final)]
        upsert = dialect_insert(conn, Feedback)
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
        stmt = delete(Feedback).filter_by(**dict(zip(columns, key))).where(Feedback.vote.in_(retracted[key]))
        changes += [(*key, int(old), 0) for old in conn.execute(stmt.returning(Feedback.vote)).scalars()]
    apply_changes(conn, changes)


def _claim(conn: Connection, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[tuple, int]:
    """Lock the vote rows about to change (creating missing ones with no vote) and return their stored votes.

    The running counts need each vote's previous value; reading it before
    writing would race with another process voting on the same row, so this
    upsert takes the row lock and returns the old vote in one statement.
    """
    claim = dialect_insert(conn, Feedback).values(rows)
    claim = claim.on_conflict_do_update(
        index_elements=list(columns), set_={"vote": Feedback.__table__.c.vote}
    ).returning(*(getattr(Feedback, c) for c in columns), Feedback.vote)
    return {tuple(row[:4]): int(row[4]) for row in conn.execute(claim)}
