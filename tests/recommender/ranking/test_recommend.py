"""Picks: one per artist, paging to new artists, exclusions, random arm.

The mechanics are shown on the audio-only blend (nearest first, each artist by
its closest song), where the expected order follows from the features alone;
tests/recommender/ranking/test_blend.py covers what the other signals change.
"""

import math

import numpy as np
import pytest

from recommender.ranking.blend import AUDIO_ONLY
from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.ranking.neighbours import NeighbourTables, build_tables
from recommender.ranking.reasons import explain
from recommender.ranking.picks import RANDOM_REASON, Candidate, Recommender
from recommender.catalogue.synthetic import add_artist, make_catalogue

# Every song sounds the same except for energy, so distance is just the energy gap.
FLAT = {name: 0.5 for name in FEATURES} | {"tempo": 120.0, "loudness": -6.0, "mode": 1.0}


def energy_catalogue(rows: list[tuple[str, str, bool, float]]) -> Catalogue:
    """Songs (title, artist, korean, energy), otherwise identical."""
    return make_catalogue(
        [(title, artist, korean, 50.0) for title, artist, korean, _ in rows],
        [FLAT | {"energy": energy} for *_, energy in rows],
    )


# Korean artist A owns the five songs nearest the western query; B..E lie further out.
ROWS = [
    ("query", "W", False, 0.50),
    ("W2", "W", False, 0.90),
    *[(f"A{i}", "A", True, 0.50 + 0.001 * i) for i in range(1, 6)],
    ("B1", "B", True, 0.52),
    ("B2", "B", True, 0.53),
    ("C1", "C", True, 0.56),
    ("C2", "C", True, 0.57),
    ("D1", "D", True, 0.60),
    ("E1", "E", True, 0.70),
]


def audio_only(catalogue: Catalogue, tables: NeighbourTables) -> Recommender:
    return Recommender(catalogue, tables, blend=AUDIO_ONLY)


@pytest.fixture
def catalogue() -> Catalogue:
    return energy_catalogue(ROWS)


@pytest.fixture
def recommender(catalogue: Catalogue) -> Recommender:
    return audio_only(catalogue, build_tables(catalogue, k_songs=20, k_artists=10))


def titles(catalogue: Catalogue, picks: list[Candidate]) -> list[str]:
    return [catalogue.songs.at[p.song_id, "title"] for p in picks]


def song_id(catalogue: Catalogue, title: str) -> int:
    return int(np.flatnonzero(catalogue.songs["title"] == title)[0])


def walk(catalogue: Catalogue, recommender: Recommender, query: int, **kwargs) -> list[str]:
    """Titles in the whole shown order, one page of one song at a time."""
    order: list[Candidate] = []
    while page := recommender.for_song(query, count=1, offset=len(order), **kwargs):
        order += page
    return titles(catalogue, order)


def test_a_reply_shows_distinct_artists_even_when_one_owns_the_nearest(
    catalogue: Catalogue, recommender: Recommender
) -> None:
    assert titles(catalogue, recommender.for_song(0)) == ["A1", "B1", "C1"]


def test_paging_meets_every_artist_before_second_songs(catalogue: Catalogue, recommender: Recommender) -> None:
    assert titles(catalogue, recommender.for_song(0, offset=3)) == ["D1", "E1", "A2"]
    assert walk(catalogue, recommender, 0) == ["A1", "B1", "C1", "D1", "E1", "A2", "B2", "C2", "A3", "A4", "A5"]


def test_a_page_spanning_two_rounds_drops_the_repeated_artist() -> None:
    catalogue = energy_catalogue(
        [("q", "W", False, 0.5), ("A1", "A", True, 0.51), ("A2", "A", True, 0.52), ("B1", "B", True, 0.6)]
    )
    recommender = audio_only(catalogue, build_tables(catalogue))
    assert titles(catalogue, recommender.for_song(0, count=3)) == ["A1", "B1"]
    assert titles(catalogue, recommender.for_song(0, count=3, offset=2)) == ["A2"]


def test_never_a_song_by_the_query_artist(catalogue: Catalogue, recommender: Recommender) -> None:
    shown = walk(catalogue, recommender, song_id(catalogue, "A3"))
    assert shown and not any(title.startswith("A") for title in shown)
    assert shown[:3] == ["B1", "C1", "D1"]


def test_excluded_songs_never_show(catalogue: Catalogue, recommender: Recommender) -> None:
    a1, b1 = song_id(catalogue, "A1"), song_id(catalogue, "B1")
    assert titles(catalogue, recommender.for_song(0, exclude={a1, b1})) == ["A2", "B2", "C1"]
    assert "A1" not in walk(catalogue, recommender, 0, exclude=[a1])


def test_songs_shown_before_come_after_all_unseen_ones(catalogue: Catalogue, recommender: Recommender) -> None:
    a1, b1 = song_id(catalogue, "A1"), song_id(catalogue, "B1")
    assert titles(catalogue, recommender.for_song(0, later={a1, b1})) == ["C1", "D1", "E1"]
    # A and B were seen already, so their second songs wait for the second round.
    assert walk(catalogue, recommender, 0, later={a1, b1}) == [
        "C1",
        "D1",
        "E1",
        "A2",
        "B2",
        "C2",
        "A3",
        "A4",
        "A5",
        "A1",
        "B1",
    ]


def test_running_out_of_candidates_gives_fewer_picks_without_error(
    catalogue: Catalogue, recommender: Recommender
) -> None:
    kept = {song_id(catalogue, "A1"), song_id(catalogue, "B1")}
    others = set(np.flatnonzero(catalogue.korean_mask)) - kept
    assert titles(catalogue, recommender.for_song(0, count=5, exclude=others)) == ["A1", "B1"]
    assert recommender.for_song(0, offset=50) == []
    everything = set(range(len(catalogue.songs)))
    assert recommender.for_song(0, exclude=everything) == []
    assert recommender.for_song(0, count=0) == []


def test_candidates_carry_the_table_distance_and_a_reason(catalogue: Catalogue) -> None:
    tables = build_tables(catalogue)
    picks = audio_only(catalogue, tables).for_song(0)
    ids, distances = tables.songs.row(0)
    songs = catalogue.songs[list(FEATURES)]
    for pick in picks:
        assert pick.distance == pytest.approx(float(distances[list(ids).index(pick.song_id)]))
        assert pick.reason == explain(songs.loc[0].to_dict(), songs.loc[pick.song_id].to_dict())


def artist_catalogue() -> Catalogue:
    return energy_catalogue(
        [
            ("W1", "W", False, 0.40),
            ("W2", "W", False, 0.60),  # W's mean energy is 0.50
            ("A far", "A", True, 0.25),
            ("A near", "A", True, 0.70),  # A's mean 0.475: nearest artist
            ("B near", "B", True, 0.55),
            ("B far", "B", True, 0.95),  # B's mean 0.75
            ("C only", "C", True, 0.10),  # C's mean 0.10
        ]
    )


def test_artist_query_shows_each_near_artist_by_its_song_nearest_the_query() -> None:
    catalogue = artist_catalogue()
    tables = build_tables(catalogue)
    picks = audio_only(catalogue, tables).for_artist(0)
    assert titles(catalogue, picks) == ["A near", "B near", "C only"]
    ids, distances = tables.artists.row(0)
    assert [p.distance for p in picks] == pytest.approx(distances.tolist())
    means = catalogue.songs.groupby("artist_id")[list(FEATURES)].mean()
    assert picks[0].reason == explain(means.loc[0].to_dict(), means.loc[1].to_dict())


def test_artist_query_pages_and_excludes_like_a_song_query() -> None:
    catalogue = artist_catalogue()
    recommender = audio_only(catalogue, build_tables(catalogue))
    assert titles(catalogue, recommender.for_artist(0, count=2, offset=2)) == ["C only", "A far"]
    a_near = song_id(catalogue, "A near")
    assert titles(catalogue, recommender.for_artist(0, exclude={a_near})) == ["A far", "B near", "C only"]
    assert titles(catalogue, recommender.for_artist(0, later={a_near})) == ["B near", "C only", "A far"]
    # A Korean artist never gets itself back.
    assert "A" not in {t[0] for t in titles(catalogue, recommender.for_artist(1, count=10))}


def test_artist_without_songs_gets_no_picks() -> None:
    catalogue = add_artist(artist_catalogue(), "Silent", korean=False)
    assert audio_only(catalogue, build_tables(catalogue)).for_artist(4) == []


def test_random_arm_draws_distinct_korean_artists_reproducibly(catalogue: Catalogue, recommender: Recommender) -> None:
    picks = recommender.random(np.random.default_rng(7), count=4)
    songs = catalogue.songs.loc[[p.song_id for p in picks]]
    assert songs["korean"].all()
    assert songs["artist_id"].is_unique and len(picks) == 4
    assert all(p.reason == RANDOM_REASON and math.isnan(p.distance) for p in picks)
    assert recommender.random(np.random.default_rng(7), count=4) == picks

    every_artist = recommender.random(np.random.default_rng(1), count=50)
    assert len(every_artist) == 5  # A..E, one song each

    draws = {p.song_id for seed in range(40) for p in recommender.random(np.random.default_rng(seed), count=1)}
    assert draws == set(np.flatnonzero(catalogue.korean_mask))  # every Korean song can come up

    artist_a = catalogue.songs.at[song_id(catalogue, "A1"), "artist_id"]
    a_songs = set(np.flatnonzero(catalogue.songs["artist_id"] == artist_a))
    assert not a_songs & {p.song_id for p in recommender.random(np.random.default_rng(3), count=5, exclude=a_songs)}


def test_random_picks_for_a_query_explain_like_real_ones(catalogue: Catalogue, recommender: Recommender) -> None:
    """Blinding: a random pick's reason is the true comparison with the query, worded as the recommender's."""
    query = song_id(catalogue, "query")
    blind = recommender.random(np.random.default_rng(7), count=4, query=("song", query))
    plain = recommender.random(np.random.default_rng(7), count=4)
    assert [p.song_id for p in blind] == [p.song_id for p in plain]  # the query does not steer the draw
    features = catalogue.features
    for pick in blind:
        expected = explain(dict(zip(FEATURES, features[query])), dict(zip(FEATURES, features[pick.song_id])))
        assert pick.reason == expected != RANDOM_REASON


def test_bad_ids_and_paging_are_clear_errors(catalogue: Catalogue, recommender: Recommender) -> None:
    with pytest.raises(ValueError, match="unknown song id 99"):
        recommender.for_song(99)
    with pytest.raises(ValueError, match="unknown artist id -1"):
        recommender.for_artist(-1)
    with pytest.raises(ValueError, match="must not be negative"):
        recommender.for_song(0, offset=-3)
    other = energy_catalogue(ROWS[:4])
    with pytest.raises(ValueError, match="not built for this catalogue"):
        Recommender(catalogue, build_tables(other))


def test_artist_query_never_shows_a_song_not_marked_korean() -> None:
    base = artist_catalogue()
    songs = base.songs.copy()
    songs.loc[songs["title"] == "A near", "korean"] = False  # a row the importer got wrong
    catalogue = Catalogue(songs=songs, artists=base.artists)
    picks = audio_only(catalogue, build_tables(catalogue)).for_artist(0)
    assert titles(catalogue, picks) == ["A far", "B near", "C only"]
