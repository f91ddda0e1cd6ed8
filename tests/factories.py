"""Small, valid catalogues built in code, for tests that need songs and artists.

Tests describe songs as ``(title, artist, korean, popularity)`` and get a
:class:`~recommender.catalogue.Catalogue` that passes the contract's own checks,
so a fixture can never drift from the shape real importers produce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recommender.catalogue import FEATURES, Catalogue

__all__ = ["SongRow", "make_catalogue"]

#: (title, artist name, korean, popularity); popularity may be NaN for "unknown".
SongRow = tuple[str, str, bool, float]


def _random_features(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Audio features in Spotify's own ranges, so scaling code sees realistic values."""
    features = {name: rng.uniform(0.0, 1.0, n) for name in FEATURES}
    features["key"] = rng.integers(0, 12, n).astype(np.float64)
    features["mode"] = rng.integers(0, 2, n).astype(np.float64)
    features["loudness"] = rng.uniform(-30.0, 0.0, n)
    features["tempo"] = rng.uniform(60.0, 200.0, n)
    return features


def make_catalogue(
    songs: Iterable[SongRow],
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    genres: Mapping[str, Sequence[str]] | None = None,
    seed: int = 0,
) -> Catalogue:
    """A catalogue of the given songs, with random audio features.

    Artists are created in order of first appearance. An artist is Korean when
    any of its songs is, and its popularity is that of its most popular song
    (NaN when none is known). ``aliases`` and ``genres`` are keyed by artist name.
    """
    rows = list(songs)
    aliases = aliases or {}
    genres = genres or {}
    names = list(dict.fromkeys(artist for _, artist, _, _ in rows))
    artist_ids = {name: i for i, name in enumerate(names)}
    song_frame = pd.DataFrame(
        {
            "spotify_id": [None] * len(rows),
            "title": [title for title, _, _, _ in rows],
            "artist_id": [artist_ids[artist] for _, artist, _, _ in rows],
            "korean": [bool(korean) for _, _, korean, _ in rows],
            "popularity": np.array([popularity for _, _, _, popularity in rows], dtype=np.float64),
            **_random_features(np.random.default_rng(seed), len(rows)),
            "sources": ["test"] * len(rows),
        }
    )
    by_artist = song_frame.groupby("artist_id")
    artist_frame = pd.DataFrame(
        {
            "name": names,
            "korean": by_artist["korean"].any().reindex(range(len(names))).to_numpy(dtype=bool),
            "popularity": by_artist["popularity"].max().reindex(range(len(names))).to_numpy(dtype=np.float64),
            "genres": [tuple(genres.get(name, ())) for name in names],
            "aliases": [tuple(aliases.get(name, ())) for name in names],
        }
    )
    return Catalogue(songs=song_frame, artists=artist_frame)
