"""What the bot showed to whom and what they thought of it, over one engine and one writer.

Answers (:mod:`~bot.storage.answer_log`), votes (:mod:`~bot.storage.vote_log`)
and handled-update claims (:mod:`~bot.storage.update_ledger`) all go through
one :class:`~bot.storage.writer.GroupCommitWriter`: each caller waits for its
own write to be committed, and concurrent writes of every kind share a
transaction. Forgetting a person spans answers and votes, so it lives here.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.answer_log import AnswerLog
from bot.storage.models import Feedback, PersonSongVote, Recommendation, RecommendationPick
from bot.storage.update_ledger import UpdateLedger
from bot.storage.vote_counts import recount
from bot.storage.vote_log import VoteLog
from bot.storage.writer import GroupCommitWriter, Retry

__all__ = ["History"]


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
        """Delete every row about one person (their answers and votes, and votes on their answers); returns how many."""
        async with self.engine.begin() as conn:
            own = select(Recommendation.id).where(
                (Recommendation.platform == platform) & (Recommendation.user_id == user_id)
            )
            psv, pick = PersonSongVote.__table__, RecommendationPick.__table__
            theirs = select(psv.c.song_key).where((psv.c.platform == platform) & (psv.c.user_id == user_id))
            shown = select(pick.c.song_key).where(pick.c.recommendation_id.in_(own))
            songs = set((await conn.execute(theirs.union(shown))).scalars())
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
            if songs:
                await conn.run_sync(recount, songs)  # their votes no longer count for anyone
        return deleted
