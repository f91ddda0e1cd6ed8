"""Co-listening: do fans of an artist play a Korean act *more than everyone else does*?

People who play both sides are the best evidence of what goes together, and
every build may carry some of their playlists (:class:`PlaylistArtists`).
Raw counts ("fans of X also play Y") mostly name the acts everyone plays: the
canon co-occurs with everything. So the score of Korean artist ``k`` for
query artist ``a`` is how far their co-occurrence exceeds what chance gives,
in units of chance's own spread:

* **one listener, one vote**: each listener's playlists together weigh 1,
  split evenly between them (a playlist without a listener is its own
  listener), so someone with forty playlists counts as much as someone with
  one, and no single playlist can outweigh a whole listener;
* **surprise over chance**: with ``c(a, k)`` the weight of playlists holding
  both, ``n(a)`` the weight of those holding ``a`` and ``q(k)`` the weight
  share of playlists holding ``k``, chance expects ``e = n(a) q(k)`` and the
  score is ``(c - e) / sqrt(e + prior)``. An act everyone plays must be played
  together far more often to score; a rare act seen once with ``a`` gains
  only as much as one playlist's evidence is worth (``prior``,
  ``PRIOR_PLAYLISTS``, keeps thin evidence from dividing by almost nothing).
* **no evidence is no opinion**: acts never played with ``a`` all tie below
  every act that was, so the other signals order them. (The earlier score gave
  them their share of all playlists, which ranked the canon first for every
  artist without evidence.)

In the shared data ``e`` stays far below one playlist's weight, so among the
acts played with ``a`` the order is mostly that of ``c``; the correction only
bites where a Korean act fills a large share of the playlists.

Counts used to score a listener must never include that listener's
playlists: :meth:`CoListening.excluding` refits without them.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import scipy.sparse as sp

from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["PRIOR_PLAYLISTS", "CoListening"]

#: How many playlists' worth of evidence chance's spread is never smaller than.
PRIOR_PLAYLISTS = 1.0


class CoListening:
    """How much more than chance an artist's playlists hold each Korean artist."""

    def __init__(self, data: PlaylistArtists, artists: KoreanArtists, n_artists: int,
                 prior: float = PRIOR_PLAYLISTS) -> None:
        if prior <= 0:
            raise ValueError(f"prior must be positive, got {prior}")
        if len(data.pairs) and data.pairs[:, 1].max() >= n_artists:
            raise ValueError(f"playlist data names artist ids beyond the catalogue's {n_artists} artists")
        self.data = data
        self._artists = artists
        self._n_artists = n_artists
        self._prior = prior
        n_playlists = len(data.playlists)
        keys = data.listener_keys()
        _, listener = np.unique(keys, return_inverse=True)
        weight = 1.0 / np.bincount(listener, minlength=1)[listener]
        holds = sp.csr_matrix(
            (np.ones(len(data.pairs), dtype=np.float64), (data.pairs[:, 0], data.pairs[:, 1])),
            shape=(n_playlists, n_artists),
        )
        weighted = sp.diags(weight) @ holds
        korean = weighted[:, artists.ids]
        self._together = (holds.T @ korean).tocsr()  # (artists, Korean artists): c(a, k)
        self._together.sum_duplicates()  # one entry per pair: rows are read straight from its arrays
        self._holding = np.asarray(weighted.sum(axis=0)).ravel()  # n(a)
        total = weight.sum()
        self._share = np.asarray(korean.sum(axis=0)).ravel() / total if total else np.zeros(len(artists))  # q(k)
        self.listeners = frozenset(keys.tolist())

    def excluding(self, listeners: Collection[str]) -> CoListening:
        """The same signal fitted without the playlists of these listener keys."""
        if not self.listeners & set(listeners):
            return self
        return CoListening(self.data.without(listeners), self._artists, self._n_artists, self._prior)

    def for_artists(self, artist_ids: np.ndarray) -> np.ndarray:
        """(n, Korean artists) float32 co-listening scores of each query artist (higher: played together more)."""
        return self.scores_and_partners(artist_ids)[0]

    def scores_and_partners(self, artist_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The scores of :meth:`for_artists`, and (n, Korean artists) bool: shares a playlist with the query artist."""
        ids = np.asarray(artist_ids, dtype=np.intp)
        together = np.zeros((len(ids), len(self._artists)), dtype=np.float64)
        # Straight from the CSR arrays (scipy's row indexing costs more than all the rest for one
        # query): entry j of row i is at indptr[ids[i]] + j.
        indptr, indices, data = self._together.indptr, self._together.indices, self._together.data
        starts, counts = indptr[ids], indptr[ids + 1] - indptr[ids]
        rows = np.repeat(np.arange(len(ids)), counts)
        entries = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
        together[rows, indices[entries]] = data[entries]
        partners = together > 0
        expected = self._holding[ids, None] * self._share  # n(a) q(k): the weight expected by chance
        surprise = (together - expected) / np.sqrt(expected + self._prior)
        # An act never played with the query artist is no evidence either way: all such acts tie, below every partner.
        scores = np.where(partners, surprise, -np.inf)
        return scores.astype(np.float32), partners

    def together(self, artist_id: int, column: int) -> float:
        """Weight of the playlists holding both ``artist_id`` and the Korean artist in ``column``."""
        return float(self._together[artist_id, column])
