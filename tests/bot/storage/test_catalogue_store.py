"""Saving a build and loading it back, on SQLite and PostgreSQL: nothing lost, nothing bent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.catalogue_store import load_build, save_blend, save_build
from bot.storage.engine import open_database
from recommender.ranking.blend import BlendWeights, TunedBlend
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.synthetic import add_artist, make_catalogue

ROWS = [
    ("Blinding Lights", "The Weeknd", False, 95.0),
    ("Shape of You", "Ed Sheeran", False, float("nan")),  # popularity unknown
    ("밤편지", "IU", True, 78.0),
    ("Dynamite", "BTS", True, 90.0),
    ("Butter", "BTS", True, 88.0),
    ("Psycho", "Red Velvet", True, 80.0),
]


def catalogue_with_edges() -> Catalogue:
    """Hangul, a missing popularity, Spotify ids on some songs only, lists, and an artist without songs."""
    base = make_catalogue(ROWS, aliases={"IU": ["아이유"], "BTS": ["방탄소년단", "Bangtan Boys"]},
                          genres={"BTS": ["k-pop", "k-pop boy group"]}, seed=3)  # fmt: skip
    songs = base.songs.copy()
    songs["spotify_id"] = ["0VjIjW4GlUZAMYd2vXMi3b", None, "3P3UA61WRQqwCXaoFOTENd", None, None, None]
    songs["sources"] = "test.csv"
    return add_artist(Catalogue(songs=songs, artists=base.artists), "아이브", korean=True)


@pytest.fixture
async def engine(any_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await open_database(any_database_url)
    yield engine
    await engine.dispose()


async def test_nothing_is_built_yet(engine: AsyncEngine) -> None:
    assert await load_build(engine) is None


async def test_a_build_round_trips_exactly(engine: AsyncEngine) -> None:
    catalogue = catalogue_with_edges()
    tables = build_tables(catalogue, "per-side", k_songs=3, k_artists=2)
    report = ImportReport()
    report.reject("a.csv", 7, "no title")
    report.reject("a.csv", 9, "no title")
    before = datetime.now(timezone.utc)

    build_id = await save_build(engine, catalogue, tables, sources=["a.csv", "https://example.org/b.csv"], report=report)
    stored = await load_build(engine)

    assert stored is not None
    pd.testing.assert_frame_equal(stored.catalogue.songs, catalogue.songs, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(stored.catalogue.artists, catalogue.artists, check_dtype=False, check_exact=True)
    for name in ("songs", "artists"):
        saved, loaded = getattr(tables, name), getattr(stored.tables, name)
        np.testing.assert_array_equal(loaded.neighbours, saved.neighbours)
        np.testing.assert_array_equal(loaded.distances, saved.distances)  # including inf for missing ones
    info = stored.info
    assert info.id == build_id
    assert (info.scaling, info.sources) == ("per-side", ["a.csv", "https://example.org/b.csv"])
    assert info.counts == catalogue.counts() and info.rejected == {"no title": 2}
    assert info.created_at.tzinfo is not None  # an aware UTC time on every engine
    assert before - timedelta(seconds=1) <= info.created_at <= datetime.now(timezone.utc) + timedelta(seconds=1)


async def test_a_new_build_replaces_the_old_one(engine: AsyncEngine) -> None:
    first = catalogue_with_edges()
    await save_build(engine, first, build_tables(first, k_songs=3, k_artists=2), sources=["one"], report=ImportReport())
    second = make_catalogue([("Hype Boy", "NewJeans", True, 86.0), ("Stay", "Justin Bieber", False, 91.0)], seed=5)
    second_id = await save_build(
        engine, second, build_tables(second, k_songs=1, k_artists=1), sources=["two"], report=ImportReport()
    )
    stored = await load_build(engine)
    assert stored is not None and stored.info.id == second_id and stored.info.sources == ["two"]
    assert list(stored.catalogue.songs["title"]) == ["Hype Boy", "Stay"]
    assert stored.tables.songs.neighbours.shape == (2, 1)


async def test_playlist_data_and_tuned_weights_round_trip_and_are_replaced_with_the_build(engine: AsyncEngine) -> None:
    catalogue = catalogue_with_edges()
    tables = build_tables(catalogue, k_songs=3, k_artists=2)
    playlists = PlaylistArtists.from_table(["ann", "ann", "", ""], ["Mix 💖", "Mix 💖", "pl-1", "pl-1"],
                                           np.array([0, 3, 1, 5]))
    tags = pd.DataFrame({"artist_id": np.array([0, 0, 3], dtype=np.int64),
                         "tag": pd.Series(["k pop", "발라드", "rock"], dtype=object),
                         "users": np.array([4, 2, 7], dtype=np.int64)})
    build_id = await save_build(engine, catalogue, tables, sources=["a"], report=ImportReport(), playlists=playlists,
                                artifact="20261120T093015Z-0123456789ab", tags=tags)
    stored = await load_build(engine)
    assert stored is not None and stored.blend is None
    pd.testing.assert_frame_equal(stored.tags, tags)
    assert stored.playlists.playlists.values.tolist() == [["ann", "Mix 💖"], ["", "pl-1"]]
    assert stored.playlists.pairs.tolist() == playlists.pairs.tolist()

    tuned = TunedBlend(BlendWeights(0.25, 0.5, 0.0, 0.25), ("l.csv",), 3, 0.61, datetime(2026, 11, 21, tzinfo=timezone.utc))
    await save_blend(engine, build_id, tuned)
    stored = await load_build(engine)
    assert stored is not None and stored.blend == tuned
    assert stored.info.artifact is None  # the tuned build is no longer the published artifact

    await save_build(engine, catalogue, tables, sources=["b"], report=ImportReport())
    stored = await load_build(engine)
    assert stored is not None and stored.blend is None and len(stored.playlists.pairs) == 0 and stored.tags.empty
