"""Playlists people made, read from CSV and matched to the catalogue.

The offline evaluation asks: for a western song in someone's playlist, do our
Korean picks include something that person put in the same playlist? This
module provides the playlists.

The CSV form is one row per (playlist, track), with a header. Column names are
compared case-insensitively; each role accepts a few common names, the first
one present wins:

=============  =========================================================  ==========
role           accepted column names                                      required
=============  =========================================================  ==========
playlist       ``playlist_id``, ``playlist_uri``, ``playlist``,            yes
               ``playlist_name``
track name     ``track_name``, ``track``, ``title``, ``song``,             yes
               ``song_name``, ``name``
artist name    ``artist_name``, ``artist``, ``track_artist``,              yes
               ``artists``
Spotify id     ``track_id``, ``track_uri``, ``spotify_id``, ``uri``,       no
               ``track_url``, ``spotify_url``, ``url``, ``id``
listener       ``listener``, ``user``, ``user_id``, ``username``,          no
               ``owner``
=============  =========================================================  ==========

A Spotify id may be a bare id, a ``spotify:track:`` URI or an open.spotify.com
link. A playlist is identified by its value in the playlist column *within its
listener*, so two people's playlists called "Favourites" stay apart. A row is
kept when it names a playlist and either a valid Spotify id or both a title and
an artist; every other row is reported with its line number and reason.

Matching (:class:`PlaylistMatcher`) tries, in order: the Spotify id; the
normalised title (:func:`~recommender.catalogue.normalize.title_key`) with the artist's
normalised name (:func:`~recommender.catalogue.normalize.text_key`, then
:func:`~recommender.catalogue.normalize.compact_key`, against names and aliases). A row
whose song is not in the catalogue may still name a catalogue artist: that is
enough for artist-level evaluation, and is counted apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.csvfile import CsvFileError, check_text, normalise_header, read_header, read_table
from recommender.catalogue.normalize import clean_display, compact_key, text_key, title_key
from recommender.catalogue.spotify_ids import track_ids

__all__ = [
    "COLUMN_ALIASES",
    "PlaylistFileError",
    "PlaylistFile",
    "read_playlists",
    "MatchCounts",
    "MatchedPlaylists",
    "PlaylistMatcher",
    "holds_playlists",
]

#: Accepted column names per role, in order of preference (normalised: case-folded).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "playlist": ("playlist_id", "playlist_uri", "playlist", "playlist_name"),
    "title": ("track_name", "track", "title", "song", "song_name", "name"),
    "artist": ("artist_name", "artist", "track_artist", "artists"),
    "spotify_id": ("track_id", "track_uri", "spotify_id", "uri", "track_url", "spotify_url", "url", "id"),
    "listener": ("listener", "user", "user_id", "username", "owner"),
}
_REQUIRED = ("playlist", "title", "artist")


class PlaylistFileError(Exception):
    """A playlist file that cannot be used at all (unreadable, or a required column missing)."""


@dataclass(frozen=True)
class PlaylistFile:
    """The usable rows of one playlist file, and what was rejected.

    ``rows`` columns: ``playlist`` and ``listener`` (str, ``""`` when the file
    has no listener column), ``title``, ``artist`` (display text, possibly
    empty when the row has an id), ``spotify_id`` (str or None), ``line``
    (1-based line in the file).
    """

    name: str
    rows: pd.DataFrame
    report: ImportReport
    columns: dict[str, str]  # role -> the file's column used for it


def _shown(header: Sequence[str], limit: int = 200) -> str:
    """A header as the error shows it: printable, and short whatever the file held."""
    text = ", ".join(clean_display(name) for name in header) or "empty"
    return text if len(text) <= limit else text[:limit] + "…"


def _pick_columns(present: Sequence[str], header: Sequence[str], path: Path) -> dict[str, str]:
    """Role -> column among the normalised names ``present``; ``header`` as written, for the error."""
    columns = {role: next((c for c in names if c in present), "") for role, names in COLUMN_ALIASES.items()}
    missing = [role for role in _REQUIRED if not columns[role]]
    if missing:
        wanted = "; ".join(f"{role}: one of {', '.join(COLUMN_ALIASES[role])}" for role in missing)
        raise PlaylistFileError(f"{path.name}: no column for {wanted} (header: {_shown(header)})")
    return {role: column for role, column in columns.items() if column}


def holds_playlists(header: Sequence[str]) -> bool:
    """True when a CSV header (as written) has the columns a playlist file needs."""
    present = {h.strip().casefold() for h in header}
    return all(any(c in present for c in COLUMN_ALIASES[role]) for role in _REQUIRED)


def read_playlists(path: Path) -> PlaylistFile:
    """Read one playlist CSV (see the module docstring for its form).

    Raises :class:`PlaylistFileError` when the file is missing, unreadable or
    lacks a required column; bad rows are reported, not raised.
    """
    path = Path(path)
    try:
        check_text(path)
        header = read_header(path)
        # the header is checked before the whole file is read: a wrong file is refused at once
        _pick_columns([normalise_header(h) for h in header], header, path)
        table = read_table(path)
    except (CsvFileError, OSError) as exc:
        raise PlaylistFileError(f"cannot read playlists from {path}: {exc}") from None
    columns = _pick_columns(list(table.rows.columns), table.header, path)
    report = ImportReport(rows_read=len(table.rows) + len(table.malformed))
    for line, width in table.malformed:
        report.reject(table.name, line, f"malformed row: {width} fields, header has {len(table.header)}")
    if table.encoding != "utf-8":
        report.note(f"{table.name} is not UTF-8; read as {table.encoding}")

    raw = table.rows

    def text(role: str) -> pd.Series:
        if role not in columns:
            return pd.Series("", index=raw.index, dtype=object)
        values = raw[columns[role]].fillna("").astype(str)
        distinct = values.unique()  # names repeat a lot: clean each once
        return values.map(dict(zip(distinct, map(clean_display, distinct), strict=True)))

    rows = pd.DataFrame({role: text(role) for role in ("playlist", "listener", "title", "artist")})
    ids = raw[columns["spotify_id"]] if "spotify_id" in columns else pd.Series("", index=raw.index)
    rows["spotify_id"], invalid = track_ids(ids)
    rows["line"] = table.lines

    reason = pd.Series("", index=rows.index, dtype=object)
    named = (rows["title"] != "") & (rows["artist"] != "")
    for mask, why in (
        (rows["playlist"] == "", "missing playlist"),
        (invalid, "invalid Spotify id"),
        (rows["spotify_id"].isna() & (rows["title"] == ""), "missing track name and no Spotify id"),
        (rows["spotify_id"].isna() & ~named, "missing artist name and no Spotify id"),
    ):
        reason[mask & (reason == "")] = why
    bad = reason != ""
    for line, why in zip(rows["line"][bad].tolist(), reason[bad].tolist(), strict=True):
        report.reject(table.name, int(line), why)
    report.rejections.sort(key=lambda r: r.line)  # malformed records and bad values, in file order
    return PlaylistFile(table.name, rows[~bad].reset_index(drop=True), report, columns)


@dataclass(frozen=True)
class MatchCounts:
    """How the rows of one playlist file met the catalogue.

    Every row is exactly one of: its song found by Spotify id, found by title
    and artist, not found but its artist found (``artist_only``), or nothing
    found (``unmatched``).
    """

    rows: int
    by_id: int
    by_name: int
    artist_only: int
    unmatched: int


@dataclass(frozen=True)
class MatchedPlaylists:
    """A playlist file's rows with catalogue ids.

    ``rows`` adds to :attr:`PlaylistFile.rows`: ``song_id`` (-1 when not
    found), ``artist_id`` (-1 when not found; the song's artist when the song
    was found) and ``how`` (``"id"``, ``"name"``, ``"artist"`` or ``"none"``).
    """

    name: str
    rows: pd.DataFrame

    def counts(self) -> MatchCounts:
        how = self.rows["how"].value_counts()
        return MatchCounts(
            rows=len(self.rows),
            by_id=int(how.get("id", 0)),
            by_name=int(how.get("name", 0)),
            artist_only=int(how.get("artist", 0)),
            unmatched=int(how.get("none", 0)),
        )


class PlaylistMatcher:
    """Finds playlist rows in one catalogue; built once, used for every playlist file."""

    def __init__(self, catalogue: Catalogue) -> None:
        songs, artists = catalogue.songs, catalogue.artists
        ids = songs["spotify_id"]
        has_id = ids.notna()
        self._by_spotify_id = pd.Series(songs.index[has_id], index=ids[has_id].astype(str))
        self._titles = songs["title"].to_numpy(dtype=object)
        self._artist_of = songs["artist_id"].to_numpy(dtype=np.int64)
        self._songs_of: dict[int, list[int]] = {}
        for song_id, artist_id in enumerate(self._artist_of.tolist()):
            self._songs_of.setdefault(artist_id, []).append(song_id)
        # Artist ids by the text key of each name and alias; failing that, by the spaceless compact key.
        self._exact: dict[str, list[int]] = {}
        self._compact: dict[str, list[int]] = {}
        for artist_id, name, aliases in zip(artists.index, artists["name"], artists["aliases"], strict=True):
            for spelling in (name, *aliases):
                for keys, key in ((self._exact, text_key(spelling)), (self._compact, compact_key(spelling))):
                    if key and artist_id not in keys.setdefault(key, []):
                        keys[key].append(int(artist_id))
        self._title_keys: dict[int, dict[str, int]] = {}  # artist -> title key -> song, filled on demand

    def artists_named(self, name: str) -> list[int]:
        """Catalogue artists that ``name`` may mean: by exact key, else by compact key."""
        return self._exact.get(text_key(name)) or self._compact.get(compact_key(name), [])

    def _song_titled(self, artist_id: int, key: str) -> int:
        titles = self._title_keys.get(artist_id)
        if titles is None:
            titles = {}
            for song_id in self._songs_of.get(artist_id, []):
                titles.setdefault(title_key(self._titles[song_id]), song_id)
            self._title_keys[artist_id] = titles
        return titles.get(key, -1)

    def match(self, playlists: PlaylistFile) -> MatchedPlaylists:
        rows = playlists.rows.copy()
        song = rows["spotify_id"].map(self._by_spotify_id).fillna(-1).to_numpy(dtype=np.int64, copy=True)
        how = np.where(song >= 0, "id", "none").astype(object)
        artist = np.where(song >= 0, self._artist_of[np.maximum(song, 0)], -1)

        pending = np.flatnonzero((song < 0) & (rows["artist"] != "").to_numpy())
        pairs = rows.iloc[pending][["title", "artist"]]
        found: dict[tuple[str, str], tuple[int, int]] = {}
        for title, name in pairs.drop_duplicates().itertuples(index=False):
            candidates = self.artists_named(name)
            key = title_key(title) if title else ""
            hit = next(((s, a) for a in candidates if key and (s := self._song_titled(a, key)) >= 0), None)
            # A bare name shared by several acts (a Korean and a western "V") decides nothing.
            found[(title, name)] = hit or (-1, candidates[0] if len(candidates) == 1 else -1)
        if found:
            lookup = pd.DataFrame([(*pair, *ids) for pair, ids in found.items()],
                                  columns=["title", "artist", "song_id", "artist_id"])
            resolved = pairs.merge(lookup, on=["title", "artist"], how="left")  # keeps the rows' order
            song[pending] = resolved["song_id"].to_numpy(dtype=np.int64)
            artist[pending] = resolved["artist_id"].to_numpy(dtype=np.int64)
            how[pending] = np.where(song[pending] >= 0, "name", np.where(artist[pending] >= 0, "artist", "none"))
        rows["song_id"], rows["artist_id"], rows["how"] = song, artist, how
        return MatchedPlaylists(playlists.name, rows)

