"""What the bot showed to whom and what they thought of it, over one engine and one writer.

Answers (:mod:`~bot.storage.answer_log`), votes (:mod:`~bot.storage.vote_log`)
and handled-update claims (:mod:`~bot.storage.update_ledger`) all go through
one :class:`~bot.storage.writer.GroupCommitWriter`: each caller waits for its
own write to be committed, and concurrent writes of every kind share a
transaction. Forgetting a person spans answers and votes, so it lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.answer_log import AnswerLog
from bot.storage.models import Feedback, PersonSongVote, Recommendation, RecommendationPick
from bot.storage.update_ledger import UpdateLedger
from bot.storage.vote_counts import recount
from bot.storage.vote_log import VoteLog
from bot.storage.writer import GroupCommitWriter, Retry, Write

__all__ = ["History"]


@dataclass
class _Forget:
    """One person to forget; ``rows`` is filled in by the transaction that deletes them."""

    platform: str
    user_id: str
    rows: int = 0


class History:
    """The answer log, the vote log and the update ledger, sharing one group-commit writer."""

    def __init__(self, engine: AsyncEngine, retry: Retry | None = None) -> None:
        self.engine = engine
        self.writer = GroupCommitWriter(engine, retry)
        self.answers = AnswerLog(engine, self.writer)
        self.votes = VoteLog(engine, self.writer)
        self.updates = UpdateLedger(engine, self.writer)

    async def close(self) -> None:
        """Commit queued writes; the engine itself belongs to whoever opened it."""
        await self.writer.close()

    async def forget(self, platform: str, user_id: str) -> int:
        """Delete every row about one person (their answers and votes, and votes on their answers); returns how many.

        It goes through the writer, behind every write submitted before it, so an answer still
        being recorded when the person asks is forgotten too rather than left behind.
        """
        job = _Forget(platform, user_id)
        await self.writer.submit(_apply_forget, job)
        return job.rows


def _apply_forget(conn: Connection, writes: Sequence[Write]) -> None:
    for write in writes:
        job: _Forget = write.payload
        job.rows = _forget(conn, job.platform, job.user_id)  # assigned, not added: a retried batch runs it again


def _forget(conn: Connection, platform: str, user_id: str) -> int:
    person = (Recommendation.platform == platform) & (Recommendation.user_id == user_id)
    own = select(Recommendation.id).where(person)
    # Someone else's "more" on this person's answer copied what they typed; that copy goes too,
    # replaced by what the bot understood it as (the catalogue's own words).
    typed = select(Recommendation.chat_id, Recommendation.query).where(person)
    conn.execute(
        update(Recommendation)
        .where(
            (Recommendation.platform == platform)
            & (Recommendation.user_id != user_id)
            & tuple_(Recommendation.chat_id, Recommendation.query).in_(typed)
        )
        .values(query=Recommendation.match_label)
    )
    psv, pick = PersonSongVote.__table__, RecommendationPick.__table__
    theirs = select(psv.c.song_key).where((psv.c.platform == platform) & (psv.c.user_id == user_id))
    shown = select(pick.c.song_key).where(pick.c.recommendation_id.in_(own))
    songs = set(conn.execute(theirs.union(shown)).scalars())
    deleted = 0
    for stmt in (
        delete(Feedback).where((Feedback.platform == platform) & (Feedback.user_id == user_id)),
        delete(Feedback).where(Feedback.recommendation_id.in_(own)),
        delete(RecommendationPick).where(RecommendationPick.recommendation_id.in_(own)),
        delete(Recommendation).where(person),
    ):
        deleted += conn.execute(stmt).rowcount or 0
    if songs:
        recount(conn, songs)  # their votes no longer count for anyone
    return deleted
