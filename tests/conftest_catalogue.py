"""Catalogue fixtures: writers for small CSV files in each format the importer reads.

A plugin of tests/conftest.py; test modules import the helpers from here.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

FEATURE_DEFAULTS: dict[str, str] = {
    "danceability": "0.6", "energy": "0.7", "key": "5", "loudness": "-6.0", "mode": "1", "speechiness": "0.05",
    "acousticness": "0.1", "instrumentalness": "0.0", "liveness": "0.1", "valence": "0.5", "tempo": "120.0",
}

# Header of each format, and the values a row gets unless the test says otherwise.
FIXTURE_FORMATS: dict[str, tuple[list[str], dict[str, str]]] = {
    "seed": (
        [*FEATURE_DEFAULTS, "type", "id", "uri", "track_href", "analysis_url", "duration_ms", "time_signature",
         "track_name", "album_name", "short_album_name", "release_date", "album_id", "artist"],
        {"type": "0", "duration_ms": "200000.0", "time_signature": "4.0", "album_name": "Album"},
    ),
    "jcgnacpil": (
        ["artist", "artist_uri", "track", "track_uri", "popularity", *FEATURE_DEFAULTS, "type", "id", "track_href",
         "analysis_url", "duration_ms", "time_signature"],
        {"type": "audio_features", "popularity": "50", "duration_ms": "200000", "time_signature": "4"},
    ),
    "tidytuesday": (
        ["track_id", "track_name", "track_artist", "track_popularity", "track_album_id", "track_album_name",
         "track_album_release_date", "playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre",
         *FEATURE_DEFAULTS, "duration_ms"],
        {"track_popularity": "60", "playlist_name": "Mix", "playlist_genre": "pop", "playlist_subgenre": "dance pop",
         "duration_ms": "200000"},
    ),
    "huggingface": (
        ["", "track_id", "artists", "album_name", "track_name", "popularity", "duration_ms", "explicit",
         *FEATURE_DEFAULTS, "time_signature", "track_genre"],
        {"": "0", "popularity": "40", "duration_ms": "200000", "explicit": "False", "time_signature": "4",
         "track_genre": "pop"},
    ),
    "charts2023": (
        ["track_name", "artist(s)_name", "artist_count", "released_year", "released_month", "released_day",
         "in_spotify_playlists", "in_spotify_charts", "streams", "in_apple_playlists", "in_apple_charts",
         "in_deezer_playlists", "in_deezer_charts", "in_shazam_charts", "bpm", "key", "mode", "danceability",
         "valence", "energy", "acousticness", "instrumentalness", "liveness", "speechiness"],
        {"artist_count": "1", "released_year": "2023", "streams": "1000", "bpm": "120", "key": "C#", "mode": "Major",
         "danceability": "80", "valence": "50", "energy": "70", "acousticness": "10", "instrumentalness": "0",
         "liveness": "10", "speechiness": "5"},
    ),
    "yamaerenay": (
        ["genres", "artists", "acousticness", "danceability", "duration_ms", "energy", "instrumentalness",
         "liveness", "loudness", "speechiness", "tempo", "valence", "popularity", "key", "mode", "count"],
        {"genres": "[]", "popularity": "50", "count": "10"},
    ),
    "jcgnacpil_artists": (["artist", "artist_uri"], {}),
    "dbkpop_groups": (
        ["Name", "Short", "Korean Name", "Debut", "Company", "Members", "Orig. Memb.", "Fanclub Name", "Active"],
        {"Members": "5", "Active": "Yes"},
    ),
    "dbkpop_idols": (
        ["Stage Name", "Full Name", "Korean Name", "K. Stage Name", "Date of Birth", "Group", "Country",
         "Birthplace", "Other Group", "Gender"],
        {"Country": "South Korea"},
    ),
    "dbkpop_videos": (["Date", "Artist", "Song Name", "Korean Name", "Director", "Video", "Type", "Release"], {}),
    "playlists": (
        ["listener", "playlist_name", "playlist_last_modified", "position", "track_name", "artist_name",
         "album_name", "track_uri", "added_date"],
        {},
    ),
}


def track_id(n: int) -> str:
    """A valid, distinct 22-character Spotify id for fixture row ``n``."""
    return f"{n:022d}".replace("0", "A")


def tt_row(n: int, title: str, artist: str, **values: str) -> dict[str, str]:
    """A TidyTuesday-format row: track ``n`` titled ``title`` by ``artist``, other values as given."""
    return {"track_id": track_id(n), "track_name": title, "track_artist": artist, **values}


class CsvWriter:
    """Writes fixture CSVs of the known formats into a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, file_name: str, fmt: str, rows: Sequence[Mapping[str, str]]) -> Path:
        header, defaults = FIXTURE_FORMATS[fmt]
        base = {**FEATURE_DEFAULTS, **defaults} if fmt not in ("charts2023",) else defaults
        path = self.folder / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                values = {**base, **row}
                writer.writerow([values.get(column, "") for column in header])
        return path


def command_line_catalogue(
    csvs: CsvWriter, state: Path, monkeypatch: pytest.MonkeyPatch, korean: Sequence[tuple[str, str]],
    western: Sequence[tuple[str, str]], **korean_values: Sequence[str],
) -> Path:
    """A catalogue folder of (artist, title) songs for command-line tests; the bot's state goes to ``state``.

    Korean song ``i`` has track id ``i`` and energy 0.(i+1), western song ``i`` id ``10 + i`` and energy
    0.(i+2); ``korean_values`` gives more columns of the Korean rows, one value per song.
    """
    for name in ("KPOP_SOURCES", "KPOP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KPOP_DATA_DIR", str(state))
    csvs.write("korean.csv", "jcgnacpil", [
        {"artist": artist, "track": title, "id": track_id(i), "energy": f"0.{i + 1}",
         **{column: values[i] for column, values in korean_values.items()}}
        for i, (artist, title) in enumerate(korean)
    ])
    csvs.write("western.csv", "tidytuesday", [
        tt_row(10 + i, title, artist, energy=f"0.{i + 2}") for i, (artist, title) in enumerate(western)
    ])
    return csvs.folder


@pytest.fixture
def csvs(tmp_path: Path) -> CsvWriter:
    return CsvWriter(tmp_path / "data")
