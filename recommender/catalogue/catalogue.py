"""The in-memory catalogue: songs and artists with audio features and labels.

Everything downstream (neighbour tables, matching, ranking, storage) reads this
one shape, so importers only have to produce it and nothing else has to know
which CSV a song came from.

``songs`` (index ``song_id``, 0..n-1, equal to the row position):
    spotify_id   str or None   22-character Spotify track id when known
    other_ids    str           the other Spotify ids of rows merged into this song, comma-joined
                               ("" when none): a link to any release of the song finds it
    title        str           display title, as imported (non-ASCII kept)
    artist_id    int           row of ``artists``
    korean       bool          the song's primary artist is Korean
    popularity   float         0-100 Spotify popularity, NaN when unknown
    <FEATURES>   float         the eleven Spotify audio features, never NaN
    sources      str           comma-separated source names that carried it

``artists`` (index ``artist_id``, 0..m-1):
    name         str           display name ("The Weeknd", not "theweekend")
    korean       bool
    popularity   float         0-100, NaN when unknown
    genres       tuple[str]    Spotify genre tokens, possibly empty
    aliases      tuple[str]    other names people type (Hangul, romanised, slugs)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recommender.catalogue.normalize import text_key, title_key

__all__ = ["FEATURES", "SONG_COLUMNS", "ARTIST_COLUMNS", "Rejection", "ImportReport", "Catalogue", "song_key"]

#: The eleven Spotify audio features, in the order every matrix uses.
FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)
SONG_COLUMNS: tuple[str, ...] = (
    "spotify_id", "other_ids", "title", "artist_id", "korean", "popularity", *FEATURES, "sources",
)
ARTIST_COLUMNS: tuple[str, ...] = ("name", "korean", "popularity", "genres", "aliases")


@dataclass(frozen=True)
class Rejection:
    """One input row that did not make it into the catalogue, and why."""

    source: str
    line: int  # 1-based line number in the source file, header being line 1
    reason: str


@dataclass
class ImportReport:
    """What an import kept and dropped; printed as one summary line per reason."""

    rejections: list[Rejection] = field(default_factory=list)
    merged: int = 0  # rows folded into an existing song (same id or same title and artist)
    rows_read: int = 0
    # Whole-file and whole-import facts an operator should see: files skipped and
    # why, values estimated rather than read, how labels were decided.
    notes: list[str] = field(default_factory=list)

    def reject(self, source: str, line: int, reason: str) -> None:
        self.rejections.append(Rejection(source, line, reason))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def summary_lines(self, max_lines_listed: int = 5) -> list[str]:
        """The notes, then one line per (source, reason): count and the first few line numbers."""
        by_reason: dict[tuple[str, str], list[int]] = {}
        for r in self.rejections:
            by_reason.setdefault((r.source, r.reason), []).append(r.line)
        out = list(self.notes)
        for (source, reason), lines in sorted(by_reason.items()):
            shown = ", ".join(str(n) for n in lines[:max_lines_listed])
            more = f" and {len(lines) - max_lines_listed} more" if len(lines) > max_lines_listed else ""
            noun = "row" if len(lines) == 1 else "rows"
            out.append(f"{source}: {len(lines)} {noun} rejected, {reason} (line {shown}{more})")
        return out

    def counts_by_reason(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.rejections))


@dataclass(frozen=True)
class Catalogue:
    """Songs and artists, validated on construction so every consumer can trust them."""

    songs: pd.DataFrame
    artists: pd.DataFrame

    def __post_init__(self) -> None:
        missing = [c for c in SONG_COLUMNS if c not in self.songs.columns]
        if missing:
            raise ValueError(f"songs lack columns {missing}")
        missing = [c for c in ARTIST_COLUMNS if c not in self.artists.columns]
        if missing:
            raise ValueError(f"artists lack columns {missing}")
        if not self.songs.index.equals(pd.RangeIndex(len(self.songs))):
            raise ValueError("songs must be indexed 0..n-1")
        if not self.artists.index.equals(pd.RangeIndex(len(self.artists))):
            raise ValueError("artists must be indexed 0..m-1")
        if self.songs[list(FEATURES)].isna().any().any():
            raise ValueError("songs must not have missing audio features")

    @property
    def features(self) -> np.ndarray:
        """Raw (unscaled) feature matrix, float64, shape (n_songs, 11)."""
        return self.songs[list(FEATURES)].to_numpy(dtype=np.float64)

    @property
    def korean_mask(self) -> np.ndarray:
        return self.songs["korean"].to_numpy(dtype=bool)

    def artist_name(self, artist_id: int) -> str:
        return str(self.artists.at[artist_id, "name"])

    def counts(self) -> dict[str, int]:
        korean = int(self.songs["korean"].sum())
        korean_artists = int(self.artists["korean"].sum())
        return {
            "songs": len(self.songs),
            "korean_songs": korean,
            "western_songs": len(self.songs) - korean,
            "artists": len(self.artists),
            "korean_artists": korean_artists,
            "western_artists": len(self.artists) - korean_artists,
        }


def song_key(spotify_id: str | None, title: str, artist: str) -> str:
    """A song's identity that survives rebuilds: its Spotify id, else a hash of
    its normalised title and artist (the same rule the importer merges on)."""
    if spotify_id:
        return spotify_id
    digest = hashlib.sha1(f"{text_key(artist)}\x1f{title_key(title)}".encode()).hexdigest()[:20]
    return f"t:{digest}"
