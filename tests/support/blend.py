"""A small catalogue where each signal of the blend favours a different Korean act, for blend and core tests."""

from __future__ import annotations

import numpy as np

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.synthetic import make_catalogue

__all__ = ["ROWS", "GENRES", "blend_catalogue", "friend_playlists", "named", "artist"]

FLAT = {name: 0.5 for name in FEATURES} | {"tempo": 120.0, "loudness": -6.0, "mode": 1.0}

# (title, artist, korean, popularity, energy). Audio says Near; fame says Famous; playlists say Friend;
# genres say Rapper. Filler acts make the ranks of the signals differ.
ROWS = [
    ("Query song", "Query Artist", False, 80.0, 0.50),
    ("Other song", "Other Artist", False, 50.0, 0.10),
    ("Near 1", "Near", True, 12.0, 0.51),
    ("Famous hit", "Famous", True, 95.0, 0.95),
    ("Famous b-side", "Famous", True, 40.0, 0.52),
    ("Famous 3", "Famous", True, 90.0, 0.97),
    ("Famous 4", "Famous", True, 88.0, 0.99),
    ("Friend 1", "Friend", True, 20.0, 0.85),
    ("Rapper 1", "Rapper", True, 25.0, 0.80),
    *[(f"Filler {i}", f"Filler {i}", True, 30.0 + i, 0.6 + 0.02 * i) for i in range(6)],
]
GENRES = {"Query Artist": ["atl hip hop"], "Rapper": ["k-rap"], "Famous": ["k-pop"], "Friend": ["k-pop"]}


def blend_catalogue() -> Catalogue:
    """Western Query Artist's "Query song" and Korean acts each favoured by one signal, plus fillers."""
    return make_catalogue([(t, a, k, p) for t, a, k, p, _ in ROWS], [FLAT | {"energy": e} for *_, e in ROWS],
                          genres=GENRES)


def named(cat: Catalogue, title: str) -> int:
    return int(np.flatnonzero(cat.songs["title"].to_numpy() == title)[0])


def artist(cat: Catalogue, name: str) -> int:
    return int(np.flatnonzero(cat.artists["name"].to_numpy() == name)[0])


def friend_playlists(cat: Catalogue) -> PlaylistArtists:
    """Two listeners put Query Artist with Friend; nobody puts it with anyone else."""
    q, f = artist(cat, "Query Artist"), artist(cat, "Friend")
    return PlaylistArtists.from_table(["ann", "ann", "bob", "bob"], ["a", "a", "b", "b"], np.array([q, f, q, f]))
