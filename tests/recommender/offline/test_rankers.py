"""Rankers for the offline evaluation: the bot's own picks in batches, popular and random baselines."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ranking.blend import AUDIO_ONLY, Blend, BlendWeights, HybridModel
from recommender.catalogue.catalogue import Catalogue
from recommender.ranking.neighbours import build_tables
from recommender.offline.rankers import (
    AudioKnn,
    HybridRanker,
    MostPopular,
    RandomPicks,
    Ranker,
    first_per_artist,
    hybrid_rankers,
    standard_rankers,
)
from recommender.ranking.picks import Recommender
from tests.support.blend import blend_catalogue, friend_playlists
from recommender.catalogue.synthetic import make_catalogue

NAN = float("nan")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """Six western and twenty Korean songs over uneven artists, random features."""
    rows = [(f"w{i}", f"W{i % 3}", False, 50.0) for i in range(6)]
    sizes = {"KA": 6, "KB": 4, "KC": 3, "KD": 3, "KE": 2, "KF": 1, "KG": 1}
    rows += [(f"{artist}{i}", artist, True, float(10 * i)) for artist, n in sizes.items() for i in range(n)]
    return make_catalogue(rows, seed=3)


def artist_of(catalogue: Catalogue, ids: np.ndarray) -> np.ndarray:
    return catalogue.songs["artist_id"].to_numpy()[ids]


def test_first_per_artist_keeps_order_skips_own_artist_repeats_and_padding() -> None:
    candidates = np.array([[10, 11, 12, 13, 14, -1], [20, 21, -1, -1, -1, -1]])
    artists = np.array([[1, 1, 2, 3, 2, -1], [5, 6, -1, -1, -1, -1]])
    picks = first_per_artist(candidates, artists, own_artist=np.array([3, 6]), k=3)
    assert picks.tolist() == [[10, 12, -1], [20, -1, -1]]


def test_audio_knn_picks_are_what_the_audio_only_blend_shows(catalogue: Catalogue) -> None:
    """AudioKnn is the recommender before the blend: the audio-only blend shows the same while its row lasts.

    (Beyond the row the blend still has candidates, the best-known acts, where AudioKnn runs out.)
    """
    tables = build_tables(catalogue, k_songs=12, k_artists=5)
    bot = Recommender(catalogue, tables, blend=AUDIO_ONLY)
    ranker = AudioKnn(catalogue, tables)
    every_song = np.arange(len(catalogue.songs))
    for k in (1, 3, 5):
        picks = ranker.songs_for(every_song, k)
        for song_id, row in zip(every_song, picks, strict=True):
            shown = [c.song_id for c in bot.for_song(int(song_id), count=k)]
            assert shown[: (row >= 0).sum()] == row[row >= 0].tolist()


def test_audio_knn_never_picks_the_query_artist_and_artists_come_from_the_table(catalogue: Catalogue) -> None:
    tables = build_tables(catalogue, "per-side", k_songs=12, k_artists=5)
    ranker = AudioKnn(catalogue, tables)
    assert ranker.name == "audio KNN (per-side)"
    korean = np.flatnonzero(catalogue.korean_mask)
    picks = ranker.songs_for(korean, 4)
    shown = picks >= 0
    assert (artist_of(catalogue, picks[shown]) != np.repeat(artist_of(catalogue, korean), shown.sum(axis=1))).all()
    artists = np.arange(len(catalogue.artists))
    assert (ranker.artists_for(artists, 3) == tables.artists.neighbours[:, :3]).all()


def test_audio_knn_refuses_k_beyond_the_table_width(catalogue: Catalogue) -> None:
    ranker = AudioKnn(catalogue, build_tables(catalogue, k_songs=5, k_artists=4))
    with pytest.raises(ValueError, match="holds 5 neighbours .* k=6; build with --k-songs 6"):
        ranker.songs_for(np.array([0]), 6)
    with pytest.raises(ValueError, match="--k-artists 5"):
        ranker.artists_for(np.array([0]), 5)


def test_most_popular_songs_are_each_artists_best_by_popularity_unknown_last() -> None:
    catalogue = make_catalogue([
        ("w", "W", False, 99.0),
        ("a1", "A", True, 40.0), ("a2", "A", True, 90.0),
        ("b1", "B", True, 80.0), ("b2", "B", True, 85.0),
        ("c1", "C", True, NAN),
        ("d1", "D", True, 10.0),
    ])
    ranker = MostPopular(catalogue)
    titles = catalogue.songs["title"].to_numpy()
    assert titles[ranker.songs_for(np.array([0]), 5)[0][:4]].tolist() == ["a2", "b2", "d1", "c1"]
    assert ranker.songs_for(np.array([0]), 5)[0][4] == -1  # only four Korean artists
    # A Korean query never gets its own artist; the next artist moves up.
    a2 = int(np.flatnonzero(titles == "a2")[0])
    assert titles[ranker.songs_for(np.array([a2]), 2)[0]].tolist() == ["b2", "d1"]


def test_most_popular_artists_rank_by_artist_popularity_without_the_query() -> None:
    catalogue = make_catalogue([("w", "W", False, 1.0), ("x", "X", True, 30.0), ("y", "Y", True, 70.0),
                                ("z", "Z", True, NAN)])
    names = catalogue.artists["name"].to_numpy()
    ranker = MostPopular(catalogue)
    assert names[ranker.artists_for(np.array([0]), 3)[0]].tolist() == ["Y", "X", "Z"]
    y = int(np.flatnonzero(names == "Y")[0])
    assert names[ranker.artists_for(np.array([y]), 2)[0]].tolist() == ["X", "Z"]


def test_random_picks_are_korean_distinct_never_the_query_artist_and_reproducible(catalogue: Catalogue) -> None:
    queries = np.arange(len(catalogue.songs))
    picks = RandomPicks(catalogue, seed=7).songs_for(queries, 5)
    assert (picks == RandomPicks(catalogue, seed=7).songs_for(queries, 5)).all()
    assert not (picks == RandomPicks(catalogue, seed=8).songs_for(queries, 5)).all()
    assert (picks >= 0).all()
    assert catalogue.korean_mask[picks].all()
    artists = artist_of(catalogue, picks)
    assert all(len(set(row)) == 5 for row in artists.tolist())
    assert (artists != artist_of(catalogue, queries)[:, None]).all()


def test_random_picks_pad_when_fewer_artists_than_k(catalogue: Catalogue) -> None:
    ranker = RandomPicks(catalogue)
    songs = ranker.songs_for(np.array([0, 6]), 10)  # a western query and a song of KA
    assert ((songs >= 0).sum(axis=1) == [7, 6]).all()
    korean_artists = np.flatnonzero(catalogue.artists["korean"].to_numpy())
    artists = ranker.artists_for(korean_artists[:1], 10)
    assert sorted(artists[0][artists[0] >= 0].tolist()) == korean_artists[1:].tolist()


def test_random_song_picks_draw_artists_in_proportion_to_their_songs(catalogue: Catalogue) -> None:
    """As the A/B arm: the first pick is uniform over Korean songs, so an artist leads as often as it has songs."""
    first = RandomPicks(catalogue, seed=1).songs_for(np.zeros(40_000, dtype=np.int64), 3)[:, 0]
    korean = catalogue.korean_mask
    expected = np.bincount(artist_of(catalogue, np.flatnonzero(korean)), minlength=len(catalogue.artists))
    observed = np.bincount(artist_of(catalogue, first), minlength=len(catalogue.artists))
    assert np.allclose(observed / len(first), expected / korean.sum(), atol=0.01)


def test_random_artist_picks_are_uniform_over_korean_artists(catalogue: Catalogue) -> None:
    picks = RandomPicks(catalogue, seed=2).artists_for(np.zeros(30_000, dtype=np.int64), 2)
    korean_artists = np.flatnonzero(catalogue.artists["korean"].to_numpy())
    share = np.bincount(picks.ravel(), minlength=len(catalogue.artists))[korean_artists] / picks.size
    assert np.allclose(share, 1 / len(korean_artists), atol=0.01)


def test_standard_rankers_satisfy_the_protocol_with_unique_names(catalogue: Catalogue) -> None:
    tables = [build_tables(catalogue, s, k_songs=10, k_artists=5) for s in ("global", "per-side")]
    rankers = standard_rankers(catalogue, tables, seed=0)
    assert [r.name for r in rankers] == ["audio KNN (global)", "audio KNN (per-side)", "random", "most popular"]
    assert all(isinstance(r, Ranker) for r in rankers)
    assert [r.random for r in rankers] == [False, False, True, False]


@pytest.mark.parametrize("familiarity", [1.0, 0.0, -1.0])
def test_the_hybrid_ranker_picks_what_the_bot_shows(familiarity: float) -> None:
    cat = blend_catalogue()
    model = HybridModel(cat, build_tables(cat, k_songs=3, k_artists=2), friend_playlists(cat))
    blend = Blend(BlendWeights(0.1, 0.4, 0.2, 0.3), familiarity)
    bot = Recommender(cat, model.tables, model=model, blend=blend)
    ranker = HybridRanker(model, blend)
    western = np.flatnonzero(~cat.korean_mask)
    korean = np.flatnonzero(cat.korean_mask)[:3]
    for k in (1, 4):
        for song_id, row in zip([*western, *korean], ranker.songs_for(np.array([*western, *korean]), k), strict=True):
            assert row[row >= 0].tolist() == [c.song_id for c in bot.for_song(int(song_id), count=k)]
        artist_ids = np.arange(len(cat.artists))
        for artist_id, row in zip(artist_ids, ranker.artists_for(artist_ids, k), strict=True):
            shown = [int(cat.songs.at[c.song_id, "artist_id"]) for c in bot.for_artist(int(artist_id), count=k)]
            assert row[row >= 0].tolist() == shown
    assert [r.name for r in hybrid_rankers(model, blend)] == [
        "audio similarity", "popularity", "genre bridge", "co-listening", "blend"]
    assert ranker.excluding({"listener:ann"}).model.colistening.listeners == {"listener:bob"}
