"""Match what people type to a song or artist in the catalogue.

A query goes through three steps, cheapest first, and stops at the first that answers:

1. **Exact keys** (dict lookups, nothing scored): the whole query as a title key or
   an artist name/alias key, then the same without spaces ("black pink"), then
   every split of the query into a title and an artist, in either order
   ("Blinding Lights - The Weeknd", "... by The Weeknd", "The Weeknd - ...").
2. **Shortlist**: a trigram TF-IDF index (:mod:`recommender.matching.shortlist`) picks the
   titles and names that share the most trigrams with the query.
3. **Rescoring** of that shortlist only (:func:`recommender.matching.text_similarity.score`);
   popularity breaks ties.

Confidence. Songs that share a title ("Stay") are one *text*; an artist is one
text whatever alias matched. A fuzzy answer is given only when the best text
scores at least :data:`CONFIDENT_SCORE`, beats every other text by
:data:`MARGIN`, and the query has at least :data:`MIN_FUZZY_CHARS` characters.
Otherwise the best texts scoring at least :data:`SUGGEST_SCORE` come back as
"did you mean" suggestions. The thresholds were chosen on ~1,000 typo'd,
truncated and padded queries (and 1,000 junk ones) against a 40,000-song
catalogue built from the shared data: at 86/6, no title with one or two typos
got a wrong fuzzy answer (a typo that spells another real title is answered as
that title, exactly) and no junk query got any answer, while about 70% of the
positive queries were answered and most of the rest had the right item among
the suggestions. A lower bar (80, or no margin) started answering
junk ("nezal" -> "EZA").

Shared titles. Among songs sharing a title, an artist named in the query decides;
without one the most popular song is the answer, exact or fuzzy. That is a
guess when two versions are about as popular, and it is made on purpose: most
people mean the popular one, and the reply names the artist, so a wrong guess
is visible and the person can add the artist. The same holds for a text that is
both a title and an artist name: the more popular reading wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

import recommender.matching.text_similarity as similarity
from recommender.catalogue.catalogue import Catalogue
from recommender.matching.completion import PrefixIndex
from recommender.catalogue.normalize import text_key, title_key
from recommender.matching.text_similarity import MAX_QUERY_CHARS, MIN_FUZZY_CHARS, decomposed, query_key
from recommender.matching.shortlist import TrigramShortlist

__all__ = ["Item", "Match", "Matcher", "CONFIDENT_SCORE", "MARGIN", "MIN_FUZZY_CHARS", "SUGGEST_SCORE"]

#: A fuzzy best match scoring at least this (0-100) is answered ...
CONFIDENT_SCORE = 86.0
#: ... when no other title or artist scores within this many points of it.
MARGIN = 6.0
#: Below the confident bar, texts scoring at least this are offered as suggestions.
SUGGEST_SCORE = 70.0
#: Weight of the loose readings (part of a title, words reordered): a perfect one
#: scores CONFIDENT_SCORE - MARGIN, so it can be suggested but can neither be
#: answered nor stand within the margin of a confident answer.
LOOSE_WEIGHT = (CONFIDENT_SCORE - MARGIN) / 100
#: How many titles and names the trigram index passes on to rescoring.
SHORTLIST_SIZE = 100
#: The best shortlisted artists whose songs are rescored even when their title was
#: not shortlisted ("brck ben folds five" -> "Brick"), and how many songs each.
ARTISTS_EXPANDED = 3
SONGS_PER_ARTIST = 50
#: Songs by other artists named when a bare title has several (the best known is answered), and
#: how close in Spotify popularity (0-100) to the best known they must be: a cover or a namesake
#: far less known than the hit would only be noise.
SAME_TITLE_SHOWN = 2
SAME_TITLE_GAP = 15.0
#: Words that join a title to its artist in a query ("Stay by Justin Bieber").
_JOINING_WORDS = frozenset({"by"})


@dataclass(frozen=True)
class Item:
    """A song or an artist of the catalogue, as the bot shows it."""

    kind: Literal["song", "artist"]
    id: int  # song_id (row of catalogue.songs) or artist_id (row of catalogue.artists)
    title: str  # song title, or the artist's name for an artist
    artist: str  # display artist name (for an artist: its name)
    korean: bool


@dataclass(frozen=True)
class Match:
    """The answer to one query."""

    item: Item | None  # None when nothing matched with confidence
    score: float  # 0..100
    exact: bool  # exact/alias hit (answered without scoring the catalogue)
    suggestions: tuple[Item, ...]  # up to 3 "did you mean" choices when item is None
    # When the query was a bare title that songs by several artists share: up to 2 of the others,
    # best known first (the item is the best known), so the person can name the one they meant.
    same_title: tuple[Item, ...] = ()


def _popularity(values: Iterable[float]) -> np.ndarray:
    """Popularity for ranking: unknown (NaN) ranks below every known value."""
    array = np.asarray(list(values), dtype=np.float64)
    return np.where(np.isnan(array), -1.0, array)


@dataclass(frozen=True)
class _Groups:
    """Ids grouped by a label, most popular first in each group (CSR layout).

    Group ``g`` holds ``members[start[g]:start[g + 1]]``. Ids labelled -1 belong
    to no group.
    """

    members: np.ndarray
    start: np.ndarray

    @classmethod
    def of(cls, label: np.ndarray, n_groups: int, popularity: np.ndarray) -> _Groups:
        ids = np.flatnonzero(label >= 0)
        members = ids[np.lexsort((ids, -popularity[ids], label[ids]))]
        counts = np.bincount(label[ids], minlength=n_groups)
        return cls(members, np.concatenate([[0], np.cumsum(counts)]))

    def __getitem__(self, group: int) -> np.ndarray:
        return self.members[self.start[group] : self.start[group + 1]]

    def firsts(self, groups: np.ndarray) -> np.ndarray:
        """The most popular id of each group (every group given must be non-empty)."""
        return self.members[self.start[groups]]

    def gather(self, groups: np.ndarray) -> np.ndarray:
        """Every id of the given groups, concatenated."""
        lengths = self.start[groups + 1] - self.start[groups]
        skipped = np.repeat(self.start[groups] - np.cumsum(lengths) + lengths, lengths)
        return self.members[skipped + np.arange(lengths.sum())]


@dataclass(frozen=True)
class _Readings:
    """One fuzzy query's scored candidates, one row per song or artist.

    ``text`` is what competes for confidence: songs sharing a title share it
    (their title document), and so does an artist whose matched name is that
    title; any other artist has its own (numbered past the titles).
    """

    id: np.ndarray
    is_song: np.ndarray
    text: np.ndarray
    score: np.ndarray
    popularity: np.ndarray

    def ranked_texts(self) -> np.ndarray:
        """Rows of the best reading of each text, best text first.

        Within a text and between texts: highest score, then most popular, then
        an artist before a song, then lowest id.
        """
        order = np.lexsort((self.id, self.is_song, -self.popularity, -self.score, self.text))
        best = order[np.r_[True, self.text[order][1:] != self.text[order][:-1]]]
        return best[np.lexsort((self.id[best], self.is_song[best], -self.popularity[best], -self.score[best]))]


class Matcher:
    """Resolves free text to an :class:`Item`. Fit once per catalogue, then query many times."""

    def __init__(self, catalogue: Catalogue) -> None:
        """Build every index; :meth:`fit` is the usual spelling."""
        songs, artists = catalogue.songs, catalogue.artists
        self._song_titles = [str(t) for t in songs["title"]]
        self._song_artist = songs["artist_id"].to_numpy(dtype=np.int64)
        self._song_korean = songs["korean"].to_numpy(dtype=bool)
        self._song_popularity = _popularity(songs["popularity"])
        self._artist_names = [str(n) for n in artists["name"]]
        self._artist_korean = artists["korean"].to_numpy(dtype=bool)
        self._artist_popularity = _popularity(artists["popularity"])

        song_keys = [title_key(t) for t in self._song_titles]
        artist_keys = [
            (key, a)
            for a, (name, aliases) in enumerate(zip(self._artist_names, artists["aliases"], strict=True))
            for key in dict.fromkeys(text_key(str(n)) for n in (name, *aliases))
            if key
        ]
        self._index_titles(song_keys)
        self._index_artists(artist_keys)

        # Fuzzy forms, the trigram shortlist over titles then names, and autocomplete
        # (entries: songs 0..n-1, artists n..n+m-1).
        self._title_doc_fuzzy = [decomposed(k) for k in self._title_docs]
        self._artist_doc_fuzzy = [decomposed(k) for k in self._artist_docs]
        self._artist_fuzzy = [decomposed(text_key(n)) for n in self._artist_names]
        self._shortlist = TrigramShortlist(self._title_doc_fuzzy + self._artist_doc_fuzzy)
        n_songs = len(song_keys)
        self._completion = PrefixIndex(
            keys=[decomposed(k) for k in song_keys] + [decomposed(k) for k, _ in artist_keys],
            entries=list(range(n_songs)) + [n_songs + a for _, a in artist_keys],
            popularity=np.concatenate([self._song_popularity, self._artist_popularity]),
        )

    def _index_titles(self, song_keys: list[str]) -> None:
        """Each distinct title key is a document; its songs are kept most popular first."""
        self._title_docs = list(dict.fromkeys(k for k in song_keys if k))
        self._doc_of_title = {k: d for d, k in enumerate(self._title_docs)}
        # -1 for a title without letters or digits ("?"): no text can reach it.
        self._doc_of_song = np.array([self._doc_of_title.get(k, -1) for k in song_keys], dtype=np.int64)
        self._songs_by_doc = _Groups.of(self._doc_of_song, len(self._title_docs), self._song_popularity)
        self._songs_by_artist = _Groups.of(
            np.where(self._doc_of_song >= 0, self._song_artist, -1), len(self._artist_names), self._song_popularity
        )
        # Without spaces, several titles may meet ("Black Pink", "Blackpink"): the most popular wins.
        self._doc_of_compact_title: dict[str, int] = {}
        most_popular = self._song_popularity[self._songs_by_doc.firsts(np.arange(len(self._title_docs)))]
        for d in np.argsort(-most_popular, kind="stable").tolist():
            self._doc_of_compact_title.setdefault(self._title_docs[d].replace(" ", ""), d)

    def _index_artists(self, artist_keys: list[tuple[str, int]]) -> None:
        """Name and alias keys -> artist ids, most popular first; each distinct key is a document."""
        self._artists = self._artist_ids_by(artist_keys)
        self._artists_compact = self._artist_ids_by((k.replace(" ", ""), a) for k, a in artist_keys)
        self._artist_docs = list(self._artists)
        # A name that is also a title is one text with it: a typo of it is no less
        # sure of the text, and which reading wins is decided as on the exact path.
        self._title_doc_of_name = np.array(
            [self._doc_of_title.get(k, -1) for k in self._artist_docs], dtype=np.int64
        )

    @classmethod
    def fit(cls, catalogue: Catalogue) -> Matcher:
        """Build every index for ``catalogue`` (fit once, query many)."""
        return cls(catalogue)

    def _artist_ids_by(self, pairs: Iterable[tuple[str, int]]) -> dict[str, tuple[int, ...]]:
        """key -> ids of the artists it names, most popular first."""
        grouped: dict[str, set[int]] = {}
        for key, a in pairs:
            grouped.setdefault(key, set()).add(a)
        by_popularity = self._artist_popularity
        return {k: tuple(sorted(ids, key=lambda a: (-by_popularity[a], a))) for k, ids in grouped.items()}

    @property
    def nbytes(self) -> int:
        """Bytes held by the numeric index arrays (trigram matrix and autocomplete)."""
        return self._shortlist.nbytes + self._completion.nbytes

    def item(self, kind: str, id: int) -> Item:
        """The :class:`Item` for a song_id or artist_id; ``ValueError`` when there is none."""
        if kind == "song":
            if not 0 <= id < len(self._song_titles):
                raise ValueError(f"no song with id {id}")
            artist = self._artist_names[self._song_artist[id]]
            return Item("song", int(id), self._song_titles[id], artist, bool(self._song_korean[id]))
        if kind == "artist":
            if not 0 <= id < len(self._artist_names):
                raise ValueError(f"no artist with id {id}")
            name = self._artist_names[id]
            return Item("artist", int(id), name, name, bool(self._artist_korean[id]))
        raise ValueError(f"kind must be 'song' or 'artist', not {kind!r}")

    def complete(self, prefix: str, limit: int = 25) -> list[Item]:
        """Items whose title/name, or a word in it, starts with ``prefix``; popular first.

        Whole-name prefixes come before word prefixes ("lig" lists "Lights" before
        "Blinding Lights"). An empty prefix gives the most popular items. Each
        call is a binary search, cheap enough for every keystroke.
        """
        entries = self._completion.complete(decomposed(text_key(prefix[:MAX_QUERY_CHARS])), limit)
        n_songs = len(self._song_titles)
        return [self.item("song", e) if e < n_songs else self.item("artist", e - n_songs) for e in entries]

    def match(self, query: str) -> Match:
        """The item ``query`` names, suggestions when unsure, or nothing. Never raises on any text."""
        key = query_key(query)
        if not key:
            return Match(None, 0.0, False, ())
        exact = self._exact(key)
        if exact is not None:
            return exact
        return self._fuzzy(decomposed(key))

    # ------------------------------------------------------------ exact path

    def _exact(self, key: str) -> Match | None:
        """A dict hit on the whole key, its compact form, or a title/artist split of it."""
        for titles, artists, k in (
            (self._doc_of_title, self._artists, key),
            (self._doc_of_compact_title, self._artists_compact, key.replace(" ", "")),
        ):
            doc, names = titles.get(k), artists.get(k, ())
            song = int(self._songs_by_doc[doc][0]) if doc is not None else None
            if names and (song is None or self._artist_popularity[names[0]] >= self._song_popularity[song]):
                return Match(self.item("artist", names[0]), 100.0, True, ())
            if song is not None and doc is not None:
                return Match(self.item("song", song), 100.0, True, (), self._same_title(doc))
        hits = [self._song_titled_by(title, artist) for title, artist in _title_artist_splits(key)]
        hits = [s for s in hits if s >= 0]
        if hits:
            best = max(hits, key=lambda s: (self._song_popularity[s], -s))
            return Match(self.item("song", best), 100.0, True, ())
        return None

    def _same_title(self, doc: int) -> tuple[Item, ...]:
        """Up to two more songs with this title, by other artists and nearly as well known, best known first."""
        songs = self._songs_by_doc[doc]
        artists = {int(self._song_artist[songs[0]])}
        floor = self._song_popularity[songs[0]] - SAME_TITLE_GAP
        others: list[Item] = []
        for song in songs[1:].tolist():
            artist = int(self._song_artist[song])
            if self._song_popularity[song] < floor:
                break  # best known first: the rest are further behind
            if artist not in artists:
                artists.add(artist)
                others.append(self.item("song", song))
                if len(others) == SAME_TITLE_SHOWN:
                    break
        return tuple(others)

    def _song_titled_by(self, title: str, artist: str) -> int:
        """The most popular song with exactly this title key by an artist with this name key, or -1."""
        doc = self._doc_of_title.get(title)
        artists = (*self._artists.get(artist, ()), *self._artists_compact.get(artist.replace(" ", ""), ()))
        if doc is None or not artists:
            return -1
        songs = self._songs_by_doc[doc]
        by_artist = songs[np.isin(self._song_artist[songs], artists)]
        return int(by_artist[0]) if len(by_artist) else -1

    # ------------------------------------------------------------ fuzzy path

    def _fuzzy(self, query: str) -> Match:
        """Shortlist, rescore, then answer, suggest, or give up (see the module docstring)."""
        readings = self._rescore(query, self._shortlist.top(query, SHORTLIST_SIZE))
        if not len(readings.id):
            return Match(None, 0.0, False, ())
        ranked = readings.ranked_texts()
        scores = readings.score[ranked[:2]].tolist()
        best, runner_up = scores[0], (scores[1] if len(scores) > 1 else 0.0)
        if best >= CONFIDENT_SCORE and best - runner_up >= MARGIN and len(query) >= MIN_FUZZY_CHARS:
            return Match(self._item_of(readings, ranked[0]), best, False, ())
        suggestions = tuple(self._item_of(readings, r) for r in ranked[:3] if readings.score[r] >= SUGGEST_SCORE)
        return Match(None, best, False, suggestions)

    def _item_of(self, readings: _Readings, row: int) -> Item:
        return self.item("song" if readings.is_song[row] else "artist", int(readings.id[row]))

    def _rescore(self, query: str, documents: np.ndarray) -> _Readings:
        """Score the songs and artists behind the shortlisted documents.

        Titles and names are scored alone, loosely (see :data:`LOOSE_WEIGHT`);
        songs by a shortlisted artist are also read strictly as "title artist"
        and "artist title", so a named artist picks its version of a shared title.
        """
        n_title_docs = len(self._title_docs)
        title_docs = documents[documents < n_title_docs]
        name_docs = (documents[documents >= n_title_docs] - n_title_docs).tolist()
        artists_per_name = [self._artists[self._artist_docs[d]] for d in name_docs]
        named = np.array(list(dict.fromkeys(a for ids in artists_per_name for a in ids)), dtype=np.int64)
        songs, hinted = self._candidate_songs(title_docs, named)

        # Two scorer passes in all: titles and names alone, then both orders of every pair.
        docs, doc_row = np.unique(self._doc_of_song[songs], return_inverse=True)
        alone = similarity.score(
            query,
            [self._title_doc_fuzzy[d] for d in docs.tolist()] + [self._artist_doc_fuzzy[d] for d in name_docs],
            loose=LOOSE_WEIGHT,
        )
        song_scores = alone[: len(docs)][doc_row]
        pairs = [
            (self._title_doc_fuzzy[d], self._artist_fuzzy[a])
            for d, a in zip(self._doc_of_song[hinted].tolist(), self._song_artist[hinted].tolist(), strict=True)
        ]
        both_orders = similarity.score(query, [f"{t} {a}" for t, a in pairs] + [f"{a} {t}" for t, a in pairs])
        rows = np.searchsorted(songs, hinted)
        song_scores[rows] = np.maximum(song_scores[rows], both_orders.reshape(2, -1).max(axis=0))

        artist_ids, artist_scores, artist_texts = self._best_name_per_artist(
            name_docs, artists_per_name, alone[len(docs) :]
        )
        return _Readings(
            id=np.concatenate([songs, artist_ids]),
            is_song=np.concatenate([np.ones(len(songs), dtype=bool), np.zeros(len(artist_ids), dtype=bool)]),
            text=np.concatenate([self._doc_of_song[songs], artist_texts]),
            score=np.concatenate([song_scores, artist_scores]),
            popularity=np.concatenate([self._song_popularity[songs], self._artist_popularity[artist_ids]]),
        )

    def _candidate_songs(self, title_docs: np.ndarray, named: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(songs to score, the subset by a named artist), both sorted.

        Each shortlisted title is represented by its most popular song: read
        alone, all its songs score the same. Songs by a named artist are added
        from the shortlisted titles and, for the first :data:`ARTISTS_EXPANDED`
        artists, from their best songs even when the title was not shortlisted,
        so a badly typed title still resolves when the query names the artist.
        """
        in_titles = self._songs_by_doc.gather(title_docs)
        expanded = [self._songs_by_artist[a][:SONGS_PER_ARTIST] for a in named[:ARTISTS_EXPANDED]]
        hinted = np.unique(np.concatenate([in_titles[np.isin(self._song_artist[in_titles], named)], *expanded]))
        return np.unique(np.concatenate([self._songs_by_doc.firsts(title_docs), hinted])), hinted

    def _best_name_per_artist(
        self, name_docs: list[int], artists_per_name: list[tuple[int, ...]], name_scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(artist ids, their best name score, their text) from per-name scores.

        An artist's text is the title its best name spells, if one does, else its own.
        """
        per_name = [len(ids) for ids in artists_per_name]
        ids = np.array([a for group in artists_per_name for a in group], dtype=np.int64)
        scores = np.repeat(name_scores, per_name)
        docs = np.repeat(np.array(name_docs, dtype=np.int64), per_name)
        by_score = np.argsort(-scores, kind="stable")
        best = by_score[np.unique(ids[by_score], return_index=True)[1]]
        titles = self._title_doc_of_name[docs[best]]
        return ids[best], scores[best], np.where(titles >= 0, titles, len(self._title_docs) + ids[best])


def _title_artist_splits(key: str) -> Iterator[tuple[str, str]]:
    """Every (title, artist) reading of a key: "t a", "a t" and "t by a"."""
    words = key.split(" ")
    for i in range(1, len(words)):
        left, right = " ".join(words[:i]), " ".join(words[i:])
        yield left, right
        yield right, left
        if words[i] in _JOINING_WORDS and i + 1 < len(words):
            yield left, " ".join(words[i + 1 :])
