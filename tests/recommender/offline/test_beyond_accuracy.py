"""Beyond-accuracy figures and the long-tail evaluation on hand-computed examples; the most-listened baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.playlist_files import MatchedPlaylists
from recommender.catalogue.synthetic import make_catalogue
from recommender.offline.beyond_accuracy import (
    best_known_western,
    diversity,
    head_acts,
    long_tail,
    mean_pairwise_jaccard,
)
from recommender.offline.evaluation import EvaluationSet, evaluate
from recommender.offline.rankers import MostListened, MostPopular

# Western query artists 0, 1, 2; Korean acts A..E are artists 3..7.
A, B, C, D, E = range(3, 8)
NAMES = ["W0", "W1", "W2", "A", "B", "C", "D", "E"]
FAMILIES = [frozenset({"rock"}), frozenset(), frozenset({"hip hop", "pop"}),
            frozenset({"pop"}), frozenset({"rock"}), frozenset(), frozenset({"rock"}), frozenset({"hip hop"})]


def test_the_figures_of_three_lists_by_hand() -> None:
    lists = np.array([[A, B, C], [A, B, D], [A, E, -1]])
    figures = diversity("r", lists, np.array([0, 1, 2]), NAMES, FAMILIES, np.arange(3, 8))
    assert figures.distinct_acts == 5 and (figures.top_act, figures.top_act_share) == ("A", 1.0)
    # pairs: {A,B} of {A,B,C,D} = 1/2; {A} of {A,B,C,E} = 1/4; {A} of {A,B,D,E} = 1/4
    assert figures.mean_jaccard == pytest.approx((1 / 2 + 1 / 4 + 1 / 4) / 3)
    # W1 has no family. W0 (rock): B of A, B (C's family is unknown: not checked); W2 (hip hop, pop): A and E.
    assert figures.family_queries == 2 and figures.coherence == pytest.approx(3 / 4)
    # a random act of known family (A, B, D, E): W0 shares with B, D (2 of 4), W2 with A, E (2 of 4)
    assert figures.chance == pytest.approx(2 / 4)


def test_jaccard_is_one_for_identical_answers_and_zero_for_disjoint_ones() -> None:
    assert mean_pairwise_jaccard(np.array([[3, 4, 5]] * 4)) == 1.0
    assert mean_pairwise_jaccard(np.array([[3, 4], [5, 6], [7, -1]])) == 0.0
    assert np.isnan(mean_pairwise_jaccard(np.array([[3, 4]])))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return make_catalogue([
        ("w1", "Many Songs", False, 10.0), ("w2", "Many Songs", False, 10.0),
        ("w3", "Famous", False, 90.0),
        ("k1", "Star", True, 90.0), ("k2", "Niche", True, 10.0), ("k3", "Middle", True, 50.0),
    ])


def test_best_known_western_artists_have_the_most_songs_then_popularity(catalogue: Catalogue) -> None:
    names = catalogue.artists["name"].to_numpy()
    assert names[best_known_western(catalogue, 5)].tolist() == ["Many Songs", "Famous"]
    assert names[head_acts(catalogue, 2)].tolist() == ["Star", "Middle"]
    # the head is fame as the ranking measures it (its songs), not an artist file's popularity figure
    rated = Catalogue(catalogue.songs, catalogue.artists.assign(
        popularity=np.where(catalogue.artists["name"] == "Niche", 100.0, catalogue.artists["popularity"])))
    assert names[head_acts(rated, 2)].tolist() == ["Star", "Middle"]


def _evaluation(catalogue: Catalogue, playlists: list[tuple[str, list[str]]]) -> EvaluationSet:
    ids = {name: i for i, name in enumerate(catalogue.artists["name"])}
    rows = [(who, "mix", ids[artist]) for who, artists in playlists for artist in artists]
    frame = pd.DataFrame({"listener": [r[0] for r in rows], "playlist": [r[1] for r in rows],
                          "song_id": -1, "artist_id": [r[2] for r in rows]})
    return EvaluationSet.from_matches(MatchedPlaylists("hand", frame), catalogue)


def test_long_tail_hits_do_not_count_the_head(catalogue: Catalogue) -> None:
    evaluation = _evaluation(catalogue, [("ann", ["Famous", "Star"]), ("bob", ["Famous", "Niche"])])
    ranker = MostPopular(catalogue)  # Star, Middle, Niche for everyone
    plain = evaluate(evaluation, [ranker], levels=["artist"], ks=[1, 3], resamples=10)
    assert [(r.k, r.rate, r.playlists) for r in plain] == [(1, 0.5, 2), (3, 1.0, 2)]
    star = catalogue.artists.index[catalogue.artists["name"] == "Star"].to_numpy()
    tail = evaluate(long_tail(evaluation, star), [ranker], levels=["artist"], ks=[1, 3], resamples=10)
    # ann's only Korean act is the head act: her playlist drops out; bob's Niche is third
    assert [(r.k, r.rate, r.playlists) for r in tail] == [(1, 0.0, 1), (3, 1.0, 1)]


def test_most_listened_ranks_acts_by_listeners_each_weighing_one(catalogue: Catalogue) -> None:
    ids = {name: i for i, name in enumerate(catalogue.artists["name"])}
    # cy has two playlists, one with Star: half a listener; ann and bob play Niche: two listeners
    data = PlaylistArtists.from_table(
        ["ann", "bob", "cy", "cy"], ["a", "b", "c1", "c2"],
        np.array([ids["Niche"], ids["Niche"], ids["Star"], ids["Famous"]]))
    ranker = MostListened(catalogue, data)
    names = catalogue.artists["name"].to_numpy()
    assert names[ranker.artists_for(np.array([ids["Famous"]]), 3)[0]].tolist() == ["Niche", "Star", "Middle"]
    songs = ranker.songs_for(np.array([0]), 2)[0]
    assert names[catalogue.songs["artist_id"].to_numpy()[songs]].tolist() == ["Niche", "Star"]
    # without ann and bob nobody plays Niche any more: it falls back to its popularity's place
    fewer = ranker.excluding({"listener:ann", "listener:bob"})
    assert names[fewer.artists_for(np.array([ids["Famous"]]), 3)[0]].tolist() == ["Star", "Middle", "Niche"]


def test_song_queries_are_counted_by_the_acts_of_their_picks(catalogue: Catalogue) -> None:
    from recommender.offline.beyond_accuracy import best_known_western_songs, song_diversity_of

    titles = catalogue.songs["title"].to_numpy()
    assert titles[best_known_western_songs(catalogue, 2)].tolist() == ["w3", "w1"]  # most popular, then by id
    [figures] = song_diversity_of([MostPopular(catalogue)], catalogue, queries=3, families=[frozenset()] * 6)
    # the same three songs for every query: Star's, Middle's and Niche's, in three lists
    assert (figures.queries, figures.distinct_acts, figures.top_act_share, figures.mean_jaccard) == (3, 3, 1.0, 1.0)
    assert figures.coherence is None  # no query has a family
