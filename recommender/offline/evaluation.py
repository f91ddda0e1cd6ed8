"""Offline evaluation: do the Korean picks land in playlists of people who play both sides?

For every playlist that holds western and Korean items of the catalogue, each
western item is a query, and a query is a *hit at k* when any of a ranker's
top-k Korean picks is in the same playlist. Three levels say what "in the
same playlist" means:

``song``
    song picks for each western song; hit when a picked song is in the playlist.
``artist``
    Korean *artists* picked for each distinct western artist of the playlist;
    hit when a picked artist has a song in the playlist.
``song-artist``
    song picks for each western song, as at ``song``; hit when a picked song's
    *artist* has a song in the playlist ("artist hit from recommended songs").

Artists count when the playlist names them, even if that row's song is not in
the catalogue (the listener still plays that artist), and only when they have
songs in the catalogue (an artist without songs can be neither queried nor
recommended). A playlist counts at a level when it has at least one query and
one thing to hit there; other playlists are left out rather than scored as
misses.

The hit rate is hits over queries, pooled over all playlists (the share of
western queries answered with a hit, the "true positive rate"). Queries of one
playlist are correlated (one person, one mood), so the 95% interval is a
percentile bootstrap that resamples whole *playlists*. For one seed and one
set of playlists every ranker gets the same resamples, so intervals
of rankers compared at one level are paired.

**Leaving listeners out.** A ranker fitted on playlists (co-listening) must
never be scored on a listener whose playlists it was fitted on: it would be
shown the answer. Such a ranker (:class:`ListenerFitted`) is scored
listener by listener, each time refitted without that listener's playlists
(:func:`listener_hits`); a playlist without a listener is its own listener
(:func:`~recommender.catalogue.listening.listener_key`).

The evaluation is split so that new rankers and new protocols plug in:
:func:`query_hits` scores one :class:`~recommender.offline.rankers.Ranker` on an
:class:`EvaluationSet` (or a :meth:`~EvaluationSet.restrict`-ed part of one,
e.g. one listener's playlists for a ranker fitted without them), and
:func:`hit_rates` turns hits, possibly :meth:`pooled <QueryHits.concat>` from
several parts, into rates with intervals; :func:`paired_difference` says by
how much one ranker beats another on the same queries, with an interval from
the same resamples. :func:`evaluate` scores a list of rankers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol, get_args, runtime_checkable

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.listening import listener_key
from recommender.catalogue.playlist_files import MatchedPlaylists
from recommender.offline.rankers import Ranker

__all__ = [
    "Level",
    "LEVELS",
    "DEFAULT_KS",
    "RESAMPLES",
    "RANDOM_SAMPLES",
    "MIN_DRAWS",
    "MAX_DRAWS",
    "EvaluationSet",
    "QueryHits",
    "HitRate",
    "RateDifference",
    "ListenerFitted",
    "query_hits",
    "listener_hits",
    "draws_for",
    "hit_rates",
    "paired_difference",
    "evaluate",
]

Level = Literal["song", "artist", "song-artist"]
LEVELS: tuple[str, ...] = get_args(Level)
DEFAULT_KS: tuple[int, ...] = (1, 3, 10)
#: Bootstrap resamples per interval: enough for stable 2.5%/97.5% percentiles.
RESAMPLES = 2000
#: A random ranker is asked this many (query, draw) pairs per level, so the
#: Monte Carlo error of its pooled rate stays near 0.001 (sqrt(0.25 / 200,000)) ...
RANDOM_SAMPLES = 200_000
#: ... with every query drawn at least MIN_DRAWS and at most MAX_DRAWS times.
MIN_DRAWS, MAX_DRAWS = 20, 2_000
#: Query rows asked of a ranker at once.
_CHUNK_ROWS = 65_536


@dataclass(frozen=True)
class _Pairs:
    """Distinct (playlist, item) pairs, with the item's side."""

    playlist: np.ndarray
    item: np.ndarray
    korean: np.ndarray

    def where(self, mask: np.ndarray) -> _Pairs:
        return _Pairs(self.playlist[mask], self.item[mask], self.korean[mask])


@dataclass(frozen=True)
class EvaluationSet:
    """Which catalogue songs and artists each playlist holds.

    ``playlists`` has one row per playlist with at least one matched row
    (``listener``, ``playlist``); its position is the playlist number used
    everywhere else. Build one with :meth:`from_matches`.
    """

    playlists: pd.DataFrame
    songs: _Pairs
    artists: _Pairs
    artist_of: np.ndarray  # song id -> artist id
    korean_songs: np.ndarray  # bool per song id
    korean_artists: np.ndarray  # bool per artist id: Korean and with a Korean song

    @classmethod
    def from_matches(cls, matched: MatchedPlaylists, catalogue: Catalogue) -> EvaluationSet:
        rows = matched.rows
        rows = rows[(rows["song_id"] >= 0) | (rows["artist_id"] >= 0)]
        playlist, names = pd.factorize(pd.MultiIndex.from_arrays([rows["listener"], rows["playlist"]]))
        playlists = pd.DataFrame({"listener": names.get_level_values(0), "playlist": names.get_level_values(1)})

        artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.int64)
        korean_songs = catalogue.korean_mask
        has_western_song = np.zeros(len(catalogue.artists), dtype=bool)
        has_western_song[artist_of[~korean_songs]] = True
        has_korean_song = np.zeros(len(catalogue.artists), dtype=bool)
        has_korean_song[artist_of[korean_songs]] = True
        korean_flag = catalogue.artists["korean"].to_numpy(dtype=bool)
        # Artists that can be asked about (western, with songs) or recommended (Korean, with Korean songs).
        korean_artists = korean_flag & has_korean_song
        counted = korean_artists | (~korean_flag & has_western_song)

        def pairs(items: np.ndarray, keep: np.ndarray, korean: np.ndarray) -> _Pairs:
            frame = pd.DataFrame({"playlist": playlist[keep], "item": items[keep]}).drop_duplicates()
            frame = frame.sort_values(["playlist", "item"])
            item = frame["item"].to_numpy(dtype=np.int64)
            return _Pairs(frame["playlist"].to_numpy(dtype=np.int64), item, korean[item])

        song = rows["song_id"].to_numpy(dtype=np.int64)
        artist = rows["artist_id"].to_numpy(dtype=np.int64)
        return cls(
            playlists=playlists,
            songs=pairs(song, song >= 0, korean_songs),
            artists=pairs(artist, (artist >= 0) & counted[np.maximum(artist, 0)], korean_artists),
            artist_of=artist_of,
            korean_songs=korean_songs,
            korean_artists=korean_artists,
        )

    def restrict(self, playlists: Sequence[int] | np.ndarray) -> EvaluationSet:
        """The same set with only the given playlist numbers (numbers keep their meaning)."""
        keep = np.asarray(playlists, dtype=np.int64)
        return replace(
            self,
            songs=self.songs.where(np.isin(self.songs.playlist, keep)),
            artists=self.artists.where(np.isin(self.artists.playlist, keep)),
        )

    def _queries_and_targets(self, level: str) -> tuple[_Pairs, _Pairs]:
        _check_level(level)
        queries = self.artists if level == "artist" else self.songs
        targets = self.songs if level == "song" else self.artists
        queries, targets = queries.where(~queries.korean), targets.where(targets.korean)
        usable = np.intersect1d(queries.playlist, targets.playlist)
        return queries.where(np.isin(queries.playlist, usable)), targets.where(np.isin(targets.playlist, usable))

    def queries(self, level: str) -> tuple[np.ndarray, np.ndarray]:
        """(playlist number, western song or artist id) of every query at ``level``."""
        queries, _ = self._queries_and_targets(level)
        return queries.playlist, queries.item

    def listener_keys(self) -> np.ndarray:
        """Whose playlist each playlist number is (:func:`~recommender.catalogue.listening.listener_key`)."""
        return np.array(
            [listener_key(str(l), str(p)) for l, p in zip(self.playlists["listener"], self.playlists["playlist"],
                                                          strict=True)],
            dtype=object,
        )

    def coverage(self, level: str) -> tuple[int, int]:
        """(playlists usable at ``level``, queries there)."""
        playlist, _ = self.queries(level)
        return len(np.unique(playlist)), len(playlist)


@dataclass(frozen=True)
class QueryHits:
    """One ranker's hits at one level: ``hits[i, j]`` is query i's hit at ``ks[j]``.

    Hits are 0 or 1, or for a random ranker the mean over ``draws`` draws.
    """

    ranker: str
    level: str
    ks: tuple[int, ...]
    playlist: np.ndarray
    item: np.ndarray
    hits: np.ndarray
    draws: int = 1

    @classmethod
    def concat(cls, parts: Sequence[QueryHits]) -> QueryHits:
        """Pool hits of one ranker and level scored on disjoint parts of one evaluation set.

        ``draws`` of the pool is the fewest of any part.
        """
        if not parts:
            raise ValueError("nothing to pool")
        first = parts[0]
        if any((p.ranker, p.level, p.ks) != (first.ranker, first.level, first.ks) for p in parts):
            raise ValueError("can only pool hits of one ranker, level and k list")
        return cls(
            first.ranker,
            first.level,
            first.ks,
            np.concatenate([p.playlist for p in parts]),
            np.concatenate([p.item for p in parts]),
            np.concatenate([p.hits for p in parts]),
            min(p.draws for p in parts),
        )


@dataclass(frozen=True)
class HitRate:
    """Hit rate at k with its 95% bootstrap interval (NaN when there were no queries).

    ``draws`` is how many draws per query a random ranker's rate averages (1 otherwise).
    """

    ranker: str
    level: str
    k: int
    rate: float
    low: float
    high: float
    queries: int
    playlists: int
    draws: int = 1


@dataclass(frozen=True)
class RateDifference:
    """``ranker`` minus ``baseline`` hit rate at k on the same queries, with its paired 95% bootstrap interval."""

    ranker: str
    baseline: str
    level: str
    k: int
    difference: float
    low: float
    high: float


@runtime_checkable
class ListenerFitted(Protocol):
    """A ranker fitted on playlists, which can be refitted without some listeners' playlists."""

    def excluding(self, listeners: Collection[str]) -> Ranker: ...


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")


def _check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    ks = tuple(int(k) for k in ks)
    if not ks or min(ks) < 1:
        raise ValueError(f"k values must be at least 1, got {list(ks)}")
    return ks


def query_hits(evaluation: EvaluationSet, ranker: Ranker, level: str, ks: Sequence[int] = DEFAULT_KS) -> QueryHits:
    """Ask ``ranker`` for every query at ``level`` and mark the hits.

    A random ranker is asked :func:`draws_for` times per query and its hits are
    averaged: the expected hit rate, estimated from many seeded draws.
    """
    ks = _check_ks(ks)
    queries, targets = evaluation._queries_and_targets(level)
    draws = draws_for(len(queries.item)) if ranker.random else 1
    asked = np.repeat(queries.item, draws)
    playlist = np.repeat(queries.playlist, draws)
    span = len(evaluation.korean_artists if level != "song" else evaluation.korean_songs)
    wanted = np.unique(targets.playlist * span + targets.item)  # sorted, for binary search
    within = np.zeros((len(asked), len(ks)), dtype=bool)
    for start in range(0, len(asked), _CHUNK_ROWS):  # bounds memory whatever the ranker allocates
        rows = slice(start, min(start + _CHUNK_ROWS, len(asked)))
        within[rows] = _hits(evaluation, ranker, level, ks, asked[rows], playlist[rows], wanted, span)
    hits = within.reshape(len(queries.item), draws, len(ks)).mean(axis=1)
    return QueryHits(ranker.name, level, ks, queries.playlist, queries.item, hits, draws)


def listener_hits(
    evaluation: EvaluationSet, ranker: Ranker, level: str, ks: Sequence[int] = DEFAULT_KS
) -> QueryHits:
    """:func:`query_hits`, scoring each listener with the ranker refitted without them when it is fitted on playlists.

    Queries come back grouped by listener (in the order of their keys), not in
    the evaluation's order; :func:`paired_difference` aligns them.
    """
    if not isinstance(ranker, ListenerFitted):
        return query_hits(evaluation, ranker, level, ks)
    keys = evaluation.listener_keys()
    playlist, _ = evaluation.queries(level)
    parts = [
        query_hits(evaluation.restrict(np.flatnonzero(keys == key)), ranker.excluding({key}), level, ks)
        for key in sorted(set(keys[playlist].tolist()))
    ]
    return QueryHits.concat(parts) if parts else query_hits(evaluation, ranker, level, ks)


def draws_for(n_queries: int) -> int:
    """Draws per query for a random ranker: about RANDOM_SAMPLES in all, within MIN_DRAWS..MAX_DRAWS."""
    return int(np.clip(-(-RANDOM_SAMPLES // max(n_queries, 1)), MIN_DRAWS, MAX_DRAWS))


def _hits(
    evaluation: EvaluationSet,
    ranker: Ranker,
    level: str,
    ks: tuple[int, ...],
    asked: np.ndarray,
    playlist: np.ndarray,
    wanted: np.ndarray,
    span: int,
) -> np.ndarray:
    """Hit or not at each k, for one chunk of queries."""
    top = max(ks)
    picks = ranker.artists_for(asked, top) if level == "artist" else ranker.songs_for(asked, top)
    _check_picks(evaluation, ranker, level, picks, len(asked), top)
    picked = picks if level != "song-artist" else np.where(picks >= 0, evaluation.artist_of[np.maximum(picks, 0)], -1)
    keys = playlist[:, None] * span + picked
    # Every query's playlist has a target, so ``wanted`` is never empty here.
    position = np.minimum(np.searchsorted(wanted, keys), len(wanted) - 1)
    found = (picked >= 0) & (wanted[position] == keys)
    return np.logical_or.accumulate(found, axis=1)[:, [k - 1 for k in ks]]


def _check_picks(evaluation: EvaluationSet, ranker: Ranker, level: str, picks: np.ndarray, n: int, k: int) -> None:
    """A ranker that breaks its contract would be scored wrongly: say so instead.

    (Its other promise, never the query's own artist, cannot be broken here:
    queries are western and picks must be Korean.)
    """
    picks = np.asarray(picks)
    if picks.shape != (n, k) or not np.issubdtype(picks.dtype, np.integer):
        raise ValueError(f"ranker {ranker.name!r} returned {picks.dtype} {picks.shape}, expected integer ({n}, {k})")
    korean = evaluation.korean_artists if level == "artist" else evaluation.korean_songs
    if (picks < -1).any() or (picks >= len(korean)).any() or not korean[picks[picks >= 0]].all():
        kind = "artists" if level == "artist" else "songs"
        raise ValueError(f"ranker {ranker.name!r} picked ids that are not Korean {kind} of the catalogue")


def _bootstrap(
    playlist: np.ndarray, values: np.ndarray, resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Pooled mean of each column of ``values`` over queries, its 2.5/97.5 percentiles from resampling playlists.

    Returns (means, lows, highs, playlists). The resamples depend only on
    ``seed`` and the playlists, so callers on the same playlists share them.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    clusters, position = np.unique(playlist, return_inverse=True)
    n = len(clusters)
    if n == 0:
        nan = np.full(values.shape[1], np.nan)
        return nan, nan, nan, 0
    per_playlist = np.stack([np.bincount(position, weights=values[:, j], minlength=n)
                             for j in range(values.shape[1])], axis=1)
    queries = np.bincount(position, minlength=n).astype(np.float64)
    weights = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=resamples)
    rates = (weights @ per_playlist) / (weights @ queries)[:, None]
    low, high = np.percentile(rates, [2.5, 97.5], axis=0)
    return per_playlist.sum(axis=0) / queries.sum(), low, high, n


def hit_rates(hits: QueryHits, *, resamples: int = RESAMPLES, seed: int = 0) -> list[HitRate]:
    """Hit rate at each k, with a 95% percentile interval from resampling playlists.

    Each resample draws as many playlists as there are, with replacement, and
    takes pooled hits over pooled queries; the interval is the 2.5th and
    97.5th percentile of that. The resamples depend only on ``seed`` and the
    playlists, so rankers scored on the same playlists share them.
    """
    rate, low, high, n = _bootstrap(hits.playlist, hits.hits, resamples, seed)
    return [
        HitRate(hits.ranker, hits.level, k, float(rate[j]), float(low[j]), float(high[j]),
                len(hits.playlist) if n else 0, n, hits.draws)
        for j, k in enumerate(hits.ks)
    ]


def paired_difference(
    hits: QueryHits, baseline: QueryHits, *, resamples: int = RESAMPLES, seed: int = 0
) -> list[RateDifference]:
    """``hits`` minus ``baseline`` at each k, on the same queries, with a paired bootstrap interval.

    Both must hold the same queries (in any order); each resample draws the
    same playlists for both, so what the two share (which playlists are easy)
    cancels out, and an interval above zero says the first ranker is better
    by more than the resampling noise.
    """
    if (hits.level, hits.ks) != (baseline.level, baseline.ks):
        raise ValueError("can only compare hits of one level and k list")
    mine = np.lexsort((hits.item, hits.playlist))
    theirs = np.lexsort((baseline.item, baseline.playlist))
    if not (np.array_equal(hits.playlist[mine], baseline.playlist[theirs])
            and np.array_equal(hits.item[mine], baseline.item[theirs])):
        raise ValueError(f"{hits.ranker!r} and {baseline.ranker!r} were not scored on the same queries")
    gap = hits.hits[mine] - baseline.hits[theirs]
    difference, low, high, _ = _bootstrap(hits.playlist[mine], gap, resamples, seed)
    return [
        RateDifference(hits.ranker, baseline.ranker, hits.level, k, float(difference[j]), float(low[j]),
                       float(high[j]))
        for j, k in enumerate(hits.ks)
    ]


def evaluate(
    evaluation: EvaluationSet,
    rankers: Sequence[Ranker],
    *,
    levels: Sequence[str] = LEVELS,
    ks: Sequence[int] = DEFAULT_KS,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> list[HitRate]:
    """Every ranker at every level: hit rates at each k with intervals, level by level.

    Rankers fitted on playlists are scored leaving each listener out (:func:`listener_hits`).
    """
    names = [r.name for r in rankers]
    if len(set(names)) != len(names):
        raise ValueError(f"ranker names must be unique, got {names}")
    for level in levels:
        _check_level(level)
    return [
        rate
        for level in levels
        for ranker in rankers
        for rate in hit_rates(listener_hits(evaluation, ranker, level, ks), resamples=resamples, seed=seed)
    ]
