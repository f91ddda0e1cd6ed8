"""Precomputed nearest Korean neighbours of every song and every artist.

The tables are built once per catalogue (and per scaling), so answering a chat
command is a row lookup, not a search. Distances are Euclidean in the scaled
feature space of :mod:`recommender.catalogue.features`.

Search method: scikit-learn's ``NearestNeighbors`` with ``algorithm="brute"``
on float32. With eleven dimensions and data that fills them, kd- and ball trees
cannot prune much: they measured about 1.5 times slower than brute force on a
seed-sized catalogue and 3 to 6 times slower at a million songs, while the
chunked, multithreaded exact brute search also keeps memory flat
(``benchmarks/bench_build.py`` prints the comparison).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.catalogue.features import Scaling, scale_features

__all__ = ["NeighbourTable", "NeighbourTables", "knn_table", "build_tables", "artist_vectors"]

# Query rows per search call: bounds the int64/float64 arrays scikit-learn
# returns before they are narrowed to int32/float32 (about 11 MB at k=10).
_CHUNK_ROWS = 65_536


@dataclass(frozen=True)
class NeighbourTable:
    """Nearest Korean items per row, nearest first.

    ``neighbours`` is int32 (n_rows, k) with -1 padding where fewer than k exist;
    ``distances`` is float32 (n_rows, k) with inf padding. Padding is always at
    the end of a row.
    """

    neighbours: np.ndarray
    distances: np.ndarray

    def __post_init__(self) -> None:
        if self.neighbours.shape != self.distances.shape or self.neighbours.ndim != 2:
            raise ValueError(
                f"neighbours {self.neighbours.shape} and distances {self.distances.shape} must be the same 2-D shape"
            )

    @property
    def n_rows(self) -> int:
        return self.neighbours.shape[0]

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour ids and distances of row ``i``, without padding."""
        if not 0 <= i < self.n_rows:
            raise IndexError(f"row {i} is outside 0..{self.n_rows - 1}")
        found = self.neighbours[i] >= 0
        return self.neighbours[i][found], self.distances[i][found]


@dataclass(frozen=True)
class NeighbourTables:
    """Both tables of one catalogue, and the scaling they were built with.

    ``songs`` has a row per song_id (western and Korean); its neighbours are
    Korean song ids, never the song itself. ``artists`` has a row per artist_id;
    its neighbours are Korean artist ids, never the artist itself. An artist
    without songs has no vector, so its row is all padding and it is nobody's
    neighbour.
    """

    scaling: Scaling
    songs: NeighbourTable
    artists: NeighbourTable


def knn_table(
    queries: np.ndarray,
    korean: np.ndarray,
    k: int,
    exclude_self: np.ndarray | None = None,
    *,
    chunk_rows: int = _CHUNK_ROWS,
) -> NeighbourTable:
    """The k rows of ``korean`` nearest to each row of ``queries``.

    Neighbours are row positions in ``korean``. ``exclude_self[i]`` is the
    position in ``korean`` of query ``i`` itself, or -1 when the query is not
    one of them; that position is never returned for that query. It is
    dropped by position, not by distance, so a different song with identical
    features still counts as a neighbour at distance 0.

    This array-level entry point exists so very large catalogues can be built
    without materialising a pandas catalogue; :func:`build_tables` uses it too.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    queries = np.asarray(queries, dtype=np.float32)
    korean = np.asarray(korean, dtype=np.float32)
    if queries.ndim != 2 or korean.ndim != 2 or queries.shape[1] != korean.shape[1]:
        raise ValueError(f"queries {queries.shape} and korean {korean.shape} must be 2-D with the same columns")
    n_rows, n_korean = len(queries), len(korean)
    if exclude_self is not None:
        exclude_self = np.asarray(exclude_self)
        if exclude_self.shape != (n_rows,):
            raise ValueError(f"exclude_self must have shape ({n_rows},), got {exclude_self.shape}")
        if n_rows and (exclude_self.min() < -1 or exclude_self.max() >= n_korean):
            raise ValueError("exclude_self must hold positions in korean, or -1")
        if not (exclude_self >= 0).any():
            exclude_self = None

    neighbours = np.full((n_rows, k), -1, dtype=np.int32)
    distances = np.full((n_rows, k), np.inf, dtype=np.float32)
    if n_rows == 0 or n_korean == 0:
        return NeighbourTable(neighbours, distances)

    # Ask for one more when a query may find itself, so k remain after dropping it.
    asked = min(k + (exclude_self is not None), n_korean)
    width = min(k, asked)
    from sklearn.neighbors import NearestNeighbors  # at build time only: a start need not import it

    index = NearestNeighbors(n_neighbors=asked, algorithm="brute").fit(korean)
    for start in range(0, n_rows, chunk_rows):
        stop = min(start + chunk_rows, n_rows)
        dist, idx = index.kneighbors(queries[start:stop])
        if exclude_self is not None:
            itself = idx == exclude_self[start:stop, None]
            idx[itself] = -1
            dist[itself] = np.inf
            # Rows come sorted; a stable sort on distance only moves the dropped
            # self to the end. Rows where self was not among them keep k+1 and
            # are cut to k below.
            order = np.argsort(dist, axis=1, kind="stable")
            idx = np.take_along_axis(idx, order, axis=1)
            dist = np.take_along_axis(dist, order, axis=1)
        neighbours[start:stop, :width] = idx[:, :width]
        distances[start:stop, :width] = dist[:, :width]
    return NeighbourTable(neighbours, distances)


def artist_vectors(catalogue: Catalogue, scaled: np.ndarray) -> np.ndarray:
    """Mean of each artist's song vectors, shape (n_artists, 11), dtype of ``scaled``.

    Works on any per-song feature matrix: scaled vectors for the artist table,
    raw features for reasons that compare artists. An artist with no songs gets
    a row of NaN, because any made-up vector would place it somewhere false.
    """
    artist_ids = catalogue.songs["artist_id"].to_numpy(dtype=np.intp)
    n_artists = len(catalogue.artists)
    if scaled.shape != (len(artist_ids), len(FEATURES)):
        raise ValueError(f"expected one {len(FEATURES)}-feature row per song, got shape {scaled.shape}")
    if len(artist_ids) and (artist_ids.min() < 0 or artist_ids.max() >= n_artists):
        raise ValueError(f"songs name artist ids outside 0..{n_artists - 1}")
    counts = np.bincount(artist_ids, minlength=n_artists)
    sums = np.column_stack(
        [np.bincount(artist_ids, weights=scaled[:, j], minlength=n_artists) for j in range(scaled.shape[1])]
    )
    with np.errstate(invalid="ignore"):  # 0/0 -> NaN for artists without songs, as documented
        means = sums / counts[:, None]
    return means.astype(scaled.dtype, copy=False)


def build_tables(
    catalogue: Catalogue, scaling: Scaling = "global", k_songs: int = 50, k_artists: int = 50
) -> NeighbourTables:
    """Song and artist neighbour tables for ``catalogue`` under ``scaling``."""
    scaled = scale_features(catalogue, scaling)
    songs = _korean_neighbours(scaled, catalogue.korean_mask, k_songs)
    vectors = artist_vectors(catalogue, scaled)
    has_songs = ~np.isnan(vectors).any(axis=1)
    korean_artists = catalogue.artists["korean"].to_numpy(dtype=bool) & has_songs
    artists = _korean_neighbours(vectors, korean_artists, k_artists, rows=has_songs)
    return NeighbourTables(scaling=scaling, songs=songs, artists=artists)


def _korean_neighbours(
    points: np.ndarray, korean: np.ndarray, k: int, rows: np.ndarray | None = None
) -> NeighbourTable:
    """Neighbour table over ``points`` whose ids are indices into ``points``.

    Candidates are the points flagged ``korean``; only the ``rows`` mask (all
    points by default) is searched, the other rows stay padding.
    """
    korean_ids = np.flatnonzero(korean)
    position = np.full(len(points), -1, dtype=np.int64)
    position[korean_ids] = np.arange(len(korean_ids))
    searched = np.arange(len(points)) if rows is None else np.flatnonzero(rows)
    found = knn_table(points[searched], points[korean_ids], k, exclude_self=position[searched])

    neighbours = np.full((len(points), k), -1, dtype=np.int32)
    distances = np.full((len(points), k), np.inf, dtype=np.float32)
    hit = found.neighbours >= 0
    mapped = np.full_like(found.neighbours, -1)
    mapped[hit] = korean_ids[found.neighbours[hit]]
    neighbours[searched] = mapped
    distances[searched] = found.distances
    return NeighbourTable(neighbours, distances)
