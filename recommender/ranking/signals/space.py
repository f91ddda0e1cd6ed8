"""The Korean artists a recommendation can name: the columns of every signal matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.catalogue.catalogue import Catalogue

__all__ = ["KoreanArtists"]


@dataclass(frozen=True)
class KoreanArtists:
    """Artists flagged Korean that have at least one Korean song, in ascending id order.

    An artist without a Korean song could be named but never shown with a
    song, so it is not a column. ``position[artist_id]`` is the artist's
    column, or -1 for every other artist.
    """

    ids: np.ndarray  # int64, ascending
    position: np.ndarray  # int64 per artist id of the catalogue

    @classmethod
    def of(cls, catalogue: Catalogue) -> KoreanArtists:
        artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.int64)
        singing = np.zeros(len(catalogue.artists), dtype=bool)
        singing[artist_of[catalogue.korean_mask]] = True
        ids = np.flatnonzero(catalogue.artists["korean"].to_numpy(dtype=bool) & singing).astype(np.int64)
        position = np.full(len(catalogue.artists), -1, dtype=np.int64)
        position[ids] = np.arange(len(ids))
        return cls(ids, position)

    def __len__(self) -> int:
        return len(self.ids)

    def columns(self, artist_ids: np.ndarray) -> np.ndarray:
        """Column of each artist id, -1 for artists that are not Korean artists with songs."""
        return self.position[np.asarray(artist_ids, dtype=np.int64)]
