"""Judging a matcher on labelled queries: right, confidently wrong, "did you mean", or nothing.

The labelled set (``tests/data/matching/``) is a small catalogue of real song and
artist names typed by hand, not taken from any data file, and several hundred
queries a person might send, each labelled with what it should resolve to. The
tests hold the matcher to its targets on it, and ``bench_matching`` reports the
same rates against brute-force rapidfuzz, on the same catalogue padded with
made-up titles (:func:`made_up_catalogue`) so that every query meets the
near-misses of a large catalogue.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.catalogue.normalize import strip_editions, text_key
from recommender.matching.matcher import Match

__all__ = ["Labelled", "Verdict", "read_queries", "read_catalogue", "made_up_catalogue", "judge", "Tally"]

Verdict = Literal["right", "wrong", "did_you_mean", "nothing"]
#: What a query should get: a song or artist answered, the item among "did you mean" choices, no
#: answer and no choices at all, or the artist answered with the rest as a title the catalogue lacks.
Expect = Literal["song", "artist", "suggest", "none", "newer"]


@dataclass(frozen=True)
class Labelled:
    query: str
    group: str  # the class of query: typo, spacing, title_artist, hangul, link, junk, ...
    expect: Expect
    title: str  # the song's catalogue title (song, suggest), or the unknown title (newer)
    artist: str


def read_queries(path: Path) -> list[Labelled]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Labelled(r["query"], r["class"], r["expect"], r["title"], r["artist"])  # type: ignore[arg-type]
                for r in csv.DictReader(fh)]


def read_catalogue(songs_csv: Path, artists_csv: Path, filler: Catalogue | None = None) -> Catalogue:
    """The labelled songs (title, artist, korean, popularity, spotify_id) with their artists' aliases.

    ``filler`` (a :func:`made_up_catalogue`) is appended after them, so labelled
    songs keep their row numbers. Audio features are zeros: matching never reads them.
    """
    songs = pd.read_csv(songs_csv, dtype={"spotify_id": str}, keep_default_na=False)
    aliases = pd.read_csv(artists_csv, keep_default_na=False).set_index("name")["aliases"].to_dict()
    names = list(dict.fromkeys(songs["artist"]))
    korean = songs.groupby("artist")["korean"].max()
    popularity = songs.groupby("artist")["popularity"].mean()
    song_frame = pd.DataFrame({
        "spotify_id": songs["spotify_id"].tolist(),
        "other_ids": "",
        "title": songs["title"].tolist(),
        "artist_id": songs["artist"].map({n: i for i, n in enumerate(names)}).to_numpy(dtype=np.int64),
        "korean": songs["korean"].astype(bool).to_numpy(),
        "popularity": songs["popularity"].astype(np.float64).to_numpy(),
        **{f: np.zeros(len(songs)) for f in FEATURES},
        "sources": "labelled",
    })
    artist_frame = pd.DataFrame({
        "name": names,
        "korean": [bool(korean[n]) for n in names],
        # a mean over the artist's songs, as artist metadata files give it
        "popularity": [float(popularity[n]) for n in names],
        "genres": [()] * len(names),
        "aliases": [tuple(a for a in aliases.get(n, "").split(";") if a) for n in names],
    })
    if filler is None:
        return Catalogue(song_frame, artist_frame)
    extra_songs = filler.songs.assign(artist_id=filler.songs["artist_id"] + len(names))
    return Catalogue(pd.concat([song_frame, extra_songs], ignore_index=True),
                     pd.concat([artist_frame, filler.artists], ignore_index=True))


_ONSETS = ["", *"b br ch d f g h j k l m n p r s sh st t tr v w y z".split()]
_VOWELS = "a e i o u ai ea ou y".split()
_CODAS = ["", "", *"n r s t ck ng ll x".split()]


def made_up_catalogue(n_songs: int, n_artists: int, seed: int) -> Catalogue:
    """Songs and artists named with pronounceable made-up words (some Hangul), Zipf-like word frequencies.

    Nothing here comes from real data; a fixed seed gives the same catalogue every run.
    """
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < 6000:
        parts = (rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.choice([1, 1, 2, 2, 2, 3])))
        words.add("".join(parts))
    vocabulary = sorted(words)
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocabulary))))

    def phrase(n_words: int) -> str:
        return " ".join(w.capitalize() for w in rng.choices(vocabulary, cum_weights=cum_weights, k=n_words))

    def hangul() -> str:
        return "".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(rng.choice([2, 2, 3, 4])))

    names = list(dict.fromkeys(phrase(rng.choice([1, 1, 2, 2, 3])) for _ in range(n_artists)))
    titles = []
    for _ in range(n_songs):
        title = hangul() if rng.random() < 0.1 else phrase(rng.choice([1, 2, 2, 3, 3, 4, 5]))
        if rng.random() < 0.1:
            title += f" (feat. {rng.choice(names)})"
        titles.append(title)
    popularity = [rng.betavariate(2, 3) * 100 if rng.random() > 0.05 else np.nan for _ in range(n_songs)]
    songs = pd.DataFrame({
        "spotify_id": None,
        "other_ids": "",
        "title": titles,
        "artist_id": [rng.randrange(len(names)) for _ in range(n_songs)],
        "korean": [rng.random() < 0.3 for _ in range(n_songs)],
        "popularity": np.array(popularity),
        **{f: np.zeros(n_songs) for f in FEATURES},
        "sources": "made up",
    })
    artists = pd.DataFrame({
        "name": names, "korean": False, "popularity": [rng.uniform(0, 100) for _ in names],
        "genres": [()] * len(names), "aliases": [()] * len(names),
    })
    return Catalogue(songs, artists)


def _is(item_title: str, item_artist: str, kind: str, want: Labelled) -> bool:
    if want.expect == "artist" or (want.expect == "suggest" and not want.title):
        return kind == "artist" and item_artist == want.artist
    return kind == "song" and item_artist == want.artist and item_title == strip_editions(want.title)


def judge(match: Match, want: Labelled) -> Verdict:
    """How a match fares against its label."""
    item = match.item
    if want.expect == "none":
        if item is not None:
            return "wrong"
        return "did_you_mean" if match.suggestions else "right"
    if want.expect == "newer":
        if item is None:
            return "did_you_mean" if match.suggestions else "nothing"
        ok = item.kind == "artist" and item.artist == want.artist and text_key(match.unknown_title) == text_key(want.title)
        return "right" if ok else "wrong"
    if item is not None:
        return "right" if _is(item.title, item.artist, item.kind, want) and not match.unknown_title else "wrong"
    if not match.suggestions:
        return "nothing"
    offered = any(_is(s.title, s.artist, s.kind, want) for s in match.suggestions)
    return "right" if want.expect == "suggest" and offered else "did_you_mean"


@dataclass
class Tally:
    """Verdict counts, overall and per class of query."""

    overall: Counter[str]
    by_group: dict[str, Counter[str]]

    @classmethod
    def of(cls, labelled: list[Labelled], verdicts: list[Verdict]) -> Tally:
        by_group: dict[str, Counter[str]] = {}
        for want, verdict in zip(labelled, verdicts, strict=True):
            by_group.setdefault(want.group, Counter())[verdict] += 1
        return cls(Counter(verdicts), by_group)

    def rate(self, verdict: Verdict) -> float:
        return self.overall[verdict] / max(1, sum(self.overall.values()))
