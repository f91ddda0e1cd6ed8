"""Offline evaluation: which queries count, what a hit is at each level, exact baselines, intervals."""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np
import pandas as pd
import pytest

from recommender.catalogue.catalogue import Catalogue
from recommender.offline.evaluation import (
    MAX_DRAWS,
    MIN_DRAWS,
    RANDOM_SAMPLES,
    EvaluationSet,
    QueryHits,
    draws_for,
    evaluate,
    hit_rates,
    query_hits,
)
from recommender.catalogue.playlist_files import MatchedPlaylists
from recommender.offline.rankers import RandomPicks
from recommender.catalogue.synthetic import add_artist, make_catalogue


def catalogue_of(western: dict[str, int], korean: dict[str, int]) -> Catalogue:
    """Artists with that many songs each, titled artist.number ("W1.0", "KA.1")."""
    rows = [(f"{a}.{i}", a, False, 50.0) for a, n in western.items() for i in range(n)]
    rows += [(f"{a}.{i}", a, True, 50.0) for a, n in korean.items() for i in range(n)]
    return make_catalogue(rows)


def song(catalogue: Catalogue, title: str) -> int:
    return int(np.flatnonzero(catalogue.songs["title"].to_numpy() == title)[0])


def artist(catalogue: Catalogue, name: str) -> int:
    return int(np.flatnonzero(catalogue.artists["name"].to_numpy() == name)[0])


def evaluation_set(catalogue: Catalogue, playlists: dict[str, list[str]], listener: str = "") -> EvaluationSet:
    """Playlists of song titles; an entry "@Name" is a row whose song is unknown but whose artist is known."""
    rows = []
    for name, entries in playlists.items():
        for entry in entries:
            if entry.startswith("@"):
                song_id, artist_id = -1, artist(catalogue, entry[1:])
            else:
                song_id = song(catalogue, entry)
                artist_id = int(catalogue.songs.at[song_id, "artist_id"])
            rows.append({"listener": listener, "playlist": name, "song_id": song_id, "artist_id": artist_id,
                         "how": "id" if song_id >= 0 else "artist"})
    return EvaluationSet.from_matches(MatchedPlaylists("test.csv", pd.DataFrame(rows)), catalogue)


@dataclass
class Fixed:
    """A ranker answering from a table: query id -> picks."""

    songs: dict[int, list[int]]
    artists: dict[int, list[int]]
    name: str = "fixed"
    random: bool = False

    @staticmethod
    def _rows(table: dict[int, list[int]], ids: np.ndarray, k: int) -> np.ndarray:
        out = np.full((len(ids), k), -1, dtype=np.int64)
        for i, query in enumerate(ids.tolist()):
            picks = table.get(query, [])[:k]
            out[i, : len(picks)] = picks
        return out

    def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray:
        return self._rows(self.songs, song_ids, k)

    def artists_for(self, artist_ids: np.ndarray, k: int) -> np.ndarray:
        return self._rows(self.artists, artist_ids, k)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return catalogue_of({"WA": 2, "WB": 2, "WC": 1}, {"KA": 2, "KB": 2, "KC": 1, "KD": 1})


def test_only_playlists_with_both_sides_count_at_each_level(catalogue: Catalogue) -> None:
    catalogue = add_artist(catalogue, "Songless", korean=True)  # known by name, nothing to recommend
    ev = evaluation_set(catalogue, {
        "both": ["WA.0", "WA.1", "WB.0", "KA.0"],
        "western only": ["WC.0"],
        "korean artist only": ["WB.1", "@KB"],  # a Korean artist, but none of its songs in the playlist
        "korean only": ["KC.0"],
        "songless korean artist": ["WC.0", "@Songless"],
    })
    assert len(ev.playlists) == 5
    # song level: western songs of playlists holding a Korean *song*
    assert ev.coverage("song") == (1, 3)
    # artist levels: the artist-only row counts as a Korean artist of its playlist
    assert ev.coverage("song-artist") == (2, 4)
    assert ev.coverage("artist") == (2, 3)  # WA, WB in "both"; WB in "korean artist only"
    playlist, items = ev.queries("artist")
    assert sorted(items.tolist()) == sorted([artist(catalogue, "WA"), artist(catalogue, "WB"),
                                             artist(catalogue, "WB")])


def test_same_named_playlists_of_two_listeners_stay_apart(catalogue: Catalogue) -> None:
    rows = pd.DataFrame({
        "listener": ["ann", "ann", "bob", "bob"],
        "playlist": ["Favourites"] * 4,
        "song_id": [song(catalogue, t) for t in ("WA.0", "KA.0", "WB.0", "KB.0")],
        "artist_id": [artist(catalogue, a) for a in ("WA", "KA", "WB", "KB")],
        "how": ["id"] * 4,
    })
    ev = EvaluationSet.from_matches(MatchedPlaylists("x.csv", rows), catalogue)
    assert ev.playlists.values.tolist() == [["ann", "Favourites"], ["bob", "Favourites"]]
    assert ev.coverage("song") == (2, 2)


def test_what_a_hit_is_at_each_level(catalogue: Catalogue) -> None:
    ev = evaluation_set(catalogue, {"p": ["WA.0", "WB.0", "KA.0", "KC.0"]})
    wa0, wb0 = song(catalogue, "WA.0"), song(catalogue, "WB.0")
    ka0, ka1, kb0, kc0 = (song(catalogue, t) for t in ("KA.0", "KA.1", "KB.0", "KC.0"))
    ka, kb, kc = (artist(catalogue, a) for a in ("KA", "KB", "KC"))
    ranker = Fixed(
        songs={wa0: [ka1, kb0, kc0], wb0: [kb0, ka0]},  # WA0: another song of KA, then KC0 itself at 3
        artists={artist(catalogue, "WA"): [kb, ka], artist(catalogue, "WB"): [kb]},
    )
    ks = (1, 2, 3)
    song_level = query_hits(ev, ranker, "song", ks)
    assert dict(zip(song_level.item.tolist(), song_level.hits.tolist())) == {wa0: [0, 0, 1], wb0: [0, 1, 1]}
    by_artist = query_hits(ev, ranker, "song-artist", ks)
    assert dict(zip(by_artist.item.tolist(), by_artist.hits.tolist())) == {wa0: [1, 1, 1], wb0: [0, 1, 1]}
    artists = query_hits(ev, ranker, "artist", ks)
    assert dict(zip(artists.item.tolist(), artists.hits.tolist())) == {
        artist(catalogue, "WA"): [0, 1, 1], artist(catalogue, "WB"): [0, 0, 0]}


def test_an_oracle_scores_one_and_a_ranker_that_never_hits_scores_zero(catalogue: Catalogue) -> None:
    playlists = {"p": ["WA.0", "WA.1", "KA.0"], "q": ["WB.0", "WB.1", "KB.1"], "r": ["WC.0", "KD.0"]}
    ev = evaluation_set(catalogue, playlists)
    # Each playlist's last entry is its Korean song; the oracle names it (or its artist) for every other entry.
    oracle_songs = {song(catalogue, w): [song(catalogue, ks[-1])] for ks in playlists.values() for w in ks[:-1]}
    oracle_artists = {artist(catalogue, w.split(".")[0]): [artist(catalogue, ks[-1].split(".")[0])]
                      for ks in playlists.values() for w in ks[:-1]}
    oracle = Fixed(oracle_songs, oracle_artists, name="oracle")
    never = Fixed({}, {}, name="never")
    rates = evaluate(ev, [oracle, never], ks=(1, 3))
    assert len(rates) == 3 * 2 * 2
    for rate in rates:
        expected = 1.0 if rate.ranker == "oracle" else 0.0
        assert (rate.rate, rate.low, rate.high) == (expected, expected, expected)
        assert rate.playlists == 3
        assert rate.queries == (3 if rate.level == "artist" else 5)


def test_random_picks_score_their_exact_expectation() -> None:
    """One song per Korean artist makes the random arm uniform sampling without replacement:
    P(hit@k) = 1 - C(N - T, k) / C(N, k) for a playlist holding T of the N Korean songs."""
    n_korean = 12
    catalogue = catalogue_of({f"W{i}": 1 for i in range(6)}, {f"K{i}": 1 for i in range(n_korean)})
    playlists = {"a": ["W0.0", "W1.0", "K0.0"], "b": ["W2.0", "K1.0", "K2.0", "K3.0"],
                 "c": ["W3.0", "W4.0", "W5.0", "K4.0", "K5.0"]}
    ev = evaluation_set(catalogue, playlists)
    ks = (1, 3, 10)
    ranker = RandomPicks(catalogue, seed=11)
    for level in ("song", "song-artist", "artist"):
        rates = evaluate(ev, [ranker], levels=[level], ks=ks)
        assert all(r.draws == MAX_DRAWS for r in rates)  # six queries: as many draws as allowed
        for rate in rates:
            expected = np.mean([1 - comb(n_korean - t, rate.k) / comb(n_korean, rate.k)
                                for t, queries in ((1, 2), (3, 1), (2, 3)) for _ in range(queries)])
            # 12,000 draws in all: a standard error of at most 0.005
            assert rate.rate == pytest.approx(expected, abs=0.02), (level, rate.k)


def test_random_rankers_get_enough_draws_in_all_and_per_query() -> None:
    assert draws_for(1) == MAX_DRAWS
    assert draws_for(1_000) == RANDOM_SAMPLES // 1_000
    assert draws_for(10**7) == MIN_DRAWS


def half_right(n_playlists: int, catalogue: Catalogue) -> tuple[EvaluationSet, Fixed]:
    """n playlists, each "W<i>.0" + "KA.0"; the ranker finds KA.0 for even i only."""
    ev = evaluation_set(catalogue, {f"p{i}": [f"W{i}.0", "KA.0"] for i in range(n_playlists)})
    ka0 = song(catalogue, "KA.0")
    other = song(catalogue, "KB.0")
    ranker = Fixed({song(catalogue, f"W{i}.0"): [ka0 if i % 2 == 0 else other] for i in range(n_playlists)}, {})
    return ev, ranker


def test_bootstrap_interval_holds_the_estimate_and_narrows_with_more_playlists() -> None:
    catalogue = catalogue_of({f"W{i}": 1 for i in range(80)}, {"KA": 1, "KB": 1})
    widths = []
    for n in (10, 80):
        ev, ranker = half_right(n, catalogue)
        (rate,) = hit_rates(query_hits(ev, ranker, "song", (1,)), seed=5)
        assert rate.rate == 0.5
        assert rate.low < rate.rate < rate.high
        widths.append(rate.high - rate.low)
    assert widths[1] < widths[0] * 0.6  # about 1/sqrt(8) as wide


def test_bootstrap_resamples_playlists_not_queries() -> None:
    """Two playlists, one all hits and one all misses: resampling queries would give a narrow
    interval around 0.5; resampling the two playlists spans nearly everything."""
    catalogue = catalogue_of({f"W{i}": 1 for i in range(40)}, {"KA": 1, "KB": 1})
    ka0, kb0 = song(catalogue, "KA.0"), song(catalogue, "KB.0")
    ev = evaluation_set(catalogue, {"hits": [f"W{i}.0" for i in range(20)] + ["KA.0"],
                                    "misses": [f"W{i}.0" for i in range(20, 40)] + ["KA.0"]})
    ranker = Fixed({song(catalogue, f"W{i}.0"): [ka0 if i < 20 else kb0] for i in range(40)}, {})
    (rate,) = hit_rates(query_hits(ev, ranker, "song", (1,)), seed=0)
    assert rate.rate == 0.5
    assert (rate.low, rate.high) == (0.0, 1.0)


def test_intervals_are_reproducible_and_do_not_depend_on_the_other_rankers() -> None:
    catalogue = catalogue_of({f"W{i}": 1 for i in range(30)}, {"KA": 1, "KB": 1})
    ev, ranker = half_right(30, catalogue)
    alone = evaluate(ev, [ranker], levels=["song"], ks=(1,), seed=3)
    assert alone == evaluate(ev, [ranker], levels=["song"], ks=(1,), seed=3)
    other = Fixed({}, {}, name="other")
    assert evaluate(ev, [other, ranker], levels=["song"], ks=(1,), seed=3)[1] == alone[0]


def test_scores_of_parts_pool_into_the_score_of_the_whole() -> None:
    """What a leave-one-listener-out protocol needs: score each part on its own, pool, summarise."""
    catalogue = catalogue_of({f"W{i}": 1 for i in range(12)}, {"KA": 1, "KB": 1})
    ev, ranker = half_right(12, catalogue)
    whole = query_hits(ev, ranker, "song", (1,))
    parts = [query_hits(ev.restrict(np.arange(i, 12, 3)), ranker, "song", (1,)) for i in range(3)]
    assert hit_rates(QueryHits.concat(parts)) == hit_rates(whole)
    with pytest.raises(ValueError, match="one ranker"):
        QueryHits.concat([parts[0], query_hits(ev, ranker, "song", (1, 2))])


def test_a_ranker_breaking_its_contract_is_refused(catalogue: Catalogue) -> None:
    ev = evaluation_set(catalogue, {"p": ["WA.0", "KA.0"]})
    wa0 = song(catalogue, "WA.0")
    with pytest.raises(ValueError, match="picked ids that are not Korean songs"):
        query_hits(ev, Fixed({wa0: [song(catalogue, "WB.0")]}, {}), "song", (1,))

    class Short(Fixed):
        def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray:
            return np.zeros((len(song_ids), k - 1), dtype=np.int64)

    with pytest.raises(ValueError, match=r"returned int64 \(1, 2\), expected integer \(1, 3\)"):
        query_hits(ev, Short({}, {}), "song", (3,))
    with pytest.raises(ValueError, match="unknown level"):
        query_hits(ev, Fixed({}, {}), "album", (1,))
    with pytest.raises(ValueError, match="at least 1"):
        query_hits(ev, Fixed({}, {}), "song", (0, 3))
    with pytest.raises(ValueError, match="unique"):
        evaluate(ev, [Fixed({}, {}), Fixed({}, {})])


def test_a_level_without_queries_reports_nan_not_an_error(catalogue: Catalogue) -> None:
    ev = evaluation_set(catalogue, {"p": ["WA.0", "@KB"]})  # no Korean song: nothing to score at song level
    (rate,) = evaluate(ev, [Fixed({}, {})], levels=["song"], ks=(1,))
    assert (rate.queries, rate.playlists) == (0, 0)
    assert np.isnan(rate.rate) and np.isnan(rate.low)


def test_a_file_matching_nothing_scores_nothing(catalogue: Catalogue) -> None:
    rows = pd.DataFrame({"listener": [""], "playlist": ["p"], "song_id": [-1], "artist_id": [-1], "how": ["none"]})
    ev = EvaluationSet.from_matches(MatchedPlaylists("x.csv", rows), catalogue)
    assert len(ev.playlists) == 0
    rates = evaluate(ev, [Fixed({}, {}), RandomPicks(catalogue)], ks=(1,))
    assert len(rates) == 6 and all(r.queries == 0 and np.isnan(r.rate) for r in rates)
