"""The labelled query set: the matcher's targets on several hundred queries people send.

The catalogue is the hand-typed one in ``tests/data/matching`` padded with made-up
titles (``bench_matching`` pads it to 100,000 and also reports speed and the
brute-force baseline); each query is labelled with what it must resolve to.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from recommender.catalogue.synthetic import made_up_catalogue
from recommender.matching.labelled import Labelled, Tally, judge, read_catalogue, read_queries
from recommender.matching.matcher import Matcher

DATA = Path(__file__).resolve().parents[2] / "data" / "matching"
CLASSES = {"exact", "typo", "spacing", "words", "artist_vs_song", "title_artist", "hangul", "edition", "featured",
           "link", "junk", "newer"}


@pytest.fixture(scope="module")
def labelled() -> list[Labelled]:
    return read_queries(DATA / "queries.csv")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.fit(read_catalogue(DATA / "catalogue.csv", DATA / "artists.csv", made_up_catalogue(20_000, 2_500, 7)))


def test_the_set_covers_every_class_and_names_only_what_the_catalogue_holds(labelled: list[Labelled]) -> None:
    assert len(labelled) >= 300
    assert set(Counter(w.group for w in labelled)) == CLASSES
    catalogue = read_catalogue(DATA / "catalogue.csv", DATA / "artists.csv")
    songs = set(zip(catalogue.songs["title"], catalogue.artists["name"].to_numpy()[catalogue.songs["artist_id"]]))
    artists = set(catalogue.artists["name"])
    for want in labelled:
        if want.expect in {"song", "suggest"} and want.title:
            assert (want.title, want.artist) in songs, want
        elif want.expect in {"artist", "suggest", "newer"}:
            assert want.artist in artists, want


def test_targets_right_at_least_97_percent_and_confidently_wrong_at_most_half_a_percent(
    matcher: Matcher, labelled: list[Labelled]
) -> None:
    verdicts = [judge(matcher.match(w.query), w) for w in labelled]
    tally = Tally.of(labelled, verdicts)
    misses = [(w.query, v) for w, v in zip(labelled, verdicts) if v != "right"]
    assert tally.rate("right") >= 0.97, misses
    assert tally.rate("wrong") <= 0.005, misses
    for group, counts in tally.by_group.items():
        assert counts["right"] / sum(counts.values()) >= 0.9, (group, misses)
