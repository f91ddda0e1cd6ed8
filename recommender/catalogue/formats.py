"""The CSV formats the importer understands, recognised by their header alone.

File names say nothing reliable (people rename downloads), so each format is a
set of columns that must all be present. Track formats turn their rows into
one common shape (``TRACK_COLUMNS``, all strings until the importer checks
them); artist formats feed :class:`~recommender.catalogue.labels.ArtistEvidence`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from recommender.catalogue.catalogue import FEATURES
from recommender.catalogue.labels import ArtistEvidence, split_genres
from recommender.catalogue.normalize import clean_display, credited_guests, text_key
from recommender.catalogue.reviewed import seed_artist_names

__all__ = ["Role", "Format", "FORMATS", "TRACK_COLUMNS", "detect_format", "is_junk_name"]

#: What every track reader returns, one row per input row, in input order.
#: ``problem`` is a format-specific reason to reject the row ("" when none);
#: ``claim`` is the file's own Korean flag ("1", "0" or "" when it has none);
#: ``genres`` are Spotify genre tokens, ``hints`` playlist themes (tuples); ``streams`` is a
#: play count where a file has one instead of a popularity.
TRACK_COLUMNS: tuple[str, ...] = (
    "spotify_id", "title", "artist", "alias", "claim", "popularity", "streams", *FEATURES, "genres", "hints",
    "problem",
)


class Role(enum.Enum):
    TRACKS = "songs with audio features"
    ARTISTS = "artist metadata"
    PLAYLISTS = "playlists"


@dataclass(frozen=True)
class Format:
    name: str
    role: Role
    columns: frozenset[str]  # normalised header names that must all be present
    # rows -> (TRACK_COLUMNS frame, notes for the report)
    read_tracks: Callable[[pd.DataFrame], tuple[pd.DataFrame, list[str]]] | None = None
    read_artists: Callable[[pd.DataFrame, ArtistEvidence], None] | None = None
    percent_features: bool = False  # 0-100 integers instead of 0-1 fractions
    # Features the file lacks in some or all rows; the importer estimates them (and says so)
    # instead of dropping the rows.
    estimated: frozenset[str] = frozenset()


_FEATURE_SET = frozenset(FEATURES)
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "__macosx"})
_KEY_NAMES = {name: pitch for pitch, names in enumerate(
    ["C", "C#|Db", "D", "D#|Eb", "E", "F", "F#|Gb", "G", "G#|Ab", "A", "A#|Bb", "B"]) for name in names.split("|")}
_MODE_NAMES = {"major": "1", "minor": "0"}


def is_junk_name(name: str) -> bool:
    """File-system debris that a folder-per-artist scraper took for an artist (``.DS_Store``)."""
    return name.startswith(".") or name.casefold() in _JUNK_NAMES


def _frame(rows: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """A TRACK_COLUMNS frame: given columns, the features copied, the rest empty."""
    out = pd.DataFrame(index=rows.index)
    for name in TRACK_COLUMNS:
        if name in columns:
            value = columns[name]
        elif name in FEATURES and name in rows:
            value = rows[name]
        elif name in ("genres", "hints"):
            value = [()] * len(rows)
        else:
            value = ""
        out[name] = value
    return out


def _first_nonempty(*columns: pd.Series) -> pd.Series:
    out = columns[0]
    for col in columns[1:]:
        out = out.where(out.str.strip() != "", col)
    return out


def _seed_tracks(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The original project's training file: artist slugs, ``type`` 1 = Korean, no popularity.

    Slugs missing from the reviewed table keep their own spelling (minus the
    ``_k`` suffix) and are named in a note, so the table can be extended.
    """
    names = seed_artist_names()
    slugs = rows["artist"].str.strip()
    junk = slugs.map(is_junk_name)
    unknown = sorted(set(slugs[~junk & ~slugs.isin(list(names))]) - {""})
    display = slugs.map(lambda s: names.get(s, re.sub(r"_k$", "", s)))
    flag = pd.to_numeric(rows["type"], errors="coerce").map({1.0: "1", 0.0: "0"}).fillna("")
    problem = slugs.where(junk, "").map(lambda s: f"not an artist: {s!r} is a file-system artefact" if s else "")
    notes = [f"artist slugs without a reviewed display name, shown as written: {', '.join(unknown)}"] if unknown else []
    frame = _frame(
        rows,
        spotify_id=_first_nonempty(rows["id"], rows["uri"]),
        title=rows["track_name"],
        artist=display,
        alias=slugs,
        claim=flag,
        problem=problem,
    )
    return frame, notes


def _jcgnacpil_tracks(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Top-10 tracks of each artist of a K-pop crawl: every artist is claimed Korean.

    Its ``type`` column is Spotify's object type ("audio_features"), not a flag.
    Non-Korean collaborators are overruled by the reviewed list (labels rule 1).
    """
    return _frame(
        rows,
        spotify_id=_first_nonempty(rows["id"], rows["track_uri"]),
        title=rows["track"],
        artist=rows["artist"],
        claim="1",
        popularity=rows["popularity"],
    ), []


def _tidytuesday_tracks(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """TidyTuesday spotify_songs: one row per (track, playlist); playlist genres are hints."""
    pairs = rows["playlist_genre"] + "\x1f" + rows["playlist_subgenre"]
    distinct = {p: tuple(sorted({g.strip().casefold() for g in p.split("\x1f")} - {""})) for p in pairs.unique()}
    hints = pairs.map(distinct)
    return _frame(
        rows,
        spotify_id=rows["track_id"],
        title=rows["track_name"],
        artist=rows["track_artist"],
        popularity=rows["track_popularity"],
        hints=hints,
    ), []


def _huggingface_tracks(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """maharshipandya/spotify-tracks-dataset: ``;``-joined artists (first is primary), one row per genre."""
    return _frame(
        rows,
        spotify_id=rows["track_id"],
        title=rows["track_name"],
        artist=rows["artists"].str.split(";").str[0],
        popularity=rows["popularity"],
        genres=[split_genres(g) for g in rows["track_genre"]],
    ), []


def _primary_artist(title: str, names: list[str]) -> str:
    """The first listed artist that the title does not credit as a guest.

    Chart files list a song's artists in no fixed order: "Seven (feat. Latto)"
    comes as "Latto, Jung Kook", and the song is Jung Kook's.
    """
    guests = {text_key(guest) for guest in credited_guests(title)}
    for name in names:
        key = text_key(name)
        if key and key not in guests:
            return name.strip()
    return names[0].strip()


def _charts_2023_tracks(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Most streamed songs of 2023: percent features, letter keys (some missing), no loudness, no id.

    ``artist(s)_name`` joins several artists with commas; ``artist_count`` says
    whether to split, so "Tyler, The Creator" alone stays whole. There is no
    popularity, but a stream count, from which the importer estimates one.
    """
    several = pd.to_numeric(rows["artist_count"], errors="coerce").fillna(1) > 1
    names = rows["artist(s)_name"].where(~several, [
        _primary_artist(title, joined.split(",")) if many else joined
        for title, joined, many in zip(rows["track_name"], rows["artist(s)_name"], several, strict=True)
    ])
    key = rows["key"].str.strip().map(lambda k: str(_KEY_NAMES[k]) if k in _KEY_NAMES else k)
    mode = rows["mode"].str.strip().map(lambda m: _MODE_NAMES.get(m.casefold(), m))
    return _frame(rows, title=rows["track_name"], artist=names, key=key, mode=mode, tempo=rows["bpm"], loudness="",
                  streams=rows["streams"]), []


def _yamaerenay_artists(rows: pd.DataFrame, evidence: ArtistEvidence) -> None:
    """Per-artist Spotify genres ("k-pop, k-pop girl group" or "[]") and mean popularity."""
    popularity = pd.to_numeric(rows["popularity"], errors="coerce")
    for name, genres, pop in zip(rows["artists"], rows["genres"], popularity, strict=True):
        evidence.add_spotify_genres(name, split_genres(genres), float(pop))


def _jcgnacpil_artists(rows: pd.DataFrame, evidence: ArtistEvidence) -> None:
    for name in rows["artist"]:
        evidence.add_korean_name(name, "jcgnacpil K-pop artist list")


def _dbkpop_groups(rows: pd.DataFrame, evidence: ArtistEvidence) -> None:
    """K-pop groups with Hangul names and short names (the latter only as aliases)."""
    for name, short, hangul in zip(rows["name"], rows["short"], rows["korean name"], strict=True):
        evidence.add_korean_name(name, "dbkpop groups", (hangul, short))


def _dbkpop_idols(rows: pd.DataFrame, evidence: ArtistEvidence) -> None:
    """Idols: their groups are K-pop names; stage names are too common ("V", "Rain") to be one."""
    for column in ("group", "other group"):
        if column in rows:
            for group in rows[column]:
                evidence.add_korean_name(group, "dbkpop groups")
    for stage, k_stage, k_name in zip(rows["stage name"], rows["k. stage name"], rows["korean name"], strict=True):
        evidence.add_idol(stage, (k_stage, k_name))


def _dbkpop_music_videos(rows: pd.DataFrame, evidence: ArtistEvidence) -> None:
    """A weak signal: an artist name counts only with one of the video's song titles (labels rule 5)."""
    for artist, song, hangul in zip(rows["artist"], rows["song name"], rows["korean name"], strict=True):
        evidence.add_music_video(artist, (song, hangul))


def _cols(*names: str) -> frozenset[str]:
    return frozenset(names)


#: Most specific first: the first format whose columns are all present wins.
FORMATS: tuple[Format, ...] = (
    Format("original project seed", Role.TRACKS, _FEATURE_SET | _cols("type", "id", "uri", "track_name", "artist"),
           read_tracks=_seed_tracks),
    Format("jcgnacpil K-pop tracks", Role.TRACKS,
           _FEATURE_SET | _cols("artist", "artist_uri", "track", "track_uri", "id", "popularity"),
           read_tracks=_jcgnacpil_tracks),
    Format("TidyTuesday spotify_songs", Role.TRACKS,
           _FEATURE_SET | _cols("track_id", "track_name", "track_artist", "track_popularity",
                                "playlist_genre", "playlist_subgenre"),
           read_tracks=_tidytuesday_tracks),
    Format("Hugging Face spotify-tracks-dataset", Role.TRACKS,
           _FEATURE_SET | _cols("track_id", "artists", "track_name", "popularity", "track_genre"),
           read_tracks=_huggingface_tracks),
    Format("most streamed songs 2023", Role.TRACKS,
           _cols("track_name", "artist(s)_name", "artist_count", "bpm", "key", "mode", "danceability", "valence",
                 "energy", "acousticness", "instrumentalness", "liveness", "speechiness"),
           read_tracks=_charts_2023_tracks, percent_features=True, estimated=frozenset({"loudness", "key"})),
    Format("Spotify artist genres (yamaerenay)", Role.ARTISTS, _cols("genres", "artists", "popularity"),
           read_artists=_yamaerenay_artists),
    Format("dbkpop idols", Role.ARTISTS, _cols("stage name", "k. stage name", "korean name", "group"),
           read_artists=_dbkpop_idols),
    Format("dbkpop groups", Role.ARTISTS, _cols("name", "short", "korean name", "debut", "members"),
           read_artists=_dbkpop_groups),
    Format("dbkpop music videos", Role.ARTISTS, _cols("artist", "song name", "korean name", "video"),
           read_artists=_dbkpop_music_videos),
    Format("jcgnacpil K-pop artist list", Role.ARTISTS, _cols("artist", "artist_uri"),
           read_artists=_jcgnacpil_artists),
    Format("listener playlist export", Role.PLAYLISTS, _cols("playlist_name", "track_name", "artist_name")),
    Format("playlist list", Role.PLAYLISTS, _cols("playlist", "playlist_uri")),
)


def detect_format(columns: list[str]) -> Format | None:
    """The format of a file with these normalised header names, or None."""
    present = set(columns)
    return next((f for f in FORMATS if f.columns <= present), None)
