"""Turn a neighbour-table row into the few Korean picks a user sees.

The table gives the nearest Korean songs; this module decides which of them to
show. Nearest-first alone would often show three songs by one group (an
artist's songs sound alike), so a reply never repeats an artist and asking for
more walks to other artists before coming back for second songs. Songs the
user disliked are never shown; songs already shown go last.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from recommender.catalogue import FEATURES, Catalogue
from recommender.features import scale_features
from recommender.neighbours import NeighbourTables, artist_vectors
from recommender.reasons import explain

__all__ = ["Candidate", "Recommender", "RANDOM_REASON"]

#: The reason given for picks of the A/B test's control arm.
RANDOM_REASON = "a random K-pop pick"


@dataclass(frozen=True)
class Candidate:
    """One Korean song to show.

    ``distance`` is what ranked it, in the scaled feature space: song to song
    for a song query, artist to artist for an artist query; NaN for a random
    pick, which is near nothing in particular.
    """

    song_id: int
    distance: float
    reason: str


class Recommender:
    """Picks for a song or an artist from precomputed tables, and random picks."""

    def __init__(self, catalogue: Catalogue, tables: NeighbourTables) -> None:
        n_songs, n_artists = len(catalogue.songs), len(catalogue.artists)
        if tables.songs.n_rows != n_songs or tables.artists.n_rows != n_artists:
            raise ValueError(
                f"tables ({tables.songs.n_rows} songs, {tables.artists.n_rows} artists) were not built for "
                f"this catalogue ({n_songs} songs, {n_artists} artists)"
            )
        self._tables = tables
        self._artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.intp)
        self._korean = catalogue.korean_mask
        self._korean_ids = np.flatnonzero(self._korean)
        self._raw = catalogue.features
        # Scaled vectors place an artist query's songs; the tables record the scaling used.
        self._scaled = scale_features(catalogue, tables.scaling)
        self._artist_raw = artist_vectors(catalogue, self._raw)
        self._artist_scaled = artist_vectors(catalogue, self._scaled)
        # Song ids grouped by artist: songs of artist a are _by_artist[_bounds[a]:_bounds[a + 1]].
        self._by_artist = np.argsort(self._artist_of, kind="stable")
        self._bounds = np.searchsorted(self._artist_of[self._by_artist], np.arange(n_artists + 1))

    def for_song(
        self,
        song_id: int,
        *,
        count: int = 3,
        offset: int = 0,
        exclude: Collection[int] = (),
        later: Collection[int] = (),
    ) -> list[Candidate]:
        """Korean songs that sound like ``song_id``, never by its own artist.

        ``offset`` pages through the diversified order (see :func:`_diversified`);
        ``exclude`` ids are never shown; ``later`` ids (already shown) come after
        every unseen song. Fewer than ``count`` come back when the table row runs out.
        """
        _check_id(song_id, len(self._artist_of), "song")
        _check_paging(count, offset)
        ids, distances = self._tables.songs.row(song_id)
        keep = (self._artist_of[ids] != self._artist_of[song_id]) & ~_isin(ids, exclude)
        ids, distances = ids[keep], distances[keep]
        order = _diversified(self._artist_of[ids], _isin(ids, later))
        query = self._features(self._raw[song_id])
        return [
            Candidate(int(ids[i]), float(distances[i]), explain(query, self._features(self._raw[ids[i]])))
            for i in self._page(order, ids, count, offset)
        ]

    def for_artist(
        self,
        artist_id: int,
        *,
        count: int = 3,
        offset: int = 0,
        exclude: Collection[int] = (),
        later: Collection[int] = (),
    ) -> list[Candidate]:
        """Songs of the Korean artists whose average sound is nearest ``artist_id``'s.

        For each neighbour artist, its song nearest the query artist's mean
        vector comes first; its other songs follow in the same way as second
        songs do for :meth:`for_song`. The reason compares the two artists' means.
        """
        _check_id(artist_id, len(self._bounds) - 1, "artist")
        _check_paging(count, offset)
        artists, artist_distances = self._tables.artists.row(artist_id)
        groups = [self._by_artist[self._bounds[a] : self._bounds[a + 1]] for a in artists]
        if not groups:
            return []
        ids = np.concatenate(groups)
        position = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        to_query = np.linalg.norm(self._scaled[ids] - self._artist_scaled[artist_id], axis=1)
        # Neighbour artists in table order; within one artist, its songs nearest the query first.
        by_preference = np.lexsort((to_query, position))
        ids, position = ids[by_preference], position[by_preference]
        # A Korean artist's songs are Korean by the catalogue contract; the mask
        # keeps a mislabelled row from ever reaching a reply as a K-pop pick.
        keep = self._korean[ids] & ~_isin(ids, exclude)
        ids, position = ids[keep], position[keep]
        order = _diversified(self._artist_of[ids], _isin(ids, later))
        query = self._features(self._artist_raw[artist_id])
        return [
            Candidate(
                int(ids[i]),
                float(artist_distances[position[i]]),
                explain(query, self._features(self._artist_raw[artists[position[i]]])),
            )
            for i in self._page(order, ids, count, offset)
        ]

    def random(
        self,
        rng: np.random.Generator,
        *,
        count: int = 3,
        exclude: Collection[int] = (),
        query: tuple[str, int] | None = None,
    ) -> list[Candidate]:
        """Uniformly random Korean songs from distinct artists: the A/B test's control arm.

        Songs are drawn one after another, each uniform over the songs whose
        artist is not drawn yet, so the arm differs from the recommender only
        in ignoring the query. With a ``query`` (``("song", id)`` or
        ``("artist", id)``) each pick's reason describes what it truly shares
        with the query, as the recommender's do, so people cannot tell the arms
        apart by their wording; without one the reason says it is random.
        """
        _check_paging(count, 0)
        excluded = set(exclude)
        chosen: list[int] = []
        artists: set[int] = set()
        # Rejection sampling: a uniform draw over all Korean songs, kept when it is
        # eligible, is a uniform draw over the eligible ones. With thousands of
        # songs and three picks this takes a handful of draws, not a shuffle.
        n = len(self._korean_ids)
        for _ in range(50 * count if n else 0):
            if len(chosen) == count:
                break
            song = int(self._korean_ids[rng.integers(n)])
            artist = int(self._artist_of[song])
            if song not in excluded and artist not in artists:
                chosen.append(song)
                artists.add(artist)
        if len(chosen) < count:  # few eligible songs left: draw from exactly those
            chosen = self._random_exhaustive(rng, count, excluded)
        if query is None:
            return [Candidate(int(song_id), math.nan, RANDOM_REASON) for song_id in chosen]
        kind, item_id = query
        raw = self._raw[item_id] if kind == "song" else self._artist_raw[item_id]
        features = self._features(raw)
        return [
            Candidate(int(song_id), math.nan, explain(features, self._features(self._raw[song_id])))
            for song_id in chosen
        ]

    def _random_exhaustive(self, rng: np.random.Generator, count: int, excluded: set[int]) -> list[int]:
        """The same draw as :meth:`random` by shuffling every eligible song (when few remain)."""
        pool = self._korean_ids[~_isin(self._korean_ids, excluded)]
        shuffled = rng.permutation(pool)
        _, first_of_artist = np.unique(self._artist_of[shuffled], return_index=True)
        return [int(s) for s in shuffled[np.sort(first_of_artist)[:count]]]

    def _page(self, order: np.ndarray, ids: np.ndarray, count: int, offset: int) -> list[int]:
        """Positions shown for this page: the ``count`` at ``offset``, one per artist.

        A page that straddles two rounds of the diversified order can meet an
        artist twice; the second is dropped rather than borrowed from the next
        page, so pages never overlap and the reply may be shorter.
        """
        shown: list[int] = []
        artists_shown: set[int] = set()
        for i in order[offset : offset + count]:
            artist = int(self._artist_of[ids[i]])
            if artist not in artists_shown:
                artists_shown.add(artist)
                shown.append(int(i))
        return shown

    @staticmethod
    def _features(values: np.ndarray) -> dict[str, float]:
        return dict(zip(FEATURES, values.tolist(), strict=True))


def _diversified(artists: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Positions of candidates (given best first) in the order they are shown.

    Round one is each artist's best candidate, in order of that candidate;
    round two each artist's second best, and so on, so paging meets every
    artist before any repeats. Unseen candidates all come before seen ones;
    an artist's seen songs still count for its rounds, so an artist the user
    has already been shown waits behind artists they have not.
    """
    n = len(artists)
    by_artist = np.argsort(artists, kind="stable")
    sorted_artists = artists[by_artist]
    starts_group = np.ones(n, dtype=bool)
    starts_group[1:] = sorted_artists[1:] != sorted_artists[:-1]
    group_start = np.maximum.accumulate(np.where(starts_group, np.arange(n), 0))
    rounds = np.empty(n, dtype=np.intp)
    rounds[by_artist] = np.arange(n) - group_start
    return np.lexsort((np.arange(n), rounds, seen))


def _isin(ids: np.ndarray, collection: Collection[int]) -> np.ndarray:
    """Which ``ids`` are in ``collection``.

    The collections are a person's seen songs and the songs sunk for everyone,
    which outgrow the few dozen candidates: a set is asked per candidate rather
    than turned into an array on every answer.
    """
    if isinstance(collection, (set, frozenset)):
        return np.fromiter(map(collection.__contains__, ids.tolist()), dtype=bool, count=len(ids))
    return np.isin(ids, np.fromiter(collection, dtype=np.int64, count=len(collection)))


def _check_id(value: int, size: int, kind: str) -> None:
    if not 0 <= value < size:
        raise ValueError(f"unknown {kind} id {value}: the catalogue has {kind} ids 0..{size - 1}")


def _check_paging(count: int, offset: int) -> None:
    if count < 0 or offset < 0:
        raise ValueError(f"count and offset must not be negative, got count={count}, offset={offset}")
