"""Match what people type or paste to a song or artist in the catalogue.

A query goes through these steps, cheapest first, and stops at the first that answers:

0. **Links** (:mod:`recommender.matching.links`): a Spotify track link is looked up by
   its id; the words a YouTube or Apple Music address carries, or the words next to
   any link, go through the steps below; a link that names nothing the catalogue
   has comes back unanswered, with the link, so the reply can say so.
1. **Exact keys** (dict lookups, nothing scored): the whole query as a title key or
   an artist name/alias key (also without spaces, "black pink", and without a
   leading "the", "weeknd"), then every split of the query into a title and an
   artist, in either order ("Blinding Lights - The Weeknd", "... by The Weeknd").
   A title also answers by its *parts* when no title matches whole: what is outside
   brackets and dashes ("Flowers" for "Flowers - RudeLies Remix") and an alternate
   name in brackets ("Spring Day" for "봄날 (Spring Day)").
2. **Shortlist**: a trigram TF-IDF index (:mod:`recommender.matching.shortlist`) picks the
   titles and names that share the most trigrams with the query.
3. **Rescoring** of that shortlist only (:func:`recommender.matching.text_similarity.score`);
   popularity breaks ties.
4. **An artist with a song the catalogue lacks**: when nothing else answers and the
   query is an artist's exact name plus other words, the artist is the answer and
   the other words are kept as the title the catalogue does not know yet
   ("Espresso Sabrina Carpenter"), unless those words come close to one of that
   artist's songs (then it is a typo, and "did you mean" offers the song).

Artist or song. When the same words name an artist and a song by someone else
("Daft Punk", a Pentatonix song; "Queen"), the artist is the answer unless the song
is much better known than anything of the artist's (more than :data:`SONG_OVER_ARTIST`
Spotify popularity points above the artist's best-known song: "Redbone" is the
Childish Gambino hit); the other reading comes back too, so the reply can offer it.
An artist's fame is its best-known song's popularity (or its own, when higher):
metadata files give a mean over every track, which ranks Queen below a 58.

Confidence. Songs that share a title ("Stay") are one *text*; an artist is one
text whatever alias matched. A fuzzy answer is given only when the best text
scores at least :data:`CONFIDENT_SCORE`, beats every other text by
:data:`MARGIN`, the query has at least :data:`MIN_FUZZY_CHARS` characters, and
no query word is a *real-word substitution*: a word the catalogue uses elsewhere
standing where the answer has a different word ("lose yourself" is not a typo of
"love yourself"; "yuo" is a typo of "you"). Otherwise the best texts scoring at
least :data:`SUGGEST_SCORE` come back as "did you mean" suggestions; below that
floor nothing is offered, so an unknown song gets "I don't know that one yet"
rather than unrelated titles.

Shared titles. Among songs sharing a title, an artist named in the query decides;
without one the most popular song is the answer, exact or fuzzy. That is a
guess when two versions are about as popular, and it is made on purpose: most
people mean the popular one, and the reply names the artist, so a wrong guess
is visible and the person can add the artist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

import recommender.matching.text_similarity as similarity
from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.normalize import (
    base_title,
    credited_guests,
    strip_credits,
    strip_editions,
    strip_trailing_editions,
    text_key,
    title_key,
)
from recommender.matching.completion import PrefixIndex
from recommender.matching.links import Link, find_link
from recommender.matching.shortlist import TrigramShortlist
from recommender.matching.text_similarity import MAX_QUERY_CHARS, MIN_FUZZY_CHARS, decomposed, query_key

__all__ = [
    "Item", "Match", "Matcher", "CONFIDENT_SCORE", "MARGIN", "MIN_FUZZY_CHARS", "SUGGEST_SCORE", "SONG_OVER_ARTIST",
]

#: A fuzzy best match scoring at least this (0-100) is answered ...
CONFIDENT_SCORE = 86.0
#: ... when no other title or artist scores within this many points of it.
MARGIN = 6.0
#: Below the confident bar, texts scoring at least this are offered as suggestions (a query of under
#: five characters needs only as much as one wrong letter leaves it). Lower, and a title only as
#: alike as "Depression" is to "Espresso" is offered for a song the catalogue does not have.
SUGGEST_SCORE = 80.0
#: A best match scoring at least this is too close for one changed word to overturn it (one
#: word of several: "fly me to the mon" is "... Moon", though "mon" names something else).
SURE_SCORE = 95.0
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
#: How much better known (Spotify popularity points) a song must be than an artist's best-known
#: song to be the answer when its title is that artist's name.
SONG_OVER_ARTIST = 15.0
#: A fuzzy best match scoring at least this is also answered (with the margin) when every query
#: word it lacks is a word the catalogue never uses: a typo ("eminen", "pink vemon") rather than
#: another word. One wrong letter in a short word costs more than the confident bar allows.
TYPO_SCORE = 80.0
#: How close (0-100) a query word must be to a word of the answer to stand in its place: a
#: misspelling when the catalogue never uses it, another word when it does.
TYPO_WORD_SCORE = 60.0
#: A query word this long or longer that the catalogue uses, standing where the answer has another
#: word, is a different word, not a typo. Shorter words ("u", "ft") are abbreviations as often.
REAL_WORD_CHARS = 3
#: Words that join a title to its artist in a query ("Stay by Justin Bieber", "Closer feat Halsey").
_JOINING_WORDS = frozenset({"by", "feat", "ft", "featuring", "with"})
#: Words people add around a title that no title needs ("blinding lights song", "... official video").
_NOISE_WORDS = frozenset({"song", "songs", "music", "lyrics", "lyric", "official", "video", "mv", "audio", "track"})
#: Words that alone are no song's title ("the the the the" is not The The's song "the").
_NOT_A_TITLE = frozenset({"the", "a", "an", *_JOINING_WORDS, *_NOISE_WORDS})
#: Words inside brackets that make a version, not another name of the song ("(Live)", "(Remix)").
_VERSION_WORDS = frozenset(
    "live remix mix edit version ver inst instrumental acoustic demo mr remaster remastered intro outro "
    "interlude skit cover extended radio sped up slowed".split()
)
_ARTICLE = "the "


@dataclass(frozen=True)
class Item:
    """A song or an artist of the catalogue, as the bot shows it."""

    kind: Literal["song", "artist"]
    id: int  # song_id (row of catalogue.songs) or artist_id (row of catalogue.artists)
    title: str  # song title as shown (edition words dropped), or the artist's name for an artist
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
    # What the same words also name: the song titled like the artist answered, or that artist.
    other_reading: Item | None = None
    # The item is an artist, and the query also named a song of theirs the catalogue lacks: its words.
    unknown_title: str = ""
    link: Link | None = None  # the music link the query was, if it was one


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
    title; any other artist has its own (numbered past the titles). ``rank``
    orders readings of equal score: popularity, with an artist's fame raised by
    :data:`SONG_OVER_ARTIST` (see the module docstring).
    """

    id: np.ndarray
    is_song: np.ndarray
    text: np.ndarray
    score: np.ndarray
    rank: np.ndarray

    def ranked_texts(self) -> np.ndarray:
        """Rows of the best reading of each text, best text first.

        Within a text and between texts: highest score, then highest rank, then
        an artist before a song, then lowest id.
        """
        order = np.lexsort((self.id, self.is_song, -self.rank, -self.score, self.text))
        best = order[np.r_[True, self.text[order][1:] != self.text[order][:-1]]]
        return best[np.lexsort((self.id[best], self.is_song[best], -self.rank[best], -self.score[best]))]


class Matcher:
    """Resolves free text to an :class:`Item`. Fit once per catalogue, then query many times."""

    def __init__(self, catalogue: Catalogue) -> None:
        """Build every index; :meth:`fit` is the usual spelling."""
        songs, artists = catalogue.songs, catalogue.artists
        self._song_titles = [strip_editions(str(t)) for t in songs["title"]]
        self._song_artist = songs["artist_id"].to_numpy(dtype=np.int64)
        self._song_korean = songs["korean"].to_numpy(dtype=bool)
        self._song_popularity = _popularity(songs["popularity"])
        self._song_of_spotify_id = {  # the kept id wins over another release's
            sid: i
            for column in ("other_ids", "spotify_id")
            for i, ids in enumerate(songs[column])
            if isinstance(ids, str)
            for sid in ids.split(",")
            if sid
        }
        self._artist_names = [str(n) for n in artists["name"]]
        self._artist_korean = artists["korean"].to_numpy(dtype=bool)
        self._artist_popularity = _popularity(artists["popularity"])
        best_song = np.full(len(self._artist_names), -1.0)
        np.maximum.at(best_song, self._song_artist, self._song_popularity)
        self._artist_fame = np.maximum(self._artist_popularity, best_song)

        raw_titles = [str(t) for t in songs["title"]]
        song_keys = [title_key(t) for t in raw_titles]
        artist_keys = [
            (key, a)
            for a, (name, aliases) in enumerate(zip(self._artist_names, artists["aliases"], strict=True))
            for key in dict.fromkeys(text_key(str(n)) for n in (name, *aliases))
            if key
        ]
        self._index_titles(song_keys, raw_titles)
        self._index_artists(artist_keys)
        self._vocabulary = frozenset(word for key in (*self._title_docs, *self._artist_docs) for word in key.split())

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

    def _index_titles(self, song_keys: list[str], raw_titles: list[str]) -> None:
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
        # Another name of a song in brackets ("Spring Day" for "봄날 (Spring Day)") finds it as its
        # title does; the title without what follows a dash or sits in brackets (a remix, a live
        # take) finds it only when nothing has that title. Guests credited in a title, by song.
        alternate: dict[str, set[int]] = {}
        base: dict[str, set[int]] = {}
        self._guests: dict[int, frozenset[str]] = {}
        for song, (raw, key) in enumerate(zip(raw_titles, song_keys, strict=True)):
            cleaned = strip_credits(raw)
            for name in _BRACKETED.findall(cleaned):
                name_key = text_key(name)
                if name_key and name_key != key and not _VERSION_WORDS & set(name_key.split()):
                    alternate.setdefault(name_key, set()).add(song)
            base_key = text_key(base_title(cleaned))
            if base_key and base_key != key:
                base.setdefault(base_key, set()).add(song)
            guests = frozenset(filter(None, (text_key(g) for g in credited_guests(raw))))
            if guests:
                self._guests[song] = guests
        self._songs_by_alternate = {k: self._best_known_first(ids) for k, ids in alternate.items()}
        self._guest_keys = frozenset(g for guests in self._guests.values() for g in guests)
        self._songs_by_base = {k: self._best_known_first(ids) for k, ids in base.items()}

    def _index_artists(self, artist_keys: list[tuple[str, int]]) -> None:
        """Name and alias keys -> artist ids, most popular first; each distinct key is a document."""
        self._artists = self._artist_ids_by(artist_keys)
        self._artists_compact = self._artist_ids_by((k.replace(" ", ""), a) for k, a in artist_keys)
        # "weeknd" and "beatles": the article people leave out. Never over a name that is a key itself.
        bare = self._artist_ids_by((k[len(_ARTICLE) :], a) for k, a in artist_keys if k.startswith(_ARTICLE))
        self._artists_bare = {k: ids for k, ids in bare.items() if k not in self._artists}
        self._artist_docs = list(self._artists)
        # A name that is also a title is one text with it: a typo of it is no less
        # sure of the text, and which reading wins is decided as on the exact path.
        self._title_doc_of_name = np.array(
            [self._doc_of_title.get(k, -1) for k in self._artist_docs], dtype=np.int64
        )

    def _best_known_first(self, songs: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(songs, key=lambda s: (-self._song_popularity[s], s)))

    @classmethod
    def fit(cls, catalogue: Catalogue) -> Matcher:
        """Build every index for ``catalogue`` (fit once, query many)."""
        return cls(catalogue)

    def _artist_ids_by(self, pairs: Iterable[tuple[str, int]]) -> dict[str, tuple[int, ...]]:
        """key -> ids of the artists it names, best known first."""
        grouped: dict[str, set[int]] = {}
        for key, a in pairs:
            grouped.setdefault(key, set()).add(a)
        fame = self._artist_fame
        return {k: tuple(sorted(ids, key=lambda a: (-fame[a], a))) for k, ids in grouped.items()}

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
        link, rest = find_link(query[: 4 * MAX_QUERY_CHARS])
        if link is None:
            return self._match_text(query)
        if link.service == "spotify" and link.kind == "track" and link.id in self._song_of_spotify_id:
            return Match(self.item("song", self._song_of_spotify_id[link.id]), 100.0, True, (), link=link)
        words = link.text or rest
        found = self._match_text(words) if words else Match(None, 0.0, False, ())
        return replace(found, link=link)

    def _match_text(self, query: str) -> Match:
        key = query_key(query)
        if not key:
            return Match(None, 0.0, False, ())
        # The key as typed, then without words no title needs (edition words, "song", "lyrics").
        variants = list(dict.fromkeys([key, _without_noise(key)]))
        for variant in variants:
            exact = self._exact(variant)
            if exact is not None:
                return exact
        key = variants[-1]
        fuzzy = self._fuzzy(decomposed(key))
        if fuzzy.item is not None:
            return fuzzy
        return self._artist_with_unknown_song(key, query, fuzzy) or fuzzy

    # ------------------------------------------------------------ exact path

    def _names(self, key: str) -> tuple[int, ...]:
        """Artists whose name or alias is ``key``: as typed, without spaces, or without a leading "the"."""
        if key.startswith(_ARTICLE) and key[len(_ARTICLE) :] in self._artists and key not in self._artists:
            key = key[len(_ARTICLE) :]
        return self._artists.get(key) or self._artists_compact.get(key.replace(" ", "")) or self._artists_bare.get(key, ())

    def _titled(self, key: str) -> tuple[np.ndarray, bool]:
        """(songs best known first, whole): with this title or another name of theirs (whole), else as a base title."""
        doc = self._doc_of_title.get(key)
        if doc is None:
            doc = self._doc_of_compact_title.get(key.replace(" ", ""))
        titled = self._songs_by_doc[doc] if doc is not None else _NO_SONGS
        alternate = self._songs_by_alternate.get(key)
        if alternate is not None:
            return np.array(self._best_known_first({*titled.tolist(), *alternate}), dtype=np.int64), True
        if len(titled):
            return titled, True
        return np.array(self._songs_by_base.get(key, ()), dtype=np.int64), False

    def _exact(self, key: str) -> Match | None:
        """A dict hit on the whole key (as an artist and/or a title), or on a title/artist split of it."""
        names = self._names(key)
        songs, whole = self._titled(key)
        if not names and not whole and len(songs) > 1 and self._versions_alike(songs):
            # only versions have it as their base title ("... (Live at Wembley)", "... (Live at Budokan)")
            return Match(None, 100.0, False, tuple(self.item("song", s) for s in songs[:3].tolist()))
        if names or len(songs):
            return self._artist_or_song(names[0] if names else None, songs.tolist())
        hits = [self._song_titled_by(title, artist) for title, artist in _title_artist_splits(key)]
        hits = [s for s in hits if s >= 0]
        if hits:
            best = max(hits, key=lambda s: (self._song_popularity[s], -s))
            return Match(self.item("song", best), 100.0, True, ())
        return None

    def _versions_alike(self, songs: np.ndarray) -> bool:
        """True when the best known of these songs is not clearly better known than the next."""
        first, second = self._song_popularity[songs[:2]]
        return bool(first - second <= SAME_TITLE_GAP)

    def _artist_or_song(self, artist: int | None, songs: list[int]) -> Match:
        """The answer when the same words name an artist, songs, or both (see the module docstring)."""
        song = songs[0] if songs else None
        artist_item = self.item("artist", artist) if artist is not None else None
        song_item = self.item("song", song) if song is not None else None
        if artist is not None and (song is None or self._song_popularity[song] <= self._artist_fame[artist] + SONG_OVER_ARTIST):
            return Match(artist_item, 100.0, True, (), other_reading=song_item)
        assert song_item is not None
        same = self._same_title(songs)
        return Match(song_item, 100.0, True, (), same, other_reading=artist_item)

    def _same_title(self, songs: list[int]) -> tuple[Item, ...]:
        """Up to two more songs with this title, by other artists and nearly as well known, best known first."""
        artists = {int(self._song_artist[songs[0]])}
        floor = self._song_popularity[songs[0]] - SAME_TITLE_GAP
        others: list[Item] = []
        for song in songs[1:]:
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
        """The best-known song with this title by an artist with this name key (or crediting it as a guest), or -1."""
        artists = self._names(artist)
        guest = artist in self._guest_keys
        if not artists and not guest:
            return -1
        songs, _ = self._titled(title)
        hit = np.isin(self._song_artist[songs], artists)
        if guest:
            hit |= np.array([artist in self._guests.get(s, ()) for s in songs.tolist()], dtype=bool)
        return int(songs[np.argmax(hit)]) if hit.any() else -1

    # ------------------------------------------------------------ an artist's unknown song

    def _artist_with_unknown_song(self, key: str, query: str, fuzzy: Match) -> Match | None:
        """The artist a query names exactly, with the rest of it as a title the catalogue lacks.

        The longest artist name at either end of the query wins. Not when the
        rest comes close to one of that artist's songs, nor when the query comes
        close to a title holding the name ("binwout air" for "Bingwout Air"):
        both are typos of a song the catalogue has.
        """
        words = key.split(" ")
        best: tuple[int, int, str] | None = None  # (name words, artist, title)
        for i in range(1, len(words)):
            # "artist title", and "title artist" or "title by artist"
            for name, title in ((words[:i], words[i:]), (words[i:], _without_joiner(words[:i]))):
                artists = self._names(" ".join(name))
                if artists and _names_a_title(title) and (best is None or len(name) > best[0]):
                    best = (len(name), artists[0], " ".join(title))
        if best is None:
            return None
        _, artist, title = best
        name = set(words) - set(title.split(" "))
        if any(s.kind == "song" and name <= set(text_key(s.title).split()) for s in fuzzy.suggestions):
            return None  # the name is part of a title the query comes close to: a typo of that title
        own = self._songs_by_artist[artist]
        if len(own) and similarity.score(decomposed(title), [self._title_doc_fuzzy[d] for d in self._doc_of_song[own]],
                                         loose=LOOSE_WEIGHT).max() >= SUGGEST_SCORE:
            return None  # close to a song the artist has: a typo, and "did you mean" offers it
        return Match(self.item("artist", artist), 100.0, False, (), unknown_title=_as_typed(title, query))

    # ------------------------------------------------------------ fuzzy path

    def _fuzzy(self, query: str) -> Match:
        """Shortlist, rescore, then answer, suggest, or give up (see the module docstring)."""
        readings = self._rescore(query, self._shortlist.top(query, SHORTLIST_SIZE))
        if not len(readings.id):
            return Match(None, 0.0, False, ())
        ranked = readings.ranked_texts()
        scores = readings.score[ranked[:2]].tolist()
        best, runner_up = scores[0], (scores[1] if len(scores) > 1 else 0.0)
        if best - runner_up >= MARGIN and len(query) >= MIN_FUZZY_CHARS and best >= TYPO_SCORE:
            item = self._item_of(readings, ranked[0])
            lacking = self._words_lacking(query, item)
            sure = best >= SURE_SCORE or not self._substitutes_a_word(lacking, item)
            if (best >= CONFIDENT_SCORE or self._typos_only(lacking, item)) and sure:
                return Match(item, best, False, ())
        # One wrong letter in a short word costs more than the floor: "stai" still offers "Stay".
        floor = min(SUGGEST_SCORE, 100.0 * (1.0 - 1.0 / len(query)))
        suggestions = tuple(self._item_of(readings, r) for r in ranked[:3] if readings.score[r] >= floor)
        return Match(None, best, False, suggestions)

    @staticmethod
    def _answer_words(item: Item) -> list[str]:
        """The words of an answer: its title and its artist's name (a query may name both)."""
        return decomposed(text_key(f"{item.title} {item.artist}")).split()

    def _words_lacking(self, query: str, item: Item) -> set[str]:
        """Query words the answer does not have."""
        return set(query.split(" ")) - set(self._answer_words(item))

    def _typos_only(self, lacking: set[str], item: Item) -> bool:
        """True when the query has words the answer lacks, each a misspelling of one of its words.

        A misspelling is a word the catalogue never uses that is close to a word
        of the answer ("vemon" for "venom"); an unrelated word ("fortnight" after
        "taylor swift") is something the answer does not have.
        """
        answer = self._answer_words(item)
        return bool(lacking) and all(
            word not in self._vocabulary and similarity.score(word, answer).max() >= TYPO_WORD_SCORE for word in lacking
        )

    def _substitutes_a_word(self, lacking: set[str], item: Item) -> bool:
        """True when a query word the catalogue knows stands where the answer has a different word.

        A typo makes a word nobody uses ("lites"); a word the catalogue uses
        elsewhere ("lose" for "love") is more likely a different song.
        """
        known = [w for w in lacking if len(w) >= REAL_WORD_CHARS and w in self._vocabulary]
        answer = self._answer_words(item)
        return any(similarity.score(word, answer).max() >= TYPO_WORD_SCORE for word in known) if answer else False

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
            rank=np.concatenate([self._song_popularity[songs], self._artist_fame[artist_ids] + SONG_OVER_ARTIST]),
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


_NO_SONGS = np.empty(0, dtype=np.int64)
_BRACKETED = re.compile(r"[\(\[]([^\)\]]+)[\)\]]")


def _names_a_title(words: list[str]) -> bool:
    """Words that could be a song's title: not only articles, joining words or words no title needs."""
    return any(w not in _NOT_A_TITLE for w in words)


def _without_joiner(words: list[str]) -> list[str]:
    """A title's words before an artist, without the word joining them ("fortnight by")."""
    return words[:-1] if words and words[-1] in _JOINING_WORDS else words


def _without_noise(key: str) -> str:
    """The key without trailing edition words and words no title needs ("song", "lyrics"); never empty."""
    words = [w for w in strip_trailing_editions(key).split(" ") if w not in _NOISE_WORDS]
    return " ".join(words) or key


def _as_typed(key_words: str, query: str) -> str:
    """The words of a key as the query spelled them (case, accents), when they can be found; else the key."""
    tokens = re.findall(r"[\w']+", query)
    wanted = key_words.split(" ")
    keys = [text_key(t) for t in tokens]
    for start in range(len(keys) - len(wanted) + 1):
        if keys[start : start + len(wanted)] == wanted:
            return " ".join(tokens[start : start + len(wanted)])
    return key_words

