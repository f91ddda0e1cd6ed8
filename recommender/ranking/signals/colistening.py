"""Co-listening: how often an artist and a Korean artist share people's playlists.

People who play both sides are the best evidence of what goes together, and
every build may carry some of their playlists (:class:`PlaylistArtists`).
The score of Korean artist ``k`` for query artist ``a`` estimates the chance
that a playlist holding ``a`` also holds ``k``, smoothed so that thin
evidence cannot dominate:

* **one listener, one vote**: each listener's playlists together weigh 1,
  split evenly between them (a playlist without a listener is its own
  listener), so someone with forty playlists counts as much as someone with
  one, and no single playlist can outweigh a whole listener;
* **shrinkage toward the prior**: with ``c(a, k)`` the weight of playlists
  holding both and ``n(a)`` the weight of those holding ``a``, the score is
  ``(c(a, k) + prior * q(k)) / (n(a) + prior)``, where ``q(k)`` is the weight
  share of playlists holding ``k``. An artist seen in one playlist moves only
  part of the way from ``q`` toward that playlist, an artist in no playlist
  gets ``q`` itself (the Korean artists most playlists carry), and ``prior``
  (``PRIOR_PLAYLISTS``) says how many playlists' worth of evidence ``q`` is.

Measured on the shared data (README, "How good is it?"), weighing listeners
equally ranked better than counting every playlist once or dividing by
playlist size. Counts used to score a listener must never include that
listener's playlists: :meth:`CoListening.excluding` refits without them.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import scipy.sparse as sp

from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["PRIOR_PLAYLISTS", "CoListening"]

#: How many playlists' worth of evidence the prior ``q`` counts for.
PRIOR_PLAYLISTS = 1.0


class CoListening:
    """Smoothed chance that a playlist holding an artist also holds each Korean artist."""

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
        """(n, Korean artists) float32 smoothed co-listening scores of each query artist."""
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
        scores = (together + self._prior * self._share) / (self._holding[ids, None] + self._prior)
        return scores.astype(np.float32), together > 0

    def together(self, artist_id: int, column: int) -> float:
        """Weight of the playlists holding both ``artist_id`` and the Korean artist in ``column``."""
        return float(self._together[artist_id, column])
