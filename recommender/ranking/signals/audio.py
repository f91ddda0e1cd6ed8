"""Audio similarity: the precomputed neighbour tables, read as a similarity per Korean artist.

The tables hold each song's and each artist's nearest Korean songs and
artists by Euclidean distance over the scaled audio features. Distances are
not comparable between queries (a song in a crowded part of the space has
closer neighbours than an unusual one) and mean nothing to the other
signals, so the similarity is taken from the *rank* instead: the nearest
neighbour scores 1, the last one in a row of width ``w`` scores ``1/w``,
and an artist beyond the row scores 0. Only the order within a row matters
to the blend, which fuses ranks.

For a song query an artist is as close as its closest song in the song's
row; for an artist query the artist row is used as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from recommender.ranking.neighbours import NeighbourTable, NeighbourTables
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["AudioSimilarity"]


class AudioSimilarity:
    """Rank-based similarity of every Korean artist to song or artist queries."""

    def __init__(self, tables: NeighbourTables, artists: KoreanArtists, artist_of: np.ndarray) -> None:
        self._tables = tables
        self._artists = artists
        self._artist_of = np.asarray(artist_of, dtype=np.int64)

    @property
    def widths(self) -> tuple[int, int]:
        """(songs, artists) neighbours kept per row."""
        return self._tables.songs.neighbours.shape[1], self._tables.artists.neighbours.shape[1]

    def for_artists(self, artist_ids: np.ndarray) -> np.ndarray:
        """(n, Korean artists) float32: 1 for the nearest artist of each query, down to 0 beyond the row."""
        return self._scores(self._tables.artists, artist_ids, lambda ids: ids)

    def for_songs(self, song_ids: np.ndarray) -> np.ndarray:
        """(n, Korean artists) float32: each artist scored by its best-ranked song in the query song's row."""
        return self._scores(self._tables.songs, song_ids, lambda ids: self._artist_of[ids])

    def _scores(
        self, table: NeighbourTable, query_ids: np.ndarray, to_artist: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        rows = table.neighbours[np.asarray(query_ids, dtype=np.intp)]
        width = rows.shape[1]
        out = np.zeros((len(rows), len(self._artists)), dtype=np.float32)
        query, rank = np.nonzero(rows >= 0)
        columns = self._artists.columns(to_artist(rows[query, rank].astype(np.int64)))
        kept = columns >= 0
        similarity = (1.0 - rank[kept] / width).astype(np.float32)
        # Rows are nearest first, so an artist's best song is its first in the row; maximum.at
        # keeps that one whatever order the pairs come in.
        np.maximum.at(out, (query[kept], columns[kept]), similarity)
        return out
