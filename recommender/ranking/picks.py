"""Turn a ranking into the few Korean picks a user sees.

:mod:`recommender.ranking.blend` ranks Korean artists for a song or an artist and
orders each artist's songs; this module decides which of them to show. A
reply never repeats an artist, and asking for more walks to other artists
before coming back for second songs. Songs the user disliked are never
shown; songs already shown go last. Each pick carries a reason that names
the signal that chose it, said only when it is true of that pick.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from recommender.ranking.blend import FEEDBACK_WEIGHT, RANK_OFFSET, Blend, BlendWeights, HybridModel, QueryKind
from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.ranking.neighbours import NeighbourTables, artist_vectors
from recommender.ranking.reasons import (
    BEST_KNOWN,
    LESSER_KNOWN,
    LIKED_HERE,
    MAX_REASON_LENGTH,
    explain,
    fans_of,
    shared_genre,
)
from recommender.ranking.signals.feedback import FeedbackScores

__all__ = ["Candidate", "Recommender", "RANDOM_REASON", "BEST_KNOWN_SHARE"]

#: The reason given for picks of the A/B test's control arm.
RANDOM_REASON = "a random K-pop pick"
#: Rankings remembered, most recently asked first (on the default catalogue, about 8 MB for all of them,
#: 17 MB when every one was paged deep).
RANKED_QUERIES = 256
#: Songs are listed for this many of a ranking's best artists first, and for all of them only when a
#: page reaches further: ordering every candidate act's songs costs more than the rest of an answer.
FIRST_ARTISTS = 48
#: "One of K-pop's best-known acts" is said of the best-known this share of Korean artists (at least one).
BEST_KNOWN_SHARE = 0.02


@dataclass(frozen=True)
class Candidate:
    """One Korean song to show.

    ``distance`` is how far it lies from the query in the scaled feature
    space: song to song for a song query, artist to artist for an artist
    query; NaN for a random pick, which is near nothing in particular.
    """

    song_id: int
    distance: float
    reason: str


@dataclass(frozen=True)
class _QueryFacts:
    """What every pick's reason compares against, worked out once per query."""

    kind: QueryKind
    query_artist: int
    query_raw: dict[str, float]
    weights: BlendWeights  # normalised
    ranks: tuple[np.ndarray, np.ndarray, np.ndarray]  # reciprocal ranks of every Korean artist: audio, genre, co-listening
    partners: np.ndarray  # which Korean artists share a playlist with the query's artist
    feedback: FeedbackScores | None


@dataclass
class _Ranking:
    """One query's remembered ranking.

    ``columns`` are the candidate Korean artists, best first; ``songs`` the
    Korean songs of the first ``FIRST_ARTISTS`` of them (artist by artist, each
    artist's in the order shown), and ``all_songs`` those of every candidate,
    listed when a page first needs them; ``reasons`` the reasons given so far.
    """

    columns: np.ndarray
    songs: np.ndarray
    complete: bool  # ``songs`` already covers every candidate
    facts: _QueryFacts
    all_songs: np.ndarray | None = None
    reasons: dict[int, str] = field(default_factory=dict)


class Recommender:
    """Picks for a song or an artist from the blended ranking, and random picks.

    ``model`` holds the build's fitted signals (by default, audio, popularity
    and genre of the catalogue without playlists); ``blend`` weighs them.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        tables: NeighbourTables,
        *,
        model: HybridModel | None = None,
        blend: Blend | None = None,
    ) -> None:
        n_songs, n_artists = len(catalogue.songs), len(catalogue.artists)
        if tables.songs.n_rows != n_songs or tables.artists.n_rows != n_artists:
            raise ValueError(
                f"tables ({tables.songs.n_rows} songs, {tables.artists.n_rows} artists) were not built for "
                f"this catalogue ({n_songs} songs, {n_artists} artists)"
            )
        self.model = model if model is not None else HybridModel(catalogue, tables)
        if self.model.catalogue is not catalogue:
            raise ValueError("the model was fitted on another catalogue")
        self.blend = blend if blend is not None else Blend()
        self._names = catalogue.artists["name"].astype(str).tolist()
        self._artist_of = catalogue.songs["artist_id"].to_numpy(dtype=np.intp)
        self._korean = catalogue.korean_mask
        self._korean_ids = np.flatnonzero(self._korean)
        self._raw = catalogue.features
        self._artist_raw = artist_vectors(catalogue, self._raw)
        n_korean = len(self.model.artists)
        self._best_known_rank = max(1, round(BEST_KNOWN_SHARE * n_korean))
        self._fame_rank = self.model.popularity.fame_rank()
        self._ranked_cache: OrderedDict[tuple[QueryKind, int], _Ranking] = OrderedDict()
        self._ranked_with: FeedbackScores | None = None  # the votes the remembered rankings used

    def for_song(
        self,
        song_id: int,
        *,
        count: int = 3,
        offset: int = 0,
        exclude: Collection[int] = (),
        later: Collection[int] = (),
        feedback: FeedbackScores | None = None,
    ) -> list[Candidate]:
        """Korean songs for someone who likes ``song_id``, never by its own artist.

        ``offset`` pages through the diversified order (see :func:`_diversified`);
        ``exclude`` ids are never shown; ``later`` ids (already shown) come after
        every unseen song; ``feedback`` (the bot's votes) moves songs and artists.
        Fewer than ``count`` come back when the candidates run out.
        """
        _check_id(song_id, len(self._artist_of), "song")
        return self._picks("song", song_id, count, offset, exclude, later, feedback)

    def for_artist(
        self,
        artist_id: int,
        *,
        count: int = 3,
        offset: int = 0,
        exclude: Collection[int] = (),
        later: Collection[int] = (),
        feedback: FeedbackScores | None = None,
    ) -> list[Candidate]:
        """Songs of the Korean artists ranked best for someone who likes ``artist_id``; as :meth:`for_song`."""
        _check_id(artist_id, len(self._names), "artist")
        return self._picks("artist", artist_id, count, offset, exclude, later, feedback)

    def _picks(
        self,
        kind: QueryKind,
        query_id: int,
        count: int,
        offset: int,
        exclude: Collection[int],
        later: Collection[int],
        feedback: FeedbackScores | None,
    ) -> list[Candidate]:
        _check_paging(count, offset)
        model = self.model
        if kind == "artist" and not np.isfinite(model.artist_vectors[query_id]).all():
            return []  # an artist without songs sounds like nothing: there is no ranking to give
        ranking = self._ranked(kind, query_id, feedback)
        ids, order, sure = self._order(ranking.songs, exclude, later)
        # The first artists' songs decide the first places of the full order when at least that
        # many of them show an unseen song in round one: every other artist comes later in the
        # ranking, so later in round one too. Otherwise the page may reach past them.
        if not ranking.complete and sure < offset + count:
            if ranking.all_songs is None:
                ranking.all_songs = self._songs(ranking.columns, kind, query_id, feedback)
            ids, order, _ = self._order(ranking.all_songs, exclude, later)
        picks = [int(ids[i]) for i in self._page(order, ids, count, offset)]
        for song_id in picks:
            if song_id not in ranking.reasons:
                ranking.reasons[song_id] = self._reason(ranking.facts, song_id)
        return [Candidate(song_id, model.distance(kind, query_id, song_id), ranking.reasons[song_id])
                for song_id in picks]

    def _order(
        self, songs: np.ndarray, exclude: Collection[int], later: Collection[int]
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """The songs one may be shown, their shown order and how many lead it in round one (:func:`_diversified`)."""
        ids = songs[~_isin(songs, exclude)]
        return ids, *_diversified(self._artist_of[ids], _isin(ids, later))

    def _ranked(self, kind: QueryKind, query_id: int, feedback: FeedbackScores | None) -> _Ranking:
        """The Korean artists that could answer this query, best first, and their songs; remembered.

        The same queries come again and again (one hit song, asked by many people, and
        "more" after each answer), and ranking every Korean artist, like explaining a
        pick, costs most of an answer; the memory is dropped whenever everyone's votes change.
        Songs are listed for the first ``FIRST_ARTISTS`` artists (see :meth:`_order`).
        """
        if feedback is not self._ranked_with:
            self._ranked_cache.clear()
            self._ranked_with = feedback
        key = (kind, query_id)
        if (ranking := self._ranked_cache.get(key)) is not None:
            self._ranked_cache.move_to_end(key)
            return ranking
        model, query = self.model, np.array([query_id])
        scores = model.scores(kind, query, self.blend, feedback)[0]
        columns = np.flatnonzero(scores > -np.inf)
        columns = columns[np.argsort(-scores[columns], kind="stable")]
        complete = len(columns) <= FIRST_ARTISTS
        ranking = _Ranking(
            columns=columns,
            songs=self._songs(columns[:FIRST_ARTISTS], kind, query_id, feedback),
            complete=complete,
            facts=self._facts(kind, query_id, feedback),
        )
        self._ranked_cache[key] = ranking
        if len(self._ranked_cache) > RANKED_QUERIES:
            self._ranked_cache.popitem(last=False)
        return ranking

    def _songs(self, columns: np.ndarray, kind: QueryKind, query_id: int, feedback: FeedbackScores | None) -> np.ndarray:
        """The Korean songs of these artists, artist-major in ``columns`` order, each artist's in its shown order."""
        model = self.model
        ids = model.artist_songs(columns, model.query_vectors(kind, np.array([query_id]))[0], self.blend, feedback)
        # A Korean artist's songs are Korean by the catalogue contract; the mask
        # keeps a mislabelled row from ever reaching a reply as a K-pop pick.
        ids = ids[self._korean[ids]]
        ids.flags.writeable = False  # shared by every answer to this query
        return ids

    def _facts(self, kind: QueryKind, query_id: int, feedback: FeedbackScores | None) -> _QueryFacts:
        model = self.model
        ranks = model.signal_ranks(kind, np.array([query_id]))
        return _QueryFacts(
            kind=kind,
            query_artist=int(model.query_artists(kind, np.array([query_id]))[0]),
            query_raw=self._features(self._raw[query_id] if kind == "song" else self._artist_raw[query_id]),
            weights=self.blend.weights.normalised(),
            ranks=(ranks.audio[0], ranks.genre[0], ranks.colistening[0]),
            partners=ranks.partners[0],
            feedback=feedback,
        )

    def _reason(self, facts: _QueryFacts, song_id: int) -> str:
        """The reason of the signal that did most for this pick, among those whose fact holds for it."""
        model, blend, weights, feedback = self.model, self.blend, facts.weights, facts.feedback
        pick_artist = int(self._artist_of[song_id])
        column = int(model.artists.position[pick_artist])
        popularity = model.fame_ranks if blend.familiarity >= 0 else model.obscurity_ranks
        liked = 0.0 if feedback is None else max(feedback.artists[column], feedback.songs[song_id])
        audio, genre, colistening = facts.ranks
        contribution = {
            "audio": weights.audio * audio[column],
            "genre": weights.genre * genre[column],
            "colistening": weights.colistening * colistening[column],
            "popularity": weights.popularity * abs(blend.familiarity) * popularity[column],
            "feedback": FEEDBACK_WEIGHT * liked / (RANK_OFFSET + 1),
        }
        pick_raw = self._features(self._raw[song_id] if facts.kind == "song" else self._artist_raw[pick_artist])
        ordered = sorted(contribution, key=lambda s: -contribution[s])
        fame_rank = int(self._fame_rank[column])
        if blend.familiarity < 0 and ordered[0] == "popularity" and fame_rank > len(model.artists) / 2:
            return LESSER_KNOWN
        specific = self._specific_reason(facts, pick_artist, column, liked, pick_raw, ordered)
        # Fame is never the whole reason: the pick is among the acts that fit this taste, and says how.
        if blend.familiarity > 0 and ordered[0] == "popularity" and fame_rank <= self._best_known_rank:
            combined = f"{specific}; {BEST_KNOWN}"
            return combined if len(combined) <= MAX_REASON_LENGTH else f"{specific.split(',')[0]}; {BEST_KNOWN}"
        return specific

    def _specific_reason(
        self, facts: _QueryFacts, pick_artist: int, column: int, liked: float, pick_raw: dict[str, float],
        ordered: list[str],
    ) -> str:
        """What this pick and this query share, from the strongest signal whose fact holds for the pick."""
        for signal in ordered:
            if signal == "audio":
                break
            if signal == "genre" and (families := self.model.genre.shared(facts.query_artist, pick_artist)):
                return shared_genre(families[0], facts.query_raw, pick_raw)
            if signal == "colistening" and facts.partners[column]:
                return fans_of(self._names[facts.query_artist])
            if signal == "feedback" and liked > 0:
                return LIKED_HERE
        # Sounding alike is always true in some respect, so it is also what is said when nothing else holds.
        return explain(facts.query_raw, pick_raw)

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


def _diversified(artists: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, int]:
    """Positions of candidates (given best first) in the order they are shown, and how many lead in round one.

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
    return np.lexsort((np.arange(n), rounds, seen)), int(np.count_nonzero((rounds == 0) & ~seen))


def _isin(ids: np.ndarray, collection: Collection[int]) -> np.ndarray:
    """Which ``ids`` are in ``collection``.

    ``ids`` are a query's candidates (thousands of songs) and the collections a
    person's seen songs plus the songs sunk for everyone (usually a few dozen,
    but they grow): whichever side is smaller is turned into the other's form.
    """
    if not collection:
        return np.zeros(len(ids), dtype=bool)
    if isinstance(collection, (set, frozenset)) and len(collection) > len(ids):
        return np.fromiter(map(collection.__contains__, ids.tolist()), dtype=bool, count=len(ids))
    return np.isin(ids, np.fromiter(collection, dtype=np.int64, count=len(collection)))


def _check_id(value: int, size: int, kind: str) -> None:
    if not 0 <= value < size:
        raise ValueError(f"unknown {kind} id {value}: the catalogue has {kind} ids 0..{size - 1}")


def _check_paging(count: int, offset: int) -> None:
    if count < 0 or offset < 0:
        raise ValueError(f"count and offset must not be negative, got count={count}, offset={offset}")
