"""Beyond accuracy: does the answer depend on the question, and does a ranker win by fame alone?

A hit rate on listening data rewards knowing the population's favourites (see
the notes on popularity bias), so every ranker is also measured on what its
answers look like across many questions, over the best-known western artists of
the build (:func:`best_known_western`: most songs in the catalogue, then
popularity):

* **distinct acts**: how many Korean acts appear in all the top-3 lists
  together (aggregate diversity);
* **top act share**: the share of lists holding the most frequent act, and
  which act (concentration);
* **mean pairwise Jaccard** of two lists' top-3 sets (0: no two questions
  share an act; 1: the same answer for everyone);
* **genre coherence**: for queries whose genre family is known, the share of
  picks sharing one of the query's families among the picks whose family is
  known, beside the rate a random Korean act of known family would reach.
  Only evidence counts (Spotify genres through the bridge), never a family the
  ranking itself inferred from sound, so the figure cannot grade itself.
  Families come from a function of the catalogue (:func:`bridge_families`, the
  genre bridge's families today), so a richer profile plugs in unchanged.

**Long-tail hit rate** (:func:`long_tail`): the evaluation set with the
:data:`HEAD_ACTS` best-known Korean acts (:func:`head_acts`) removed from what counts as a hit, so
picking them earns nothing and no ranker can win by fame alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from recommender.catalogue.catalogue import Catalogue
from recommender.offline.evaluation import EvaluationSet
from recommender.offline.rankers import Ranker
from recommender.ranking.signals.genre import GenreBridge
from recommender.ranking.signals.popularity import Popularity
from recommender.ranking.signals.space import KoreanArtists

__all__ = [
    "DIVERSITY_QUERIES",
    "HEAD_ACTS",
    "LIST_LENGTH",
    "Diversity",
    "best_known_western",
    "head_acts",
    "bridge_families",
    "mean_pairwise_jaccard",
    "diversity",
    "diversity_of",
    "best_known_western_songs",
    "song_diversity_of",
    "long_tail",
]

#: Western query artists the figures are taken over (the issue's "300 best-known").
DIVERSITY_QUERIES = 300
#: Korean acts that count as the head: hits on them do not count in the long-tail rate.
HEAD_ACTS = 20
#: Picks per list, as in one answer of the bot.
LIST_LENGTH = 3


@dataclass(frozen=True)
class Diversity:
    """What one ranker's top lists over many query artists look like."""

    ranker: str
    queries: int
    distinct_acts: int
    top_act: str  # the act in most lists ("" when no list holds any)
    top_act_share: float  # share of lists holding it
    mean_jaccard: float  # mean over pairs of lists of |A ∩ B| / |A ∪ B| (NaN below two lists)
    coherence: float | None  # share of picks sharing a family with the query; None when no query has one
    chance: float | None  # the share a random Korean act would reach on the same queries
    family_queries: int  # queries whose family is known


def best_known_western(catalogue: Catalogue, n: int = DIVERSITY_QUERIES) -> np.ndarray:
    """Ids of the ``n`` western artists with the most songs in the catalogue (then the most popular, then by id)."""
    songs = catalogue.songs
    western_songs = ~catalogue.korean_mask
    counts = np.bincount(songs["artist_id"].to_numpy(dtype=np.int64)[western_songs], minlength=len(catalogue.artists))
    popularity = np.nan_to_num(catalogue.artists["popularity"].to_numpy(dtype=np.float64), nan=-1.0)
    western = np.flatnonzero(~catalogue.artists["korean"].to_numpy(dtype=bool) & (counts > 0))
    order = np.lexsort((western, -popularity[western], -counts[western]))
    return western[order][:n].astype(np.int64)


def head_acts(catalogue: Catalogue, n: int = HEAD_ACTS) -> np.ndarray:
    """The ``n`` best-known Korean acts, by the fame the popularity signal measures (best songs and song count).

    The catalogue's own artist popularity is a mean over all of an act's tracks
    and leaves BTS out of its top 20; fame as the ranking measures it is what
    a ranker could win by.
    """
    artists = KoreanArtists.of(catalogue)
    return artists.ids[Popularity.fit(catalogue, artists).best_known(n)]


def bridge_families(catalogue: Catalogue) -> list[frozenset[str]]:
    """Each artist's genre families as the genre signal knows them (empty when unknown)."""
    bridge = GenreBridge.reviewed()
    return [bridge.families(genres, korean=bool(korean))
            for genres, korean in zip(catalogue.artists["genres"], catalogue.artists["korean"], strict=True)]


def mean_pairwise_jaccard(lists: np.ndarray) -> float:
    """Mean Jaccard overlap of the sets of every two rows (ids >= 0; -1 pads); NaN for fewer than two rows.

    Two empty sets overlap 0. Computed from the row-by-item incidence matrix, so
    300 lists are 44,850 pairs in one matrix product.
    """
    n = len(lists)
    if n < 2:
        return float("nan")
    valid = lists >= 0
    _, item = np.unique(lists[valid], return_inverse=True)
    incidence = np.zeros((n, int(item.max()) + 1 if item.size else 0), dtype=np.float64)
    incidence[np.nonzero(valid)[0], item] = 1.0
    together = incidence @ incidence.T
    sizes = incidence.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - together
    jaccard = np.divide(together, union, out=np.zeros_like(together), where=union > 0)
    upper = np.triu_indices(n, k=1)
    return float(jaccard[upper].mean())


def diversity(
    ranker: str,
    lists: np.ndarray,
    query_ids: np.ndarray,
    names: Sequence[str],
    families: Sequence[frozenset[str]],
    korean_ids: np.ndarray,
) -> Diversity:
    """The figures of one ranker's ``lists`` (Korean artist ids, -1 pads; one row per query artist)."""
    valid = lists >= 0
    acts, lists_holding = np.unique(lists[valid], return_counts=True)  # an act appears once per list
    top = int(np.argmax(lists_holding)) if acts.size else -1
    known = np.array([bool(families[q]) for q in query_ids], dtype=bool)
    coherence = chance = None
    labelled = [k for k in korean_ids if families[k]]
    if known.any() and labelled:
        # Only picks whose family the data tells can be checked; a pick of unknown family is left out
        # (not counted as a miss), and chance is taken over the Korean acts whose family is known.
        same = [[bool(families[q] & families[p]) for p in row[row >= 0] if families[p]]
                for q, row in zip(query_ids[known], lists[known], strict=True)]
        picks = sum(len(row) for row in same)
        coherence = sum(map(sum, same)) / picks if picks else None
        chance = float(np.mean([np.mean([bool(families[q] & families[k]) for k in labelled])
                                for q in query_ids[known]]))
    return Diversity(
        ranker=ranker,
        queries=len(lists),
        distinct_acts=int(acts.size),
        top_act=str(names[acts[top]]) if top >= 0 else "",
        top_act_share=float(lists_holding[top] / len(lists)) if top >= 0 else 0.0,
        mean_jaccard=mean_pairwise_jaccard(lists),
        coherence=coherence,
        chance=chance,
        family_queries=int(known.sum()),
    )


def diversity_of(
    rankers: Sequence[Ranker],
    catalogue: Catalogue,
    *,
    queries: int = DIVERSITY_QUERIES,
    families: Sequence[frozenset[str]] | None = None,
) -> list[Diversity]:
    """:func:`diversity` of each (non-random) ranker's top-3 artists over the ``queries`` best-known western artists."""
    query_ids = best_known_western(catalogue, queries)
    return _figures(rankers, catalogue, families, query_ids, lambda r: r.artists_for(query_ids, LIST_LENGTH))


def _figures(
    rankers: Sequence[Ranker],
    catalogue: Catalogue,
    families: Sequence[frozenset[str]] | None,
    query_artists: np.ndarray,
    acts_of: Callable[[Ranker], np.ndarray],
) -> list[Diversity]:
    """:func:`diversity` of every non-random ranker's lists of acts (``acts_of``) for queries by ``query_artists``."""
    families = bridge_families(catalogue) if families is None else families
    korean_ids = KoreanArtists.of(catalogue).ids
    names = catalogue.artists["name"].tolist()
    return [diversity(r.name, acts_of(r), query_artists, names, families, korean_ids) for r in rankers if not r.random]


def best_known_western_songs(catalogue: Catalogue, n: int = DIVERSITY_QUERIES) -> np.ndarray:
    """Ids of the ``n`` most popular western songs (then by id): what people ask for most."""
    western = np.flatnonzero(~catalogue.korean_mask)
    popularity = np.nan_to_num(catalogue.songs["popularity"].to_numpy(dtype=np.float64)[western], nan=-1.0)
    return western[np.lexsort((western, -popularity))][:n].astype(np.int64)


def song_diversity_of(
    rankers: Sequence[Ranker],
    catalogue: Catalogue,
    *,
    queries: int = DIVERSITY_QUERIES,
    families: Sequence[frozenset[str]] | None = None,
) -> list[Diversity]:
    """:func:`diversity` of each (non-random) ranker's top-3 song picks, by their acts, over the ``queries``
    most popular western songs. Song queries are what people type most, and an act with hundreds of
    songs sits near almost any song: the artist figures alone would not show it."""
    song_ids = best_known_western_songs(catalogue, queries)
    artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.int64)

    def acts_of(ranker: Ranker) -> np.ndarray:
        picks = ranker.songs_for(song_ids, LIST_LENGTH)
        return np.where(picks >= 0, artist_of[np.maximum(picks, 0)], -1)

    return _figures(rankers, catalogue, families, artist_of[song_ids], acts_of)


def long_tail(evaluation: EvaluationSet, head: np.ndarray) -> EvaluationSet:
    """The evaluation with the ``head`` Korean artists (and their songs) no longer counted as hits.

    A playlist whose only Korean items are head acts has nothing left to hit
    and drops out, as any playlist without a target does.
    """
    head_artist = np.zeros(len(evaluation.korean_artists), dtype=bool)
    head_artist[np.asarray(head, dtype=np.int64)] = True
    songs, artists = evaluation.songs, evaluation.artists
    drop_song = songs.korean & head_artist[evaluation.artist_of[songs.item]]
    drop_artist = artists.korean & head_artist[artists.item]
    return replace(evaluation, songs=songs.where(~drop_song), artists=artists.where(~drop_artist))
