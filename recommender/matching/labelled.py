"""Judging a matcher on labelled queries: right, confidently wrong, "did you mean", or nothing.

The labelled set (``tests/data/matching/``) is a small catalogue of real song and
artist names typed by hand, not taken from any data file, and several hundred
queries a person might send, each labelled with what it should resolve to. The
tests hold the matcher to its targets on it, and ``bench_matching`` reports the
same rates against brute-force rapidfuzz, on the same catalogue padded with
made-up titles (:func:`recommender.catalogue.synthetic.made_up_catalogue`) so that every query meets the
near-misses of a large catalogue.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import FEATURES, Catalogue
from recommender.catalogue.normalize import strip_editions, text_key
from recommender.catalogue.synthetic import assemble
from recommender.matching.matcher import Match

__all__ = ["Labelled", "Verdict", "read_queries", "read_catalogue", "judge", "Tally"]

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

    ``filler`` (a :func:`~recommender.catalogue.synthetic.made_up_catalogue`) is
    appended after them, so labelled songs keep their row numbers. Audio features
    are zeros: matching never reads them.
    """
    songs = pd.read_csv(songs_csv, dtype={"spotify_id": str}, keep_default_na=False)
    aliases = pd.read_csv(artists_csv, keep_default_na=False).set_index("name")["aliases"].to_dict()
    names = list(dict.fromkeys(songs["artist"]))
    korean = songs.groupby("artist")["korean"].max()
    popularity = songs.groupby("artist")["popularity"].mean()  # a mean over its songs, as metadata files give it
    labelled = assemble(
        titles=songs["title"].tolist(),
        artist_id=songs["artist"].map({n: i for i, n in enumerate(names)}).to_numpy(dtype=np.int64),
        korean=songs["korean"].astype(bool).to_numpy(),
        popularity=songs["popularity"].astype(np.float64).to_numpy(),
        features=np.zeros((len(songs), len(FEATURES))),
        artist_names=names,
        artist_korean=[bool(korean[n]) for n in names],
        artist_popularity=[float(popularity[n]) for n in names],
        aliases=[tuple(a for a in aliases.get(n, "").split(";") if a) for n in names],
        sources="labelled",
        spotify_ids=songs["spotify_id"].tolist(),
    )
    if filler is None:
        return labelled
    extra_songs = filler.songs.assign(artist_id=filler.songs["artist_id"] + len(names))
    return Catalogue(pd.concat([labelled.songs, extra_songs], ignore_index=True),
                     pd.concat([labelled.artists, filler.artists], ignore_index=True))


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
