"""Builds and checks shared by the artifact tests (local directory and S3)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bot.ops.build
from bot.ops.artifacts.manifest import FILE_NAMES, version_of
from bot.storage.catalogue_store import BuildInfo, StoredBuild
from recommender.ranking.blend import BlendWeights, TunedBlend
from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.lastfm import no_tags
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.neighbours import NeighbourTables, build_tables
from tests.support.fixtures.catalogue import CsvWriter, track_id, tt_row
from tests.support.fixtures.core import small_catalogue

BUILT_AT = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=timezone.utc)
#: The data files of a version, besides its manifest.
DATA_FILES = tuple(sorted(FILE_NAMES))


def varied_catalogue() -> Catalogue:
    """The small test catalogue with every kind of value an artifact must keep.

    Spotify ids on some songs only, an unknown popularity, genres, and Hangul
    in titles and aliases (already in :func:`small_catalogue`).
    """
    catalogue = small_catalogue()
    songs = catalogue.songs.copy()
    songs["spotify_id"] = pd.Series([track_id(i) if i % 2 else None for i in range(len(songs))], dtype=object)
    songs.loc[3, "popularity"] = np.nan
    artists = catalogue.artists.copy()
    artists.loc[0, "popularity"] = np.nan
    artists.at[1, "genres"] = ("pop", "uk pop")
    artists.at[2, "genres"] = ("k-pop", "k-pop boy group")
    return Catalogue(songs=songs, artists=artists)


#: Tuned weights as a build carries them after ``kpop-bot tune``.
TUNED = TunedBlend(BlendWeights(0.0, 0.5, 0.25, 0.25), ("listeners.csv",), 3, 0.53,
                   datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc))


def varied_playlists() -> PlaylistArtists:
    """Two listeners' playlists (one with an emoji and Hangul in its name) and one without a listener."""
    return PlaylistArtists.from_table(
        ["ann", "ann", "ann", "", ""], ["Mix 💖", "Mix 💖", "잘자", "pl-1", "pl-1"], np.array([0, 10, 12, 3, 11])
    )


def varied_tags() -> pd.DataFrame:
    """Listeners' tags of two artists, one in Hangul."""
    return pd.DataFrame({"artist_id": np.array([0, 0, 3], dtype=np.int64),
                         "tag": pd.Series(["k pop", "댄스", "rock"], dtype=object),
                         "users": np.array([4, 2, 7], dtype=np.int64)})


def make_build(
    catalogue: Catalogue | None = None, created_at: datetime = BUILT_AT, *, playlists: bool = True,
    blend: TunedBlend | None = TUNED,
) -> StoredBuild:
    catalogue = catalogue if catalogue is not None else varied_catalogue()
    tables = build_tables(catalogue, "global", k_songs=5, k_artists=4)
    info = BuildInfo(
        id=1,
        created_at=created_at,
        scaling="global",
        sources=["/data/tracks.csv", "https://example.org/artists.csv"],
        counts=catalogue.counts(),
        rejected={"missing audio features": 3, "duplicate row": 1},
    )
    data = varied_playlists() if playlists else PlaylistArtists.empty()
    tags = varied_tags() if playlists else no_tags()
    return StoredBuild(info=info, catalogue=catalogue, tables=tables, playlists=data, blend=blend, tags=tags)


def assert_same_build(catalogue: Catalogue, tables: NeighbourTables, original: StoredBuild) -> None:
    """Equal frames (values and dtypes) and equal tables, padding included."""
    pd.testing.assert_frame_equal(catalogue.songs, original.catalogue.songs)
    pd.testing.assert_frame_equal(catalogue.artists, original.catalogue.artists)
    assert tables.scaling == original.tables.scaling
    for loaded, built in ((tables.songs, original.tables.songs), (tables.artists, original.tables.artists)):
        np.testing.assert_array_equal(loaded.neighbours, built.neighbours)
        np.testing.assert_array_equal(loaded.distances, built.distances)
        assert loaded.neighbours.dtype == np.int32 and loaded.distances.dtype == np.float32


def assert_hangul_intact(catalogue: Catalogue) -> None:
    assert "밤편지" in set(catalogue.songs["title"])
    aliases = {alias for row in catalogue.artists["aliases"] for alias in row}
    assert {"방탄소년단", "아이유", "블랙핑크"} <= aliases


def forbid_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any import or table build fail the test: a worker with an artifact must not build."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalogue importer ran although an artifact was configured")

    monkeypatch.setattr(bot.ops.build, "load_catalogue", refuse)
    monkeypatch.setattr(bot.ops.build, "build_tables", refuse)


def cli_env(monkeypatch: pytest.MonkeyPatch, folder: Path, **extra: str) -> None:
    """The environment of a ``kpop-bot`` run with its own data folder and SQLite file."""
    monkeypatch.setenv("KPOP_DATA_DIR", str(folder))
    monkeypatch.setenv("KPOP_DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'bot.db'}")
    monkeypatch.setenv("KPOP_EXPERIMENT", "false")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def write_sources(csvs: CsvWriter) -> Path:
    """A tiny catalogue on disk for the command line to build from."""
    csvs.write("tracks.csv", "tidytuesday", [
        tt_row(1, "Blinding Lights", "The Weeknd", danceability="0.51", energy="0.73"),
        tt_row(2, "Shape of You", "Ed Sheeran", danceability="0.83", energy="0.65"),
    ])
    csvs.write("kpop.csv", "jcgnacpil", [
        {"artist": "BTS", "track": "Dynamite", "track_uri": "spotify:track:0t1kP63rueHleOhQkYSXFY", "energy": "0.76"},
        {"artist": "IU", "track": "밤편지", "track_uri": "spotify:track:3P3UA61WRQqwCXaoFOTENd", "energy": "0.2"},
    ])
    return csvs.folder


#: Manifest file names a crafted manifest may carry: each leaves the version folder, or is no file of the format.
ESCAPING_NAMES = ("../../planted.pth", "../../../planted.pth", "sub/../../planted.pth", "planted.pth")


def planted_manifest(published: bytes, name: str, data: bytes) -> tuple[str, bytes]:
    """The published manifest as an attacker who can write to the store would craft it: one more file,
    ``name``, with its checksum right, under the version name recomputed to match (every check but the
    file name passes)."""
    body = json.loads(published)
    body.pop("version")
    body["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "rows": 0}
    version = version_of(body)
    text = json.dumps({**body, "version": version}, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    return version, text.encode("utf-8")


def plant_file(read: Callable[[str], bytes], write: Callable[[str, bytes], None], prefix: str, name: str) -> str:
    """Publish a crafted version naming ``name`` through a store's raw ``read``/``write`` of keys below
    ``prefix``, point ``latest.json`` at it, and return its version."""
    old = json.loads(read(f"{prefix}latest.json"))["version"]
    published = read(f"{prefix}{old}/manifest.json")
    payload = b"import os; os.system('echo owned')\n"
    version, manifest = planted_manifest(published, name, payload)
    for data_file in json.loads(published)["files"]:
        write(f"{prefix}{version}/{data_file}", read(f"{prefix}{old}/{data_file}"))
    write(f"{prefix}{version}/{name}", payload)
    write(f"{prefix}{version}/manifest.json", manifest)
    write(f"{prefix}latest.json", json.dumps({"format": "kpop-bot-artifact", "version": version}).encode())
    return version
