"""The importer on the real shared data: plausible counts and labels for well-known acts."""

from __future__ import annotations


import pytest

from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.reviewed import non_korean_acts

pytestmark = pytest.mark.realdata

# The non-Korean collaborators that the jcgnacpil K-pop crawl lists (its data README names 21).
CRAWL_COLLABORATORS = (
    "Alesso", "Boyz II Men", "Chymes", "Dua Lipa", "Ed Sheeran", "Jade", "Jubël", "K/DA", "Kumi Koda", "Lady Gaga",
    "Lauv", "Lolo Zouaï", "Lym en", "MAX", "Maria", "Masked Wolf", "Nana Mellie", "Pentatonix", "Saweetie",
    "Why Don't We", "Winona Oak",
)


@pytest.fixture(scope="module")
def loaded(real_catalogue: tuple[Catalogue, ImportReport]) -> tuple[Catalogue, ImportReport]:
    print(f"merged {real_catalogue[1].merged:,}; rejected {real_catalogue[1].counts_by_reason()}")
    return real_catalogue


def _artist_rows(catalogue: Catalogue, name: str):
    artists = catalogue.artists
    return artists[artists["name"].str.casefold() == name.casefold()]


def test_counts_are_plausible(loaded: tuple[Catalogue, ImportReport]) -> None:
    catalogue, report = loaded
    counts = catalogue.counts()
    assert 11_000 <= counts["korean_songs"] <= 15_000
    assert 27_000 <= counts["western_songs"] <= 34_000
    assert 900 <= counts["korean_artists"] <= 1_700
    # every song row read is kept, merged or rejected (the artist files here have no malformed rows)
    assert report.rows_read == counts["songs"] + report.merged + len(report.rejections)


def test_crawl_collaborators_are_western(loaded: tuple[Catalogue, ImportReport]) -> None:
    catalogue, _ = loaded
    assert set(CRAWL_COLLABORATORS) <= set(non_korean_acts())
    found = 0
    for name in CRAWL_COLLABORATORS:
        rows = _artist_rows(catalogue, name)
        found += len(rows) > 0
        assert not rows["korean"].any(), name
    assert found >= 18  # a few have no song left after merging collaborations


def test_well_known_acts(loaded: tuple[Catalogue, ImportReport]) -> None:
    catalogue, _ = loaded
    for name in ("BTS", "BLACKPINK", "IU", "TWICE", "NewJeans", "LE SSERAFIM"):
        rows = _artist_rows(catalogue, name)
        assert len(rows) == 1 and rows["korean"].all(), name
    for name in ("The Weeknd", "Taylor Swift", "Ed Sheeran", "Aqua"):
        rows = catalogue.artists[catalogue.artists["name"] == name]  # exact display names, not slugs
        assert len(rows) == 1 and not rows["korean"].any(), name
    assert "방탄소년단" in _artist_rows(catalogue, "BTS").iloc[0]["aliases"]


def test_rejections_are_reported(loaded: tuple[Catalogue, ImportReport]) -> None:
    _, report = loaded
    reasons = report.counts_by_reason()
    assert reasons["exact duplicate of an earlier row"] > 1_000
    assert reasons["missing audio features"] >= 1
    summary = "\n".join(report.summary_lines())
    assert "skipped listener_playlists_spotify_exports.csv" in summary
    assert "kpop_western_songs_seed.csv: 15 rows rejected, not an artist: '.DS_Store'" in summary
