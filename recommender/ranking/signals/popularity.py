"""How well known each Korean artist is: the popularity prior.

A newcomer to K-pop deserves a well-known entry point, and people put the
acts they know into playlists. The catalogue's own artist popularity is a
poor measure of fame: where an artist metadata file gives it, it is a *mean*
over all of the artist's tracks, so an act with a few big hits and many
B-sides ranks below one with a single, uniform album. Fame here combines two
measures that any catalogue has:

* how popular the artist's best songs are: the mean Spotify popularity of its
  ``TOP_SONGS`` most popular songs (unknown when none of its songs has one);
* how much of the artist the catalogue carries: its number of songs.
  Collections are built from charts, playlists and crawls, and all of them
  carry more of the acts people know.

Each is turned into a percentile rank among the Korean artists and fame is
the mean of the ranks that are known, so it is in (0, 1] and an artist whose
songs lack popularity (recent chart files often have none) is still placed
by its song count. Measured on the shared data (README, "How good is it?"),
this ranks better than the catalogue popularity, than either measure alone
and than the top song alone.

Songs within an artist are ordered by their own popularity (unknown last),
which is how the ranker shows an artist by the song people know.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import Catalogue
from recommender.ranking.signals.space import KoreanArtists

__all__ = ["TOP_SONGS", "Popularity"]

#: How many of an artist's most popular songs its song popularity is averaged over.
TOP_SONGS = 3


@dataclass(frozen=True)
class Popularity:
    """Fame per Korean artist, and each artist's songs, best known first.

    ``fame`` (Korean artists,) float64 in (0, 1]. ``songs`` int64 holds every
    Korean artist's songs, artist by artist (in column order), each artist's
    most popular first; the songs of column ``c`` are
    ``songs[starts[c]:starts[c + 1]]``.
    """

    fame: np.ndarray
    songs: np.ndarray
    starts: np.ndarray

    @classmethod
    def fit(cls, catalogue: Catalogue, artists: KoreanArtists) -> Popularity:
        songs = catalogue.songs
        column = artists.columns(songs["artist_id"].to_numpy(dtype=np.int64))
        korean = np.flatnonzero(catalogue.korean_mask & (column >= 0))
        popularity = songs["popularity"].to_numpy(dtype=np.float64)[korean]
        column = column[korean]
        # By artist, then most popular first (unknown last), then song id: reproducible.
        order = np.lexsort((korean, -np.nan_to_num(popularity, nan=-1.0), column))
        korean, popularity, column = korean[order], popularity[order], column[order]
        counts = np.bincount(column, minlength=len(artists))
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        place = np.arange(len(column)) - starts[column]

        top = pd.Series(popularity).where(place < TOP_SONGS)  # NaN outside each artist's top songs
        best_songs = top.groupby(column).mean().reindex(range(len(artists))).to_numpy()
        ranks = np.vstack([
            pd.Series(best_songs).rank(pct=True).to_numpy(),
            pd.Series(np.log1p(counts)).rank(pct=True).to_numpy(),
        ])
        with np.errstate(all="ignore"):  # an empty catalogue side gives an empty mean, not a warning
            fame = np.nanmean(ranks, axis=0) if len(artists) else np.zeros(0)
        return cls(fame=fame, songs=korean.astype(np.int64), starts=starts)

    def songs_of(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The songs of these artists, best known first within each: (song ids, index into ``columns``, place)."""
        columns = np.asarray(columns, dtype=np.int64)
        counts = self.starts[columns + 1] - self.starts[columns]
        owner = np.repeat(np.arange(len(columns)), counts)
        place = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.songs[self.starts[columns][owner] + place], owner, place

    def best_known(self, n: int) -> np.ndarray:
        """Columns of the ``n`` best-known Korean artists, best known first (ties: lower id)."""
        return np.lexsort((np.arange(len(self.fame)), -self.fame))[:n]

    def fame_rank(self) -> np.ndarray:
        """1-based rank of each column's fame (1 = best known; ties share the better rank)."""
        return pd.Series(-self.fame).rank(method="min").to_numpy(dtype=np.int64)
