"""Feature scaling and neighbour tables, checked against a plain numpy brute force."""

import numpy as np
import pandas as pd
import pytest

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.catalogue.features import SCALINGS, scale_features
from recommender.ranking.neighbours import NeighbourTable, artist_vectors, build_tables, knn_table
from recommender.catalogue.synthetic import add_artist, make_catalogue, random_features


def random_catalogue(n_western: int = 90, n_korean: int = 60, seed: int = 1) -> Catalogue:
    rng = np.random.default_rng(seed)
    rows = [(f"w{i}", f"western {rng.integers(8)}", False, 50.0) for i in range(n_western)]
    rows += [(f"k{i}", f"korean {rng.integers(12)}", True, 50.0) for i in range(n_korean)]
    return make_catalogue(rows, seed=seed)


def assert_exact_neighbours(table: NeighbourTable, points: np.ndarray, candidates: np.ndarray) -> None:
    """Every row holds its k nearest candidates (never itself), ties in any order."""
    points = points.astype(np.float64)
    k = table.neighbours.shape[1]
    true = np.linalg.norm(points[:, None, :] - points[None, candidates, :], axis=2)
    true[candidates, np.arange(len(candidates))] = np.inf  # a row is never its own neighbour
    expected = np.sort(true, axis=1)[:, :k]
    assert np.allclose(table.distances, expected, atol=1e-4, equal_nan=False)

    position = np.full(len(points), -1)
    position[candidates] = np.arange(len(candidates))
    found = table.neighbours >= 0
    assert (position[table.neighbours[found]] >= 0).all(), "a neighbour is not a candidate"
    rows = np.nonzero(found)[0]
    assert (table.neighbours[found] != rows).all(), "a row lists itself"
    actual = true[rows, position[table.neighbours[found]]]
    assert np.allclose(actual, table.distances[found], atol=1e-4), "reported distance is not the true one"
    assert (np.diff(table.distances, axis=1) >= 0).all(), "rows are not nearest first"


@pytest.mark.parametrize("scaling", SCALINGS)
def test_song_table_holds_the_true_nearest_korean_songs(scaling: str) -> None:
    catalogue = random_catalogue()
    tables = build_tables(catalogue, scaling, k_songs=10, k_artists=4)

    assert tables.scaling == scaling
    assert tables.songs.neighbours.shape == (len(catalogue.songs), 10)
    assert tables.songs.neighbours.dtype == np.int32 and tables.songs.distances.dtype == np.float32
    assert_exact_neighbours(tables.songs, scale_features(catalogue, scaling), np.flatnonzero(catalogue.korean_mask))


@pytest.mark.parametrize("scaling", SCALINGS)
def test_artist_table_holds_the_true_nearest_korean_artists(scaling: str) -> None:
    catalogue = random_catalogue()
    tables = build_tables(catalogue, scaling, k_songs=3, k_artists=5)
    vectors = artist_vectors(catalogue, scale_features(catalogue, scaling))
    assert tables.artists.neighbours.shape == (len(catalogue.artists), 5)
    assert_exact_neighbours(tables.artists, vectors, np.flatnonzero(catalogue.artists["korean"].to_numpy()))


def test_global_scaling_uses_one_scaler_and_per_side_one_per_side() -> None:
    catalogue = random_catalogue()
    raw = catalogue.features
    korean = catalogue.korean_mask

    global_scaled = scale_features(catalogue, "global")
    assert global_scaled.dtype == np.float32 and global_scaled.shape == (len(raw), len(FEATURES))
    assert np.allclose(global_scaled, (raw - raw.mean(0)) / raw.std(0), atol=1e-5)

    per_side = scale_features(catalogue, "per-side")
    for side in (korean, ~korean):
        part = raw[side]
        assert np.allclose(per_side[side], (part - part.mean(0)) / part.std(0), atol=1e-5)


def test_scalings_disagree_when_the_sides_sound_different() -> None:
    """Per-side scaling removes a side's offset; global keeps it, so neighbours differ."""
    rng = np.random.default_rng(3)
    rows = [(f"w{i}", f"w{i % 5}", False, 0.0) for i in range(40)] + [
        (f"k{i}", f"k{i % 7}", True, 0.0) for i in range(40)
    ]
    features = random_features(80, rng)
    energy, tempo = FEATURES.index("energy"), FEATURES.index("tempo")
    features[40:, energy] = 0.6 + 0.4 * features[40:, energy]  # K-pop louder on average
    features[40:, tempo] += 25.0
    catalogue = make_catalogue(rows, features)
    global_table = build_tables(catalogue, "global", k_songs=5).songs
    per_side_table = build_tables(catalogue, "per-side", k_songs=5).songs
    assert not np.array_equal(global_table.neighbours[:40], per_side_table.neighbours[:40])


def test_unknown_scaling_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown scaling 'local'"):
        scale_features(random_catalogue(), "local")  # type: ignore[arg-type]


def test_korean_song_is_not_its_own_neighbour_but_its_twin_is() -> None:
    twin = {name: 0.5 for name in FEATURES}
    catalogue = make_catalogue(
        [("a", "A", True, 1.0), ("b", "B", True, 1.0), ("c", "C", True, 1.0), ("w", "W", False, 1.0)],
        [twin, twin, {}, twin],
    )
    table = build_tables(catalogue, k_songs=2).songs
    ids, distances = table.row(0)
    assert ids.tolist() == [1, 2] and distances[0] == 0.0
    assert table.row(1)[0].tolist() == [0, 2]
    assert sorted(table.row(3)[0].tolist()) == [0, 1]  # a western twin sees both twins, distance 0


def test_rows_are_padded_when_fewer_korean_songs_than_k() -> None:
    catalogue = make_catalogue([("k1", "A", True, 1.0), ("k2", "B", True, 1.0), ("w", "W", False, 1.0)])
    table = build_tables(catalogue, k_songs=4).songs
    assert table.neighbours[0].tolist() == [1, -1, -1, -1]
    assert np.isinf(table.distances[0, 1:]).all()
    assert sorted(table.row(2)[0].tolist()) == [0, 1]
    ids, distances = table.row(0)
    assert ids.tolist() == [1] and np.isfinite(distances).all()


def test_row_rejects_ids_outside_the_table() -> None:
    table = build_tables(random_catalogue(), k_songs=2).songs
    with pytest.raises(IndexError, match="outside"):
        table.row(-1)
    with pytest.raises(IndexError, match="outside"):
        table.row(table.n_rows)


def test_artist_vectors_are_the_means_of_their_songs() -> None:
    catalogue = random_catalogue()
    scaled = scale_features(catalogue, "global")
    by_pandas = pd.DataFrame(scaled).groupby(catalogue.songs["artist_id"]).mean().to_numpy()
    vectors = artist_vectors(catalogue, scaled)
    assert vectors.shape == (len(catalogue.artists), len(FEATURES)) and vectors.dtype == np.float32
    assert np.allclose(vectors, by_pandas, atol=1e-6)
    assert np.allclose(
        artist_vectors(catalogue, catalogue.features),
        pd.DataFrame(catalogue.features).groupby(catalogue.songs["artist_id"]).mean().to_numpy(),
    )


def test_an_artist_without_songs_has_no_vector_and_no_neighbours() -> None:
    base = make_catalogue([("k1", "A", True, 1.0), ("k2", "B", True, 1.0), ("w", "W", False, 1.0)])
    catalogue = add_artist(base, "Silent", korean=True)

    assert np.isnan(artist_vectors(catalogue, catalogue.features)[3]).all()
    artists = build_tables(catalogue, k_artists=3).artists
    assert artists.row(3)[0].size == 0
    assert 3 not in artists.neighbours
    assert artists.row(2)[0].tolist() in ([0, 1], [1, 0])


def test_knn_table_gives_the_same_answer_in_any_chunk_size() -> None:
    rng = np.random.default_rng(5)
    queries = rng.standard_normal((50, 11)).astype(np.float32)
    korean = queries[::3]
    exclude = np.full(50, -1)
    exclude[::3] = np.arange(len(korean))
    whole = knn_table(queries, korean, 4, exclude)
    chunked = knn_table(queries, korean, 4, exclude, chunk_rows=7)
    assert np.array_equal(whole.neighbours, chunked.neighbours)
    assert np.array_equal(whole.distances, chunked.distances)
    assert not (whole.neighbours[::3] == np.arange(len(korean))[:, None]).any()


def test_knn_table_without_korean_rows_is_all_padding() -> None:
    table = knn_table(np.zeros((3, 11), np.float32), np.zeros((0, 11), np.float32), 2)
    assert (table.neighbours == -1).all() and np.isinf(table.distances).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be at least 1"),
        ({"korean": np.zeros((4, 10), np.float32)}, "same columns"),
        ({"exclude_self": np.array([0, 9, -1])}, "positions in korean"),
        ({"exclude_self": np.array([0, -1])}, "shape"),
    ],
)
def test_knn_table_rejects_inconsistent_input(kwargs: dict, message: str) -> None:
    arguments = {"queries": np.zeros((3, 11), np.float32), "korean": np.zeros((4, 11), np.float32), "k": 2}
    with pytest.raises(ValueError, match=message):
        knn_table(**(arguments | kwargs))
