"""Saving a built catalogue with its neighbour tables and playlist data, and loading it at start.

A build replaces the previous catalogue wholesale in one transaction, so a bot
reading the database sees either the old build or the new one, never a mix.
Loading reads whole tables into pandas/numpy: the bot answers from memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.catalogue_models import (
    Artist, ArtistNeighbour, ArtistTag, Build, Playlist, PlaylistArtist, Song, SongNeighbour,
)
from recommender.ranking.blend import TunedBlend
from recommender.catalogue.catalogue import ARTIST_COLUMNS, SONG_COLUMNS, Catalogue, ImportReport
from recommender.ranking.neighbours import NeighbourTable, NeighbourTables
from recommender.catalogue.lastfm import TAG_COLUMNS, no_tags
from recommender.catalogue.listening import PlaylistArtists

__all__ = [
    "BuildInfo",
    "StoredBuild",
    "save_build",
    "load_build",
    "load_build_header",
    "active_artifact",
    "mark_artifact",
    "save_blend",
]

INSERT_CHUNK = 20_000


@dataclass(frozen=True)
class BuildInfo:
    id: int
    created_at: datetime
    scaling: str
    sources: list[str]
    counts: dict[str, int]
    rejected: dict[str, int]
    artifact: str | None = None  # the artifact version it came from or was published as


@dataclass(frozen=True)
class StoredBuild:
    info: BuildInfo
    catalogue: Catalogue
    tables: NeighbourTables
    playlists: PlaylistArtists = field(default_factory=PlaylistArtists.empty)  # co-listening data
    blend: TunedBlend | None = None  # None until ``kpop-bot tune`` chose weights
    tags: pd.DataFrame = field(default_factory=no_tags)  # listeners' tags by artist id (lastfm.TAG_COLUMNS)


def _chunks(rows: Sequence[dict[str, Any]], size: int = INSERT_CHUNK) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(table.insert(), list(chunk))


def _none_if_nan(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def _artist_rows(catalogue: Catalogue) -> list[dict[str, Any]]:
    a = catalogue.artists
    return [
        {
            "id": int(i),
            "name": str(name),
            "korean": bool(korean),
            "popularity": _none_if_nan(pop),
            "genres": list(genres),
            "aliases": list(aliases),
        }
        for i, name, korean, pop, genres, aliases in zip(
            a.index, a["name"], a["korean"], a["popularity"], a["genres"], a["aliases"]
        )
    ]


def _song_rows(catalogue: Catalogue) -> list[dict[str, Any]]:
    s = catalogue.songs
    records = s[list(SONG_COLUMNS)].astype(object).where(s[list(SONG_COLUMNS)].notna(), None)
    records.insert(0, "id", s.index.astype(int))
    rows = records.to_dict("records")
    for row in rows:
        row["id"] = int(row["id"])
        row["artist_id"] = int(row["artist_id"])
        row["korean"] = bool(row["korean"])
    return rows


def _neighbour_rows(table: NeighbourTable, id_column: str) -> list[dict[str, Any]]:
    """One row per query: its neighbour ids and distances packed as little-endian arrays."""
    ids = table.neighbours.astype("<i4", copy=False)
    distances = table.distances.astype("<f4", copy=False)
    return [
        {id_column: row, "neighbour_ids": ids[row].tobytes(), "distances": distances[row].tobytes()}
        for row in range(ids.shape[0])
    ]


def _playlist_rows(playlists: PlaylistArtists) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    frame = playlists.playlists
    lists = [{"id": i, "listener": str(listener), "name": str(name)}
             for i, (listener, name) in enumerate(zip(frame["listener"], frame["playlist"], strict=True))]
    pairs = [{"playlist_id": int(p), "artist_id": int(a)} for p, a in playlists.pairs.tolist()]
    return lists, pairs


async def save_build(
    engine: AsyncEngine,
    catalogue: Catalogue,
    tables: NeighbourTables,
    *,
    sources: Sequence[str],
    report: ImportReport | Mapping[str, int],
    created_at: datetime | None = None,
    artifact: str | None = None,
    playlists: PlaylistArtists | None = None,
    blend: TunedBlend | None = None,
    tags: pd.DataFrame | None = None,
) -> int:
    """Replace the stored catalogue with this build; returns the new build's id.

    ``report`` is the import report, or only its rejected-row counts by reason
    (all an artifact carries). A build loaded from an artifact passes the
    artifact's ``created_at`` and version, so every worker's database
    describes it identically. ``playlists`` is the build's co-listening data,
    ``blend`` the tuned weights, ``tags`` the listeners' artist tags (an artifact carries all three).
    """
    rejected = report.counts_by_reason() if isinstance(report, ImportReport) else dict(report)
    artists = _artist_rows(catalogue)
    songs = _song_rows(catalogue)
    song_neighbours = _neighbour_rows(tables.songs, "song_id")
    artist_neighbours = _neighbour_rows(tables.artists, "artist_id")
    playlist_rows, membership_rows = _playlist_rows(playlists or PlaylistArtists.empty())

    def replace(conn: Connection) -> int:
        for model in (ArtistTag, PlaylistArtist, Playlist, SongNeighbour, ArtistNeighbour, Song, Artist):
            conn.execute(delete(model))
        conn.execute(update(Build).values(active=False))
        build_id = conn.execute(
            Build.__table__.insert().returning(Build.id),
            {
                "scaling": tables.scaling,
                "k_songs": int(tables.songs.neighbours.shape[1]),
                "k_artists": int(tables.artists.neighbours.shape[1]),
                "sources": list(sources),
                "counts": catalogue.counts(),
                "rejected": rejected,
                "active": True,
                "artifact": artifact,
                "blend": blend.to_json() if blend is not None else None,
                **({"created_at": created_at} if created_at is not None else {}),
            },
        ).scalar_one()
        _insert(conn, Artist.__table__, artists)
        _insert(conn, Song.__table__, songs)
        _insert(conn, SongNeighbour.__table__, song_neighbours)
        _insert(conn, ArtistNeighbour.__table__, artist_neighbours)
        _insert(conn, Playlist.__table__, playlist_rows)
        _insert(conn, PlaylistArtist.__table__, membership_rows)
        _insert(conn, ArtistTag.__table__, (tags if tags is not None else no_tags()).to_dict("records"))
        return int(build_id)

    async with engine.begin() as conn:
        return await conn.run_sync(replace)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _read_table(conn: Connection, n_rows: int, model: type, id_column: str, k: int) -> NeighbourTable:
    neighbours = np.full((n_rows, k), -1, dtype=np.int32)
    distances = np.full((n_rows, k), np.inf, dtype=np.float32)
    for row_id, packed_ids, packed_distances in conn.execute(
        select(getattr(model, id_column), model.neighbour_ids, model.distances)
    ):
        neighbours[row_id] = np.frombuffer(packed_ids, dtype="<i4")
        distances[row_id] = np.frombuffer(packed_distances, dtype="<f4")
    return NeighbourTable(neighbours=neighbours, distances=distances)


def _active_row(conn: Connection) -> Mapping[str, Any] | None:
    return conn.execute(
        select(Build.__table__).where(Build.active.is_(True)).order_by(Build.id.desc())
    ).mappings().first()


def _header(build: Mapping[str, Any]) -> tuple[BuildInfo, TunedBlend | None]:
    info = BuildInfo(
        id=build['id'],
        created_at=_aware(build['created_at']),
        scaling=build['scaling'],
        sources=list(build['sources']),
        counts=dict(build['counts']),
        rejected=dict(build['rejected']),
        artifact=build['artifact'],
    )
    return info, (TunedBlend.from_json(build["blend"]) if build["blend"] is not None else None)


async def load_build_header(engine: AsyncEngine) -> tuple[BuildInfo, TunedBlend | None] | None:
    """The active build's description and tuned weights, without its songs and tables (``None`` if none)."""
    async with engine.connect() as conn:
        row = await conn.run_sync(_active_row)
    return None if row is None else _header(row)


async def load_build(engine: AsyncEngine) -> StoredBuild | None:
    """The active build, or ``None`` when nothing has been built yet."""

    def read(conn: Connection) -> StoredBuild | None:
        build = _active_row(conn)
        if build is None:
            return None
        artists = pd.read_sql(select(Artist).order_by(Artist.id), conn).set_index("id")
        songs = pd.read_sql(select(Song).order_by(Song.id), conn).set_index("id")
        artists.index.name = songs.index.name = None
        artists["genres"] = artists["genres"].map(lambda v: tuple(v or ()))
        artists["aliases"] = artists["aliases"].map(lambda v: tuple(v or ()))
        artists["korean"] = artists["korean"].astype(bool)
        songs["korean"] = songs["korean"].astype(bool)
        songs["popularity"] = songs["popularity"].astype(float)
        artists["popularity"] = artists["popularity"].astype(float)
        songs["spotify_id"] = songs["spotify_id"].astype(object).where(songs["spotify_id"].notna(), None)
        catalogue = Catalogue(
            songs=songs[list(SONG_COLUMNS)].reset_index(drop=True),
            artists=artists[list(ARTIST_COLUMNS)].reset_index(drop=True),
        )
        tables = NeighbourTables(
            scaling=build['scaling'],
            songs=_read_table(conn, len(songs), SongNeighbour, "song_id", build['k_songs']),
            artists=_read_table(conn, len(artists), ArtistNeighbour, "artist_id", build['k_artists']),
        )
        playlist_frame = pd.read_sql(select(Playlist).order_by(Playlist.id), conn)
        pairs = conn.execute(
            select(PlaylistArtist.playlist_id, PlaylistArtist.artist_id).order_by(
                PlaylistArtist.playlist_id, PlaylistArtist.artist_id
            )
        ).all()
        playlists = PlaylistArtists(
            pd.DataFrame({"listener": playlist_frame["listener"].astype(object),
                          "playlist": playlist_frame["name"].astype(object)}),
            np.array(pairs, dtype=np.int64).reshape(-1, 2),
        )
        tags = pd.read_sql(select(ArtistTag).order_by(ArtistTag.artist_id, ArtistTag.tag), conn)
        info, blend = _header(build)
        tags = tags.astype({"artist_id": np.int64, "tag": object, "users": np.int64})[list(TAG_COLUMNS)]
        return StoredBuild(info=info, catalogue=catalogue, tables=tables, playlists=playlists, blend=blend, tags=tags)

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def active_artifact(engine: AsyncEngine) -> str | None:
    """The artifact version of the active build, without loading the build (``None`` if none)."""
    async with engine.connect() as conn:
        return (
            await conn.execute(select(Build.artifact).where(Build.active.is_(True)).order_by(Build.id.desc()))
        ).scalars().first()


async def mark_artifact(engine: AsyncEngine, build_id: int, version: str) -> None:
    """Record that build ``build_id`` was published as artifact ``version``."""
    async with engine.begin() as conn:
        await conn.execute(update(Build).where(Build.id == build_id).values(artifact=version))


async def save_blend(engine: AsyncEngine, build_id: int, blend: TunedBlend) -> None:
    """Store tuned weights with build ``build_id``.

    The build no longer matches any artifact it was published as or loaded
    from, so its artifact version is cleared: publish it again to share the
    weights (a worker loading an artifact takes the artifact's weights).
    """
    async with engine.begin() as conn:
        await conn.execute(update(Build).where(Build.id == build_id).values(blend=blend.to_json(), artifact=None))
