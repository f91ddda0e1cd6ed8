"""Tuning the blend: the grid, folds of whole listeners, nested choices, and no listener ever scored on itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recommender.offline.tuning
from recommender.ranking.blend import SIGNALS, Blend, BlendWeights, HybridModel
from recommender.catalogue.catalogue import Catalogue
from recommender.offline.evaluation import EvaluationSet, listener_hits, query_hits
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.playlist_files import MatchedPlaylists
from recommender.offline.rankers import HybridRanker
from recommender.offline.tuning import GRID_STEPS, listener_folds, tune, weight_grid
from recommender.catalogue.synthetic import make_catalogue


def test_the_grid_shares_quarters_among_the_signals() -> None:
    grid = weight_grid()
    assert len(grid) == 35 and GRID_STEPS == 4
    assert all(w.as_array().sum() == pytest.approx(1.0) for w in grid)
    assert BlendWeights(0.25, 0.25, 0.25, 0.25) in grid
    assert all(BlendWeights.only(signal).normalised() in grid for signal in SIGNALS)
    assert len(set(grid)) == len(grid)
    with pytest.raises(ValueError):
        weight_grid(0)


def test_folds_hold_whole_listeners_one_each_up_to_the_limit() -> None:
    keys = ["listener:ann", "listener:bob", "playlist:x", "listener:ann"]
    folds = listener_folds(keys, max_folds=5)
    assert sorted(sorted(f) for f in folds) == [["listener:ann"], ["listener:bob"], ["playlist:x"]]
    many = [f"playlist:{i}" for i in range(23)]
    folds = listener_folds(many, max_folds=5)
    assert len(folds) == 5 and sorted(len(f) for f in folds) == [4, 4, 5, 5, 5]
    assert sorted(k for f in folds for k in f) == sorted(many)  # each exactly once
    assert listener_folds(list(reversed(many)), max_folds=5) == folds  # reproducible, whatever the order
    with pytest.raises(ValueError, match="at least 2 listeners"):
        listener_folds(["listener:ann"])


# A catalogue and playlists: each listener pairs one western artist with one obscure Korean act, and a
# famous act sits in nobody's playlist. Listener x's playlist pairs W0 with K0, as ann's does.
ARTISTS = ["W0", "W1", "W2"]
KOREAN = ["K0", "K1", "K2", "Famous"]


def tuning_catalogue() -> Catalogue:
    rows = [(f"{a} song", a, False, 50.0) for a in ARTISTS]
    rows += [(f"{k} song", k, True, 5.0) for k in KOREAN[:-1]]
    rows += [(f"Famous {i}", "Famous", True, 99.0) for i in range(5)]
    return make_catalogue(rows, seed=11)


def matched(cat: Catalogue, rows: list[tuple[str, str, str]]) -> MatchedPlaylists:
    """(listener, playlist, song title) rows, matched."""
    titles = cat.songs["title"].tolist()
    frame = pd.DataFrame([
        {"listener": who, "playlist": name, "song_id": titles.index(title),
         "artist_id": int(cat.songs.at[titles.index(title), "artist_id"]), "how": "id"}
        for who, name, title in rows
    ])
    return MatchedPlaylists("listeners.csv", frame)


LISTENER_ROWS = [
    ("ann", "a", "W0 song"), ("ann", "a", "K0 song"),
    ("bob", "b", "W1 song"), ("bob", "b", "K1 song"),
    ("cat", "c", "W2 song"), ("cat", "c", "K2 song"),
    ("", "x", "W0 song"), ("", "x", "K0 song"),
]


@pytest.fixture(scope="module")
def setup() -> tuple[Catalogue, EvaluationSet, HybridModel]:
    cat = tuning_catalogue()
    found = matched(cat, LISTENER_ROWS)
    model = HybridModel(cat, build_tables(cat, k_songs=3, k_artists=2), PlaylistArtists.from_matches(found))
    return cat, EvaluationSet.from_matches(found, cat), model


def test_a_listener_is_never_scored_with_their_own_playlists_in_co_listening(
    setup: tuple[Catalogue, EvaluationSet, HybridModel],
) -> None:
    """The leakage guard: only bob's own playlist links W1 with K1 (and cat's W2 with K2), so scored honestly,
    co-listening cannot find them; fitted on everyone, it would."""
    cat, evaluation, model = setup
    ranker = HybridRanker(model, Blend(BlendWeights.only("colistening")), "co-listening")
    honest = listener_hits(evaluation, ranker, "artist", (1,))
    leaky = query_hits(evaluation, ranker, "artist", (1,))  # co-listening fitted on everyone
    keys = evaluation.listener_keys()
    for hits in (honest, leaky):
        assert sorted(keys[hits.playlist].tolist()) == ["listener:ann", "listener:bob", "listener:cat",
                                                         "playlist:x"]
    honest_by = dict(zip(keys[honest.playlist].tolist(), honest.hits[:, 0].tolist(), strict=True))
    leaky_by = dict(zip(keys[leaky.playlist].tolist(), leaky.hits[:, 0].tolist(), strict=True))
    assert leaky_by == {"listener:ann": 1.0, "listener:bob": 1.0, "listener:cat": 1.0, "playlist:x": 1.0}
    # bob's and cat's pairs exist nowhere else; ann's pair is also playlist x's, and x's is ann's.
    assert honest_by == {"listener:ann": 1.0, "listener:bob": 0.0, "listener:cat": 0.0, "playlist:x": 1.0}


def test_tuning_never_chooses_weights_on_the_listeners_it_scores(
    setup: tuple[Catalogue, EvaluationSet, HybridModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, evaluation, model = setup
    calls: list[tuple[frozenset[str], frozenset[str], frozenset[str]]] = []
    original = recommender.offline.tuning._Scorer.grid_hits

    def spy(self, fold, excluded):  # type: ignore[no-untyped-def]
        found = original(self, fold, excluded)
        fitted = self.model.excluding(fold | excluded).colistening.listeners
        calls.append((fold, excluded, frozenset(fitted)))
        return found

    monkeypatch.setattr(recommender.offline.tuning._Scorer, "grid_hits", spy)
    result = tune(model, [evaluation])
    folds = [choice.held_out for choice in result.folds]
    assert sorted(k for f in folds for k in f) == ["listener:ann", "listener:bob", "listener:cat", "playlist:x"]
    # Nested: for each held-out fold, every other fold is scored without it; then all folds for the stored weights.
    expected = [(g, o) for o in folds for g in folds if g != o] + [(g, frozenset()) for g in folds]
    assert [(fold, excluded) for fold, excluded, _ in calls] == expected
    for fold, excluded, fitted in calls:
        assert not fitted & (fold | excluded)  # co-listening never holds the scored or the held-out listeners
    # The honest estimate scores each fold once, with its own choice.
    blend = result.blend_hits[0]["artist"]
    keys = evaluation.listener_keys()
    assert sorted(keys[blend.playlist].tolist()) == sorted(k for f in folds for k in f)
    assert result.weights in weight_grid() and result.grid_size == 35
    assert 0.0 <= result.objective <= 1.0


def test_tuning_needs_two_listeners_with_queries(setup: tuple[Catalogue, EvaluationSet, HybridModel]) -> None:
    cat, _, model = setup
    alone = EvaluationSet.from_matches(matched(cat, LISTENER_ROWS[:2]), cat)
    with pytest.raises(ValueError, match="at least 2 listeners"):
        tune(model, [alone])
    with pytest.raises(ValueError, match="at least one playlist file"):
        tune(model, [])


def test_regularisation_prefers_even_weights_when_the_data_cannot_tell() -> None:
    """With every weight scoring the same, the stored choice is all signals equal."""
    cat = tuning_catalogue()
    # Every playlist holds all Korean acts: any ranking hits at k=1.
    rows = [(who, who, title) for who in ("ann", "bob", "cat")
            for title in ["W0 song", *(f"{k} song" for k in KOREAN[:-1]), "Famous 0"]]
    found = matched(cat, rows)
    model = HybridModel(cat, build_tables(cat, k_songs=3, k_artists=2), PlaylistArtists.from_matches(found))
    result = tune(model, [EvaluationSet.from_matches(found, cat)])
    assert result.weights == BlendWeights(0.25, 0.25, 0.25, 0.25)
    assert all(choice.weights == result.weights for choice in result.folds)
    assert np.isclose(result.objective, 1.0)
