"""The hybrid ranking: Korean artists for a song or an artist query, by a documented blend of signals.

Audio likeness alone picks Korean acts that share a tempo with the query and
nothing else people care about; on real listeners' playlists it scores like
random picks (README, "How good is it?"). The ranking here blends four
signals from :mod:`recommender.ranking.signals`:

========== ================================================================
audio       rank in the precomputed neighbour tables (song queries: the
            query song's own neighbours; artist queries: the artist table)
popularity  how well known the Korean artist is
genre       the genre-family profiles of the query artist and the Korean artist
colistening how often the two share people's playlists
========== ================================================================

**Candidates.** The audio neighbour rows are the candidate generator (for a
song query, the song's row and its artist's row), widened by the Korean
artists that share a playlist with the query artist and by the
``FAMOUS_CANDIDATES`` best-known acts, so that the other signals can bring
in an act that the audio row of a few hundred misses. Everything else, and
the query's own artist, is never picked.

**Fit first, fame second.** Each query-specific signal (audio, genre,
co-listening) ranks all Korean artists for the query (ties share their
average rank), and an artist's *fit* is ``sum(weight[s] / (RANK_OFFSET + rank[s]))``
over them: weighted reciprocal-rank fusion, so scales never need reconciling
and a signal that knows nothing about a query (all ties) changes nothing.
``RANK_OFFSET`` = 10 lets the top ten of one signal compete with each other
instead of the first one taking all. Fame is a *prior*, not a vote: it is
added (with the popularity weight) only to the ``FIT_POOL`` acts that fit the
query best, which always come before the rest. A fame term that entered the
fusion like the other signals ranked every candidate the same way for every
query, so the famous acts won most answers whatever was asked (BTS in 98% of
the top-3 lists for the 300 best-known western artists); within the pool,
fame only orders acts that fit, and two different tastes get different acts.

**Familiarity** (``KPOP_FAMILIARITY``, from -1 to 1) scales the fame prior
by its size: 1 uses it as tuned, 0 ignores fame, and a negative value orders
the fitting acts by obscurity instead ("deep cuts"). It also chooses which song
shows an artist: when positive, the artist's best-known song (people put
hits in playlists: measured, this finds the playlist's own song several
times more often than the song closest in sound); otherwise the artist's
song closest to the query.

**Feedback** from the bot's users adds ``FEEDBACK_WEIGHT * score / (RANK_OFFSET + 1)``
to an artist (weights are normalised to sum to 1 first, so a fully liked
artist gains ``FEEDBACK_WEIGHT`` times what a first rank in every signal
gives), and moves a song ``FEEDBACK_SONG_SHIFT * score`` places within its
artist's songs.

The weights are chosen by ``kpop-bot tune`` (:mod:`recommender.offline.tuning`) and
stored with the build; until a build is tuned all four weigh the same.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.features import scale_features
from recommender.ranking.neighbours import NeighbourTables, artist_vectors
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.signals.audio import AudioSimilarity
from recommender.ranking.signals.colistening import CoListening
from recommender.ranking.signals.feedback import FeedbackScores
from recommender.ranking.signals.genre import GenreBridge
from recommender.ranking.signals.genre_profiles import GenreProfiles, GenreSimilarity
from recommender.ranking.signals.popularity import Popularity
from recommender.ranking.signals.space import KoreanArtists

__all__ = [
    "SIGNALS",
    "average_ranks",
    "RANK_OFFSET",
    "FAMOUS_CANDIDATES",
    "FEEDBACK_WEIGHT",
    "FEEDBACK_SONG_SHIFT",
    "QueryKind",
    "BlendWeights",
    "Blend",
    "TunedBlend",
    "AUDIO_ONLY",
    "SignalRanks",
    "HybridModel",
]

SIGNALS: tuple[str, ...] = ("audio", "popularity", "genre", "colistening")
#: Added to every rank before taking its reciprocal (see the module docstring).
RANK_OFFSET = 10
#: Acts per query that fame may reorder: the best this many by the query's own evidence (about a
#: twelfth of the Korean acts of the default build, over three answers' worth of "more" pages).
FIT_POOL = 100
#: The best-known Korean artists that are candidates for every query.
FAMOUS_CANDIDATES = 100
#: Weight of the bot's own feedback against the signals' weights, which are normalised to sum to 1
#: (not tuned: offline data has no votes). A song everyone likes gains half of what being ranked
#: first by every signal gives; one person's vote, shrunk to 1/4, an eighth of that.
FEEDBACK_WEIGHT = 0.5
#: Places a song moves within its artist's songs at a feedback score of 1 (all 👍, many people).
FEEDBACK_SONG_SHIFT = 10.0
#: Signal-rank computations kept per model: tuning asks the same queries under many weights.
_CACHED_QUERIES = 2

QueryKind = Literal["song", "artist"]


@dataclass(frozen=True)
class BlendWeights:
    """How much each signal's ranking counts; any non-negative values, not all zero."""

    audio: float = 1.0
    popularity: float = 1.0
    genre: float = 1.0
    colistening: float = 1.0

    def __post_init__(self) -> None:
        values = self.as_array()
        if not np.isfinite(values).all() or (values < 0).any() or values.sum() <= 0:
            raise ValueError(f"blend weights must be finite, non-negative and not all zero, got {self.as_dict()}")

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in SIGNALS], dtype=np.float64)

    def as_dict(self) -> dict[str, float]:
        return {name: float(value) for name, value in asdict(self).items()}

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> BlendWeights:
        unknown = set(values) - set(SIGNALS)
        if unknown:
            raise ValueError(f"unknown blend signals {sorted(unknown)}; the signals are {', '.join(SIGNALS)}")
        return cls(**{name: float(values.get(name, 0.0)) for name in SIGNALS})

    @classmethod
    def only(cls, signal: str) -> BlendWeights:
        """Weight 1 on one signal, 0 on the others: that signal alone."""
        return cls.from_mapping({signal: 1.0})

    def normalised(self) -> BlendWeights:
        """The same blend with weights summing to 1 (fusion depends only on their ratios)."""
        values = self.as_array()
        return BlendWeights(*(values / values.sum()).tolist())


@dataclass(frozen=True)
class Blend:
    """Weights and the familiarity knob: everything that decides an order besides the data."""

    weights: BlendWeights = field(default_factory=BlendWeights)
    familiarity: float = 1.0

    def __post_init__(self) -> None:
        if not -1.0 <= self.familiarity <= 1.0:
            raise ValueError(f"familiarity must lie between -1 (deep cuts) and 1 (familiar), got {self.familiarity}")


@dataclass(frozen=True)
class TunedBlend:
    """Weights ``kpop-bot tune`` chose, and what they were chosen on: stored with a build."""

    weights: BlendWeights
    tuned_on: tuple[str, ...]  # the playlist files
    listeners: int  # listeners with queries in them
    objective: float  # the tuning objective those weights reached in cross-validation
    tuned_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": self.weights.as_dict(),
            "tuned_on": list(self.tuned_on),
            "listeners": self.listeners,
            "objective": self.objective,
            "tuned_at": self.tuned_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TunedBlend:
        """Raises ValueError (or KeyError, TypeError) when ``data`` is not what :meth:`to_json` writes."""
        return cls(
            weights=BlendWeights.from_mapping(data["weights"]),
            tuned_on=tuple(str(name) for name in data["tuned_on"]),
            listeners=int(data["listeners"]),
            objective=float(data["objective"]),
            tuned_at=datetime.fromisoformat(data["tuned_at"]),
        )


#: Audio likeness only, each artist shown by its song closest to the query: the recommender before the blend.
AUDIO_ONLY = Blend(BlendWeights.only("audio"), familiarity=0.0)


@dataclass(frozen=True)
class SignalRanks:
    """Per query, each query-dependent signal's reciprocal rank of every Korean artist, and the candidates.

    ``audio``, ``genre`` and ``colistening`` are float32 (n, Korean artists)
    holding ``1 / (RANK_OFFSET + rank)``; ``candidates`` is bool of the same
    shape and already false for the query's own artist; ``partners`` is bool
    of the same shape: shares a playlist with the query's artist.
    """

    audio: np.ndarray
    genre: np.ndarray
    colistening: np.ndarray
    candidates: np.ndarray
    partners: np.ndarray


def reciprocal_ranks(values: np.ndarray) -> np.ndarray:
    """``1 / (RANK_OFFSET + rank)`` per row, rank 1 for the highest value and ties sharing their average rank."""
    if values.size == 0:
        return values.astype(np.float32)
    return (1.0 / (RANK_OFFSET + average_ranks(values))).astype(np.float32)


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 for the highest value, ties sharing their average rank (float64).

    What ``scipy.stats.rankdata(-values, method="average", axis=-1)`` gives, in
    plain numpy: this runs for every answer, and scipy's checks and wrappers
    cost ten times the sort for one row of a thousand artists.
    """
    shape = values.shape
    if values.size == 0:
        return np.zeros(shape, dtype=np.float64)
    rows = np.asarray(values, dtype=np.float64).reshape(-1, shape[-1])
    width = rows.shape[1]
    order = np.argsort(-rows, axis=1, kind="stable")
    ordered = np.take_along_axis(rows, order, axis=1)
    position = np.broadcast_to(np.arange(width), rows.shape)
    starts = np.ones(rows.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ends = np.ones(rows.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=1)  # where each tie group starts
    last = width - 1 - np.maximum.accumulate(np.where(ends[:, ::-1], position, 0), axis=1)[:, ::-1]  # and ends
    ranks = np.empty(rows.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (first + last) / 2 + 1, axis=1)
    return ranks.reshape(shape)


class HybridModel:
    """The fitted signals of one build; ranks Korean artists and chooses their songs for any blend."""

    def __init__(
        self,
        catalogue: Catalogue,
        tables: NeighbourTables,
        playlists: PlaylistArtists | None = None,
        *,
        bridge: GenreBridge | None = None,
        tags: pd.DataFrame | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.tables = tables
        self.artists = KoreanArtists.of(catalogue)
        self.artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.int64)
        self.audio = AudioSimilarity(tables, self.artists, self.artist_of)
        self.popularity = Popularity.fit(catalogue, self.artists)
        self.colistening = CoListening(playlists or PlaylistArtists.empty(), self.artists, len(catalogue.artists))
        fame = self.popularity.fame
        self.fame_ranks = reciprocal_ranks(fame)
        self.obscurity_ranks = reciprocal_ranks(-fame)
        self._famous = self.popularity.best_known(FAMOUS_CANDIDATES)
        # Scaled vectors place songs and artists for "closest song" and for distances shown with picks.
        self.song_vectors = scale_features(catalogue, tables.scaling)
        self.artist_vectors = artist_vectors(catalogue, self.song_vectors)
        self.profiles = GenreProfiles(catalogue, self.song_vectors, tags, bridge)
        self.genre = GenreSimilarity(self.profiles, self.artists)
        self._cache: OrderedDict[tuple[str, bytes], SignalRanks] = OrderedDict()

    def excluding(self, listeners: Collection[str]) -> HybridModel:
        """The same model with co-listening fitted without these listeners' playlists (for their evaluation)."""
        colistening = self.colistening.excluding(listeners)
        if colistening is self.colistening:
            return self
        other = object.__new__(HybridModel)
        other.__dict__.update(self.__dict__)
        other.colistening = colistening
        other._cache = OrderedDict()
        return other

    def query_artists(self, kind: QueryKind, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        return self.artist_of[ids] if kind == "song" else ids

    def signal_ranks(self, kind: QueryKind, ids: np.ndarray) -> SignalRanks:
        """The query-dependent signals' reciprocal ranks for a batch of song or artist ids."""
        ids = np.asarray(ids, dtype=np.int64)
        key = (kind, ids.tobytes())
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        artist_ids = self.query_artists(kind, ids)
        by_artist = self.audio.for_artists(artist_ids)
        audio = self.audio.for_songs(ids) if kind == "song" else by_artist
        colistening, partners = self.colistening.scores_and_partners(artist_ids)
        candidates = (audio > 0) | (by_artist > 0) | partners
        candidates[:, self._famous] = True
        own = self.artists.columns(artist_ids)
        candidates[np.flatnonzero(own >= 0), own[own >= 0]] = False
        ranks = SignalRanks(
            audio=reciprocal_ranks(audio),
            genre=reciprocal_ranks(self.genre.for_artists(artist_ids)),
            colistening=reciprocal_ranks(colistening),
            candidates=candidates,
            partners=partners,
        )
        self._cache[key] = ranks
        if len(self._cache) > _CACHED_QUERIES:
            self._cache.popitem(last=False)
        return ranks

    def scores(
        self, kind: QueryKind, ids: np.ndarray, blend: Blend, feedback: FeedbackScores | None = None
    ) -> np.ndarray:
        """(n, Korean artists) float32 fused scores; -inf for artists that are not candidates."""
        ranks = self.signal_ranks(kind, ids)
        weights = blend.weights.normalised()
        # float32 keeps a batch's arithmetic cheap; reciprocal ranks differ far above its precision.
        fit = np.zeros(ranks.audio.shape, dtype=np.float32)
        for weight, signal in ((weights.audio, ranks.audio), (weights.genre, ranks.genre),
                               (weights.colistening, ranks.colistening)):
            if weight:
                fit += np.float32(weight) * signal
        if feedback is not None:
            fit += (FEEDBACK_WEIGHT / (RANK_OFFSET + 1)) * feedback.artists.astype(np.float32)
        fit = np.where(ranks.candidates, fit, -np.inf)
        popularity = self.fame_ranks if blend.familiarity >= 0 else self.obscurity_ranks
        prior = np.float32(weights.popularity * abs(blend.familiarity)) * popularity
        if not FIT_POOL or fit.shape[1] <= FIT_POOL:
            return fit + prior
        # Fame orders only the acts that fit: the FIT_POOL best by the query's own evidence get the prior;
        # the rest follow, in order of fit.
        threshold = np.partition(fit, fit.shape[1] - FIT_POOL, axis=1)[:, fit.shape[1] - FIT_POOL, None]
        return np.where(fit >= threshold, fit + prior + np.float32(1.0), fit)

    def top_artists(self, kind: QueryKind, ids: np.ndarray, k: int, blend: Blend) -> np.ndarray:
        """(n, k) Korean artist columns, best first, -1 where fewer than k are candidates.

        Equal scores go to the lower column (artist id). A partition finds the
        k best per row, so a batch costs a pass over its scores, not a sort.
        """
        scores = self.scores(kind, ids, blend)
        n, width = scores.shape
        columns = np.full((n, k), -1, dtype=np.int64)
        if n == 0 or width == 0 or k == 0:
            return columns
        m = min(k, width)
        threshold = np.partition(scores, width - m, axis=1)[:, width - m : width - m + 1]
        chosen = (scores >= threshold) & (scores > -np.inf)
        # Rows with more artists tied at the threshold than places left keep the lowest columns of them.
        crowded = np.flatnonzero(chosen.sum(axis=1) > m)
        if len(crowded):
            tied = scores[crowded] == threshold[crowded]
            wanted = m - (scores[crowded] > threshold[crowded]).sum(axis=1, keepdims=True)
            chosen[crowded] &= ~tied | (np.cumsum(tied, axis=1) <= wanted)
        rows, cols = np.nonzero(chosen)
        place = np.arange(len(rows)) - np.searchsorted(rows, rows)  # position within its row
        best = np.full((n, m), -1, dtype=np.int64)
        best[rows, place] = cols
        # Order each row's chosen few by score (best first); -1 padding and ties keep column order.
        key = np.where(best >= 0, -np.take_along_axis(scores, np.maximum(best, 0), axis=1), np.inf)
        order = np.argsort(key, axis=1, kind="stable")
        columns[:, :m] = np.take_along_axis(best, order, axis=1)
        return columns

    def query_vectors(self, kind: QueryKind, ids: np.ndarray) -> np.ndarray:
        """Scaled feature vectors of the queries: the song's, or the artist's mean."""
        ids = np.asarray(ids, dtype=np.intp)
        return self.song_vectors[ids] if kind == "song" else self.artist_vectors[ids]

    def first_songs(self, kind: QueryKind, ids: np.ndarray, columns: np.ndarray, blend: Blend) -> np.ndarray:
        """The song that shows each chosen artist (``columns`` (n, k), -1 kept as -1)."""
        picked = np.full(columns.shape, -1, dtype=np.int64)
        rows, slots = np.nonzero(columns >= 0)
        songs, owner, place = self.popularity.songs_of(columns[rows, slots])
        if blend.familiarity > 0:
            first = place == 0
        else:
            queries = self.query_vectors(kind, ids)[rows[owner]]
            gaps = np.linalg.norm(self.song_vectors[songs] - queries, axis=1)
            order = np.lexsort((gaps, owner))
            first = np.zeros(len(songs), dtype=bool)
            first[order[np.concatenate([[True], owner[order][1:] != owner[order][:-1]])]] = True
        picked[rows[owner[first]], slots[owner[first]]] = songs[first]
        return picked

    def artist_songs(
        self, columns: np.ndarray, query_vector: np.ndarray, blend: Blend, feedback: FeedbackScores | None = None
    ) -> np.ndarray:
        """Every song of these Korean artists in the order they are shown: artist by artist, in ``columns`` order.

        Within an artist: best known first when familiarity is positive, else closest to ``query_vector``
        first; then each song moves ``FEEDBACK_SONG_SHIFT * score`` places.
        """
        songs, owner, place = self.popularity.songs_of(columns)
        position = place.astype(np.float64)
        if blend.familiarity <= 0:
            gaps = np.linalg.norm(self.song_vectors[songs] - query_vector, axis=1)
            by_gap = np.lexsort((gaps, owner))
            position[by_gap] = place  # both run artist by artist: the i-th closest of an artist gets place i
        if feedback is not None and feedback.has_effect:
            position -= FEEDBACK_SONG_SHIFT * feedback.songs[songs]
        return songs[np.lexsort((position, owner))]

    def distance(self, kind: QueryKind, query_id: int, song_id: int) -> float:
        """How far a pick lies from the query in the scaled space: song to song, or artist to artist."""
        if kind == "song":
            return float(np.linalg.norm(self.song_vectors[song_id] - self.song_vectors[query_id]))
        gap = self.artist_vectors[self.artist_of[song_id]] - self.artist_vectors[query_id]
        return float(np.linalg.norm(gap)) if np.isfinite(gap).all() else math.nan
