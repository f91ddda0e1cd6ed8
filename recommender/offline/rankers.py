"""Rankers: anything that picks Korean songs and Korean artists for a query, in batches.

The offline evaluation (:mod:`recommender.offline.evaluation`) compares rankers, so a
new signal or blend is measured by implementing :class:`Ranker` and passing it
in; nothing in the evaluation knows how a ranker works. Three come with it:

* :class:`AudioKnn` reads the precomputed audio neighbour tables, nearest
  songs first, as the bot answered before the blended ranking;
* :class:`MostPopular` ignores the query and picks the most popular Korean
  songs or artists, the obvious baseline a taste-based recommender must beat;
* :class:`MostListened` ignores the query too, and picks the Korean artists
  most of the build's listeners play: what a lazy peer with the same listening
  data would do. It is fitted on playlists, so it is refitted without each
  listener it is scored on, like co-listening;
* :class:`RandomPicks` draws like the A/B test's random arm;
* :class:`HybridRanker` is the blended ranking of :mod:`recommender.ranking.blend`,
  exactly as the bot's recommender arm ranks (:func:`hybrid_rankers` gives
  the blend and each of its signals alone). It is fitted on playlists
  (co-listening), so it can be refitted without a listener's playlists
  (:meth:`HybridRanker.excluding`), which the evaluation does for each
  listener it scores.

Song picks follow the bot's rule for one reply: one song per artist, artists
in the order they rank (this is what
:meth:`recommender.ranking.picks.Recommender.for_song` shows for ``count=k``).
Artist picks are artists. No ranker ever returns the query's own
artist or one of its songs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from recommender.ranking.blend import SIGNALS, Blend, BlendWeights, HybridModel
from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.neighbours import NeighbourTable, NeighbourTables
from recommender.ranking.signals.space import KoreanArtists

__all__ = [
    "Ranker",
    "AudioKnn",
    "MostPopular",
    "MostListened",
    "listener_share",
    "RandomPicks",
    "HybridRanker",
    "SIGNAL_NAMES",
    "standard_rankers",
    "hybrid_rankers",
    "first_per_artist",
]

#: How each signal alone is named in result tables.
SIGNAL_NAMES: dict[str, str] = {
    "audio": "audio similarity",
    "popularity": "popularity",
    "genre": "genre bridge",
    "colistening": "co-listening",
}

#: Rows of random draws handled at once (about 20 MB of draws at k=10).
_DRAW_CHUNK_ROWS = 65_536


@runtime_checkable
class Ranker(Protocol):
    """Picks for a batch of queries, best first.

    Both methods take an int array of query ids (song ids, or artist ids) and
    return an int array of shape ``(len(ids), k)``: Korean song ids (or Korean
    artist ids), padded with -1 at the end of a row when fewer than ``k``
    exist. Batches keep the evaluation vectorised: thousands of queries are one
    call, not thousands.
    """

    #: Shown in result tables; unique among the rankers compared.
    name: str
    #: True when picks are random: the evaluation then asks many times per
    #: query and averages, so it reports the expected hit rate.
    random: bool

    def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray: ...

    def artists_for(self, artist_ids: np.ndarray, k: int) -> np.ndarray: ...


def first_per_artist(candidates: np.ndarray, artists: np.ndarray, own_artist: np.ndarray, k: int) -> np.ndarray:
    """Per row, the first ``k`` candidates of distinct artists, skipping ``own_artist`` and -1 padding.

    ``candidates`` (n, w) are ids in preference order; ``artists`` (n, w) their
    artists; ``own_artist`` (n,) the artist each row must never show. Returns
    (n, k) ids padded with -1. Vectorised: a stable sort of each row by artist
    puts every artist's first position first among its equals.
    """
    n = len(candidates)
    by_artist = np.argsort(artists, axis=1, kind="stable")
    grouped = np.take_along_axis(artists, by_artist, axis=1)
    starts = np.ones_like(grouped, dtype=bool)
    starts[:, 1:] = grouped[:, 1:] != grouped[:, :-1]
    is_first = np.empty_like(starts)
    np.put_along_axis(is_first, by_artist, starts, axis=1)
    valid = (candidates >= 0) & (artists != own_artist[:, None]) & is_first
    # The i-th valid candidate of a row goes to column i.
    column = np.cumsum(valid, axis=1) - 1
    rows, cols = np.nonzero(valid & (column < k))
    picks = np.full((n, k), -1, dtype=np.int64)
    picks[rows, column[rows, cols]] = candidates[rows, cols]
    return picks


class _CatalogueRanker:
    """What every ranker here needs from the catalogue: who sings what, and which side it is on."""

    random = False

    def __init__(self, catalogue: Catalogue) -> None:
        self._artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.int64)
        korean_songs = catalogue.korean_mask
        self._korean_songs = np.flatnonzero(korean_songs)
        self._korean_artists = KoreanArtists.of(catalogue).ids  # flagged Korean and with a Korean song

    def _song_picks(self, candidates: np.ndarray, song_ids: np.ndarray, k: int) -> np.ndarray:
        artists = np.where(candidates >= 0, self._artist_of[np.maximum(candidates, 0)], -1)
        return first_per_artist(candidates, artists, self._artist_of[song_ids], k)


class AudioKnn(_CatalogueRanker):
    """Nearest Korean songs and artists from a build's audio neighbour tables."""

    def __init__(self, catalogue: Catalogue, tables: NeighbourTables, name: str | None = None) -> None:
        super().__init__(catalogue)
        self._tables = tables
        self.name = name or f"audio KNN ({tables.scaling})"

    def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray:
        return self._song_picks(_rows(self._tables.songs, song_ids, k, "songs"), song_ids, k)

    def artists_for(self, artist_ids: np.ndarray, k: int) -> np.ndarray:
        # The table never lists an artist among its own neighbours.
        return _rows(self._tables.artists, artist_ids, k, "artists")[:, :k].astype(np.int64)


def _rows(table: NeighbourTable, ids: np.ndarray, k: int, kind: str) -> np.ndarray:
    width = table.neighbours.shape[1]
    if k > width:
        raise ValueError(
            f"the {kind} neighbour table holds {width} neighbours per row, fewer than k={k}; "
            f"build with --k-{kind} {k} or more"
        )
    return table.neighbours[np.asarray(ids, dtype=np.intp)]


class MostPopular(_CatalogueRanker):
    """The same picks for everyone: the most popular Korean songs and artists.

    Songs rank by their Spotify popularity, artists by theirs
    (``catalogue.artists.popularity``); unknown popularity ranks last, and ties
    go to the lower id so the order is reproducible.
    """

    name = "most popular"

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(catalogue)
        song_popularity = catalogue.songs["popularity"].to_numpy(dtype=np.float64)[self._korean_songs]
        by_song = self._korean_songs[np.lexsort((self._korean_songs, -np.nan_to_num(song_popularity, nan=-1.0)))]
        # Each artist's most popular song, artists in the order of that song.
        _, first = np.unique(self._artist_of[by_song], return_index=True)
        self._songs = by_song[np.sort(first)]
        artist_popularity = catalogue.artists["popularity"].to_numpy(dtype=np.float64)[self._korean_artists]
        self._artists = self._korean_artists[
            np.lexsort((self._korean_artists, -np.nan_to_num(artist_popularity, nan=-1.0)))
        ]

    def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray:
        # k + 1 distinct artists leave k after dropping the query's own artist.
        head = self._songs[: k + 1]
        return self._song_picks(np.tile(head, (len(song_ids), 1)), song_ids, k)

    def artists_for(self, artist_ids: np.ndarray, k: int) -> np.ndarray:
        head = self._artists[: k + 1]
        return first_per_artist(np.tile(head, (len(artist_ids), 1)), np.tile(head, (len(artist_ids), 1)),
                                np.asarray(artist_ids, dtype=np.int64), k)


def listener_share(playlists: PlaylistArtists, n_artists: int) -> np.ndarray:
    """Per artist id, how many listeners play it, each listener's playlists together weighing one.

    A listener with four playlists, one of them holding the artist, adds 0.25:
    the same one-listener-one-vote weighing as co-listening.
    """
    if not len(playlists.pairs):
        return np.zeros(n_artists)
    _, listener = np.unique(playlists.listener_keys(), return_inverse=True)
    weight = 1.0 / np.bincount(listener)[listener]
    return np.bincount(playlists.pairs[:, 1], weights=weight[playlists.pairs[:, 0]], minlength=n_artists)


class MostListened(MostPopular):
    """The same picks for everyone: the Korean artists most of the build's listeners play.

    Artists rank by :func:`listener_share`; those nobody plays follow in
    :class:`MostPopular`'s order, which also breaks ties. Each artist is shown by
    its most popular song.
    """

    name = "most listened"

    def __init__(self, catalogue: Catalogue, playlists: PlaylistArtists) -> None:
        super().__init__(catalogue)
        self._catalogue, self._playlists = catalogue, playlists
        share = listener_share(playlists, len(catalogue.artists))
        self._artists = self._artists[np.argsort(-share[self._artists], kind="stable")]
        rank = np.zeros(len(catalogue.artists), dtype=np.int64)
        rank[self._artists] = np.arange(len(self._artists))
        self._songs = self._songs[np.argsort(rank[self._artist_of[self._songs]], kind="stable")]

    def excluding(self, listeners: Collection[str]) -> MostListened:
        """The same ranker counting listeners without these listener keys."""
        return MostListened(self._catalogue, self._playlists.without(listeners))


class RandomPicks(_CatalogueRanker):
    """Random Korean picks drawn as the A/B test's random arm draws them.

    Songs: each pick uniform over the Korean songs whose artist is not picked
    yet (as :meth:`recommender.ranking.picks.Recommender.random`). Drawing songs
    uniformly *with* replacement and keeping each new artist's first song gives
    exactly that distribution, and vectorises; rows that have not met ``k``
    artists yet draw more, rather than start over (starting over would favour
    draws that met small artists first). Artists: uniform over Korean artists,
    without replacement, by the same device. Every call draws afresh.
    """

    name = "random"
    random = True

    def __init__(self, catalogue: Catalogue, seed: int = 0) -> None:
        super().__init__(catalogue)
        self._rng = np.random.default_rng(seed)

    def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray:
        return self._draw(self._korean_songs, self._artist_of[self._korean_songs], self._artist_of[song_ids], k)

    def artists_for(self, artist_ids: np.ndarray, k: int) -> np.ndarray:
        return self._draw(self._korean_artists, self._korean_artists, np.asarray(artist_ids, dtype=np.int64), k)

    def _draw(self, pool: np.ndarray, pool_artist: np.ndarray, own_artist: np.ndarray, k: int) -> np.ndarray:
        n = len(own_artist)
        picks = np.full((n, k), -1, dtype=np.int64)
        if n == 0 or len(pool) == 0:
            return picks
        distinct = np.unique(pool_artist)
        # A row can meet at most the pool's artists other than its own.
        wanted = np.minimum(k, len(distinct) - np.isin(own_artist, distinct))
        for start in range(0, n, _DRAW_CHUNK_ROWS):  # bounds the memory of the drawn matrix
            rows = slice(start, min(start + _DRAW_CHUNK_ROWS, n))
            picks[rows] = self._draw_rows(pool, pool_artist, own_artist[rows], wanted[rows], k)
        return picks

    def _draw_rows(
        self, pool: np.ndarray, pool_artist: np.ndarray, own_artist: np.ndarray, wanted: np.ndarray, k: int
    ) -> np.ndarray:
        picks = np.full((len(own_artist), k), -1, dtype=np.int64)
        drawn = np.empty((len(own_artist), 0), dtype=np.int64)  # positions in pool, a row per row still short
        todo = np.arange(len(own_artist))
        batch = k  # usually k draws already meet k artists; the rest draw on, twice as many each round
        while todo.size:
            drawn = np.hstack([drawn, self._rng.integers(0, len(pool), size=(todo.size, batch))])
            chosen = first_per_artist(pool[drawn], pool_artist[drawn], own_artist[todo], k)
            done = (chosen >= 0).sum(axis=1) >= wanted[todo]
            picks[todo[done]] = chosen[done]
            # Rows still short keep what they drew and draw on.
            drawn, todo = drawn[~done], todo[~done]
            batch *= 2
        return picks


def standard_rankers(catalogue: Catalogue, tables: Sequence[NeighbourTables], seed: int = 0) -> list[Ranker]:
    """Audio KNN under each given build's scaling, then random and most-popular picks."""
    return [*(AudioKnn(catalogue, t) for t in tables), RandomPicks(catalogue, seed), MostPopular(catalogue)]


class HybridRanker:
    """The blended ranking of a :class:`~recommender.ranking.blend.HybridModel` under one :class:`~recommender.ranking.blend.Blend`.

    Song picks are the top artists for the song, each shown by the song the
    bot would show first for it (its best-known song, or with a familiarity
    of 0 or less its song closest to the query).
    """

    random = False

    def __init__(self, model: HybridModel, blend: Blend, name: str = "blend") -> None:
        self.model = model
        self.blend = blend
        self.name = name

    def songs_for(self, song_ids: np.ndarray, k: int) -> np.ndarray:
        columns = self.model.top_artists("song", song_ids, k, self.blend)
        return self.model.first_songs("song", song_ids, columns, self.blend)

    def artists_for(self, artist_ids: np.ndarray, k: int) -> np.ndarray:
        columns = self.model.top_artists("artist", artist_ids, k, self.blend)
        return np.where(columns >= 0, self.model.artists.ids[np.maximum(columns, 0)], -1)

    def excluding(self, listeners: Collection[str]) -> HybridRanker:
        """The same ranker with co-listening fitted without these listeners' playlists."""
        return HybridRanker(self.model.excluding(listeners), self.blend, self.name)


def hybrid_rankers(model: HybridModel, blend: Blend) -> list[HybridRanker]:
    """Each signal alone (same familiarity), then the blend itself."""
    alone = [
        HybridRanker(model, Blend(BlendWeights.only(signal), blend.familiarity), SIGNAL_NAMES[signal])
        for signal in SIGNALS
    ]
    return [*alone, HybridRanker(model, blend, "blend")]
