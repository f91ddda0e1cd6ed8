"""The whole pipeline on the real shared data: matching, exact neighbours, diversity, storage round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bot.storage.catalogue_store import load_build, save_build
from bot.storage.engine import open_database
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.features import scale_features
from recommender.matching.matcher import Matcher
from recommender.ranking.neighbours import NeighbourTables, build_tables
from recommender.catalogue.normalize import contains_hangul
from recommender.ranking.picks import Recommender

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def catalogue(real_catalogue: tuple[Catalogue, ImportReport]) -> Catalogue:
    return real_catalogue[0]


@pytest.fixture(scope="module")
def tables(catalogue: Catalogue) -> NeighbourTables:
    return build_tables(catalogue, "global", k_songs=20, k_artists=20)


@pytest.fixture(scope="module")
def matcher(catalogue: Catalogue) -> Matcher:
    return Matcher.fit(catalogue)


# What people type -> (title or None for an artist, artist). Typos, case, order, credits, Hangul.
TYPO_TABLE = [
    ("Blinding Lights", "Blinding Lights", "The Weeknd"),
    ("blinding lites", "Blinding Lights", "The Weeknd"),
    ("Blinding Lights - The Weeknd", "Blinding Lights", "The Weeknd"),
    ("the weeknd", None, "The Weeknd"),
    ("TAYLOR SWIFT", None, "Taylor Swift"),
    ("taylor swfit", None, "Taylor Swift"),
    ("shape of u", "Shape of You", "Ed Sheeran"),
    ("Shape of You by Ed Sheeran", "Shape of You", "Ed Sheeran"),
    ("Bad Guy billie eilish", "bad guy", "Billie Eilish"),
    ("BTS", None, "BTS"),
    ("방탄소년단", None, "BTS"),
    ("blackpink", None, "BLACKPINK"),
    ("black pink", None, "BLACKPINK"),
    ("\u200bblinding\u200f lights\u202e", "Blinding Lights", "The Weeknd"),
]


@pytest.mark.parametrize(("query", "title", "artist"), TYPO_TABLE)
def test_typo_table(matcher: Matcher, query: str, title: str | None, artist: str) -> None:
    match = matcher.match(query)
    assert match.item is not None, f"{query!r} gave suggestions {match.suggestions}"
    assert match.item.artist.casefold() == artist.casefold()
    if title is None:
        assert match.item.kind == "artist"
    else:
        assert match.item.kind == "song" and match.item.title.casefold() == title.casefold()


@pytest.mark.parametrize("query", ["asdfghjkl", "zzzzqqqq", "xkcd vbnm qwop", "🎵🎵🎵", "the the the the"])
def test_junk_is_never_a_confident_match(matcher: Matcher, query: str) -> None:
    assert matcher.match(query).item is None


def test_weak_match_offers_did_you_mean(matcher: Matcher) -> None:
    match = matcher.match("blindin")
    assert match.item is None and 1 <= len(match.suggestions) <= 3
    assert any(s.title == "Blinding Lights" for s in match.suggestions)


def test_neighbours_are_genuinely_nearest(catalogue: Catalogue, tables: NeighbourTables) -> None:
    """A brute-force numpy computation on sampled rows agrees with the stored table."""
    scaled = scale_features(catalogue, "global").astype(np.float64)
    korean = np.flatnonzero(catalogue.korean_mask)
    rng = np.random.default_rng(0)
    for song in rng.choice(len(catalogue.songs), size=40, replace=False):
        others = korean[korean != song]
        distances = np.linalg.norm(scaled[others] - scaled[song], axis=1)
        order = distances.argsort(kind="stable")[:20]
        expected = distances[order]
        ids, stored = tables.songs.row(int(song))
        np.testing.assert_allclose(stored, expected, rtol=1e-4, atol=1e-4)
        # the same songs, except where several tie at the 20th distance
        kth = expected[-1] - 1e-4
        assert set(ids[stored < kth].tolist()) == set(others[order][expected < kth].tolist())


def test_answers_are_diverse_and_korean(catalogue: Catalogue, tables: NeighbourTables, matcher: Matcher) -> None:
    recommender = Recommender(catalogue, tables)
    for query in ("Blinding Lights", "Taylor Swift", "Shape of You"):
        item = matcher.match(query).item
        assert item is not None
        finder = recommender.for_song if item.kind == "song" else recommender.for_artist
        seen_artists: set[int] = set()
        for page in range(3):
            picks = finder(item.id, count=3, offset=3 * page)
            artists = [int(catalogue.songs.at[p.song_id, "artist_id"]) for p in picks]
            assert len(set(artists)) == len(artists) == 3
            assert catalogue.songs.loc[[p.song_id for p in picks], "korean"].all()
            assert not seen_artists & set(artists)  # "more" brings other artists first
            seen_artists |= set(artists)


async def test_storage_round_trip_keeps_hangul(
    any_database_url: str, catalogue: Catalogue, tables: NeighbourTables
) -> None:
    engine = await open_database(any_database_url)
    try:
        await save_build(engine, catalogue, tables, sources=["shared"], report=ImportReport())
        stored = await load_build(engine)
    finally:
        await engine.dispose()
    assert stored is not None
    pd.testing.assert_frame_equal(stored.catalogue.songs, catalogue.songs, check_dtype=False)
    pd.testing.assert_frame_equal(stored.catalogue.artists, catalogue.artists, check_dtype=False)
    np.testing.assert_array_equal(stored.tables.songs.neighbours, tables.songs.neighbours)
    hangul_titles = catalogue.songs["title"][catalogue.songs["title"].map(contains_hangul)]
    assert len(hangul_titles) > 100
    assert set(stored.catalogue.songs["title"]) >= set(hangul_titles)
