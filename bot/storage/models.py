"""SQLAlchemy 2 table models. The schema itself is created only by Alembic migrations.

The tables of what happened with people live here (``recommendations``,
``recommendation_picks``, ``feedback``, and the running vote counts derived from
them, ``person_song_votes`` and ``song_vote_counts``), and ``handled_updates``, the
platform updates already handled, so that one delivered again is skipped. These
outlive rebuilds, so a pick is stored by its stable ``song_key`` and display text
rather than by a foreign key into ``songs``. The active build's tables are in
:mod:`bot.storage.catalogue_models`, imported here so that ``Base.metadata``
(what migrations and their test compare against) holds every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage import catalogue_models as _catalogue_models  # noqa: F401  (registers the build's tables)
from bot.storage.schema import Base, UtcDateTime, utcnow

__all__ = [
    "Base",
    "UtcDateTime",
    "utcnow",
    "Recommendation",
    "RecommendationPick",
    "Feedback",
    "PersonSongVote",
    "SongVoteCount",
    "HandledUpdate",
]


class Recommendation(Base):
    """One answer shown to one person; feedback and "more" refer to it."""

    __tablename__ = "recommendations"

    # Assigned by the application (time-ordered 63-bit ids, see bot.storage.answer_log.new_id) so that a
    # batch of answers from several processes can be written in one statement without a round trip.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    query: Mapped[str] = mapped_column(Text)
    match_kind: Mapped[str] = mapped_column(String(8))
    match_id: Mapped[int] = mapped_column(Integer)
    match_label: Mapped[str] = mapped_column(Text)
    page_offset: Mapped[int] = mapped_column(Integer, default=0)
    arm: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_recommendations_user", "platform", "user_id"),
        Index("ix_recommendations_message", "platform", "chat_id", "message_id"),
    )


class RecommendationPick(Base):
    __tablename__ = "recommendation_picks"

    recommendation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    song_key: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    artist: Mapped[str] = mapped_column(Text)
    distance: Mapped[float | None] = mapped_column(Float, nullable=True)  # None for random picks


class Feedback(Base):
    """A person's vote on a shown answer (``pick_rank`` 0) or on one pick (1..n).

    One row per (person, recommendation, pick): a second vote updates it.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    recommendation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendations.id", ondelete="CASCADE")
    )
    pick_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    vote: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("platform", "user_id", "recommendation_id", "pick_rank", name="uq_feedback_vote"),
        Index("ix_feedback_user", "platform", "user_id"),
        # votes on an answer: re-counting a voted song, forgetting a person, cascading deletes
        Index("ix_feedback_recommendation", "recommendation_id"),
    )


class PersonSongVote(Base):
    """How many of one person's stored votes of one sign reach one song (see :mod:`bot.storage.vote_counts`).

    A vote on a whole answer reaches each of its songs, a vote on a pick that
    pick's song. A person counts once per song and sign however many of their
    votes reach it, so a changed or removed vote needs this count to know
    whether the song's count moves.
    """

    __tablename__ = "person_song_votes"

    song_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vote: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    votes: Mapped[int] = mapped_column(Integer)


class SongVoteCount(Base):
    """Distinct people who voted one song up and down, kept current in each vote's own transaction.

    ``changed_at`` lets a reader fetch only the songs changed since its last read.
    """

    __tablename__ = "song_vote_counts"

    song_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    up: Mapped[int] = mapped_column(Integer)
    down: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class HandledUpdate(Base):
    """A platform update (Telegram's ``update_id``) already taken in hand.

    Platforms deliver an update again when the bot stopped before confirming it;
    the row makes the second delivery a no-op. Rows are pruned by ``handled_at``
    once no redelivery can come (see :class:`bot.chat.updates.HandledUpdates`). The id is text so
    any platform's event id fits.
    """

    __tablename__ = "handled_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
