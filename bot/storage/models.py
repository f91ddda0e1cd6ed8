"""SQLAlchemy 2 table models. The schema itself is created only by Alembic migrations.

Two families of tables live here:

* the catalogue of the active build (``builds``, ``artists``, ``songs``, the
  two neighbour tables, the playlist data ``playlists`` and
  ``playlist_artists``, and the listeners' tags ``artist_tags``), replaced wholesale by ``kpop-bot build`` and loaded
  into memory at start;
* what happened with people (``recommendations``, ``recommendation_picks``,
  ``feedback``, and the running vote counts derived from them,
  ``person_song_votes`` and ``song_vote_counts``). These outlive rebuilds, so a
  pick is stored by its stable ``song_key`` and display text rather than by a
  foreign key into ``songs``;

and ``handled_updates``, the platform updates already handled, so that one
delivered again is skipped.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from recommender.catalogue.catalogue import FEATURES


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored in UTC and read back as an aware UTC ``datetime`` on every engine.

    PostgreSQL keeps ``timestamp with time zone`` and returns aware values;
    SQLite has no such type and returns naive ones, so code comparing or
    printing stored times would behave differently per engine. Values are
    converted to UTC on the way in (a naive one is refused: its zone is unknown)
    and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime has no known time zone: {value!r}")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class Build(Base):
    """One run of ``kpop-bot build``: what went in and how the tables were made."""

    __tablename__ = "builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    scaling: Mapped[str] = mapped_column(String(16))
    k_songs: Mapped[int] = mapped_column(Integer)
    k_artists: Mapped[int] = mapped_column(Integer)
    sources: Mapped[list] = mapped_column(JSON)
    counts: Mapped[dict] = mapped_column(JSON)
    rejected: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The artifact version (see bot.ops.artifacts) this build was loaded from or
    # published as: a worker whose active build already is that version skips the download.
    artifact: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The blend weights ``kpop-bot tune`` chose for this build and what they were tuned on
    # (see bot.ops.tune); None until tuned, when the ranking weighs its signals equally.
    blend: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Artist(Base):
    __tablename__ = "artists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    korean: Mapped[bool] = mapped_column(Boolean)
    popularity: Mapped[float | None] = mapped_column(Float, nullable=True)
    genres: Mapped[list] = mapped_column(JSON)
    aliases: Mapped[list] = mapped_column(JSON)


class Song(Base):
    __tablename__ = "songs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    spotify_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # Spotify ids of other releases merged into this song, comma-joined ("" when none)
    other_ids: Mapped[str] = mapped_column(Text, default="", server_default="")
    title: Mapped[str] = mapped_column(Text)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id"), index=True)
    korean: Mapped[bool] = mapped_column(Boolean)
    popularity: Mapped[float | None] = mapped_column(Float, nullable=True)
    danceability: Mapped[float] = mapped_column(Float)
    energy: Mapped[float] = mapped_column(Float)
    key: Mapped[float] = mapped_column(Float)
    loudness: Mapped[float] = mapped_column(Float)
    mode: Mapped[float] = mapped_column(Float)
    speechiness: Mapped[float] = mapped_column(Float)
    acousticness: Mapped[float] = mapped_column(Float)
    instrumentalness: Mapped[float] = mapped_column(Float)
    liveness: Mapped[float] = mapped_column(Float)
    valence: Mapped[float] = mapped_column(Float)
    tempo: Mapped[float] = mapped_column(Float)
    sources: Mapped[str] = mapped_column(Text)


assert all(hasattr(Song, f) for f in FEATURES), "Song must carry every audio feature"


class SongNeighbour(Base):
    """The precomputed Korean neighbours of one song, nearest first.

    One row per song with the ids and distances packed as little-endian int32
    and float32 arrays: the tables are only ever read whole at start, and a row
    per (song, rank) made build and start-up 20 times slower for nothing.
    """

    __tablename__ = "song_neighbours"

    song_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    neighbour_ids: Mapped[bytes] = mapped_column(LargeBinary)
    distances: Mapped[bytes] = mapped_column(LargeBinary)


class ArtistNeighbour(Base):
    """The precomputed Korean neighbours of one artist, packed as in :class:`SongNeighbour`."""

    __tablename__ = "artist_neighbours"

    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    neighbour_ids: Mapped[bytes] = mapped_column(LargeBinary)
    distances: Mapped[bytes] = mapped_column(LargeBinary)


class Playlist(Base):
    """A playlist of the active build's playlist data (for co-listening), replaced with the build.

    ``listener`` is the file's listener value (``""`` when it named none) and
    ``name`` its playlist value, so a tuning run can leave a listener's
    playlists out however they reached the build.
    """

    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    listener: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)


class PlaylistArtist(Base):
    """A catalogue artist a playlist holds (each pair once)."""

    __tablename__ = "playlist_artists"

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id"), primary_key=True, autoincrement=False)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id"), primary_key=True, autoincrement=False)


class ArtistTag(Base):
    """A tag listeners gave a catalogue artist (Last.fm), with how many distinct people gave it."""

    __tablename__ = "artist_tags"

    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id"), primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(Text, primary_key=True)
    users: Mapped[int] = mapped_column(Integer)


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
