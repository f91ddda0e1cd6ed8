"""The active build's tables: replaced wholesale by ``kpop-bot build`` and loaded into memory at start.

``builds``, ``artists``, ``songs``, the two neighbour tables, the playlist data (``playlists``,
``playlist_artists``) and the listeners' tags (``artist_tags``). The schema is made only by Alembic
migrations; :mod:`bot.storage.models` imports this module, so ``Base.metadata`` holds every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.schema import Base, UtcDateTime, utcnow
from recommender.catalogue.catalogue import FEATURES

__all__ = ["Build", "Artist", "Song", "SongNeighbour", "ArtistNeighbour", "Playlist", "PlaylistArtist", "ArtistTag"]


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
