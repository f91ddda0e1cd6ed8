"""Small, valid catalogues for tests, built in memory.

Tests describe only what matters to them (who sings, which side, sometimes a
few feature values) and get a :class:`Catalogue` that passes its own checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import FEATURES, Catalogue

__all__ = ["make_catalogue", "random_features", "add_artist"]

Row = tuple[str, str, bool, float]  # (title, artist, korean, popularity)


def random_features(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 11) raw features in Spotify's ranges: 0..1 levels, key 0..11, mode 0/1, dB, BPM."""
    out = rng.random((n, len(FEATURES)))
    column = {name: i for i, name in enumerate(FEATURES)}
    out[:, column["key"]] = rng.integers(0, 12, n)
    out[:, column["mode"]] = rng.integers(0, 2, n)
    out[:, column["loudness"]] = rng.uniform(-20.0, 0.0, n)
    out[:, column["tempo"]] = rng.uniform(60.0, 200.0, n)
    return out


def make_catalogue(
    rows: Iterable[Row],
    features: np.ndarray | Sequence[Mapping[str, float]] | None = None,
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    genres: Mapping[str, Sequence[str]] | None = None,
    seed: int = 0,
) -> Catalogue:
    """A catalogue with one song per row; artists are numbered in order of first appearance.

    ``features`` is an (n, 11) array in FEATURES order, or one mapping per row
    giving some features by name (the rest random), or None for all random
    (seeded by ``seed``). An artist's ``korean`` flag is taken from its rows,
    which must agree; its popularity is that of its most popular song (NaN when
    none is known). ``aliases`` and ``genres`` are keyed by artist name.
    """
    rows = list(rows)
    rng = np.random.default_rng(seed)
    matrix = random_features(len(rows), rng)
    if isinstance(features, np.ndarray):
        if features.shape != matrix.shape:
            raise ValueError(f"features must have shape {matrix.shape}, got {features.shape}")
        matrix = features.astype(np.float64)
    elif features is not None:
        if len(features) != len(rows):
            raise ValueError(f"need one feature mapping per row: {len(features)} for {len(rows)} rows")
        for i, given in enumerate(features):
            for name, value in given.items():
                matrix[i, FEATURES.index(name)] = value

    artist_ids: dict[str, int] = {}
    artist_korean: dict[str, bool] = {}
    for _, artist, korean, _ in rows:
        artist_ids.setdefault(artist, len(artist_ids))
        if artist_korean.setdefault(artist, korean) != korean:
            raise ValueError(f"artist {artist!r} is marked both Korean and not Korean")

    songs = pd.DataFrame(
        {
            "spotify_id": [None] * len(rows),
            "other_ids": [""] * len(rows),
            "title": [title for title, _, _, _ in rows],
            "artist_id": np.array([artist_ids[artist] for _, artist, _, _ in rows], dtype=np.int64),
            "korean": np.array([korean for _, _, korean, _ in rows], dtype=bool),
            "popularity": np.array([popularity for _, _, _, popularity in rows], dtype=np.float64),
            **{name: matrix[:, j] for j, name in enumerate(FEATURES)},
            "sources": ["test"] * len(rows),
        }
    )
    aliases = aliases or {}
    genres = genres or {}
    popularity = songs.groupby("artist_id")["popularity"].max().reindex(range(len(artist_ids)))
    artists = pd.DataFrame(
        {
            "name": list(artist_ids),
            "korean": np.array([artist_korean[a] for a in artist_ids], dtype=bool),
            "popularity": popularity.to_numpy(dtype=np.float64),
            "genres": [tuple(genres.get(a, ())) for a in artist_ids],
            "aliases": [tuple(aliases.get(a, ())) for a in artist_ids],
        }
    )
    return Catalogue(songs=songs, artists=artists)


def add_artist(catalogue: Catalogue, name: str, korean: bool) -> Catalogue:
    """The same catalogue plus one artist without songs (known by name only, e.g. from an alias list)."""
    extra = pd.DataFrame({"name": [name], "korean": [korean], "popularity": [np.nan], "genres": [()], "aliases": [()]})
    return Catalogue(songs=catalogue.songs, artists=pd.concat([catalogue.artists, extra], ignore_index=True))
