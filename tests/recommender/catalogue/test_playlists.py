"""Playlist files: the documented CSV form and its aliases, bad rows by line, matching to the catalogue."""

from __future__ import annotations

import csv
import gzip
import sqlite3
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.playlist_files import MatchCounts, PlaylistFileError, PlaylistMatcher, read_playlists
from tests.support.fixtures.catalogue import track_id
from recommender.catalogue.synthetic import make_catalogue


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_documented_form(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", ["playlist_id", "track_name", "artist_name", "track_id"], [
        ["p1", "Blinding Lights", "The Weeknd", track_id(1)],
        ["p1", "Psycho", "Red Velvet", ""],
    ])
    playlists = read_playlists(path)
    assert playlists.columns == {"playlist": "playlist_id", "title": "track_name", "artist": "artist_name",
                                 "spotify_id": "track_id"}
    rows = playlists.rows
    assert rows[["playlist", "listener", "title", "artist"]].values.tolist() == [
        ["p1", "", "Blinding Lights", "The Weeknd"], ["p1", "", "Psycho", "Red Velvet"]]
    assert rows["spotify_id"].tolist() == [track_id(1), None]
    assert rows["line"].tolist() == [2, 3]
    assert not playlists.report.rejections


def test_a_spotify_export_reads_without_conversion(tmp_path: Path) -> None:
    header = ["listener", "playlist_name", "playlist_last_modified", "position", "track_name", "artist_name",
              "album_name", "track_uri", "added_date"]
    path = write(tmp_path / "export.csv", header, [
        ["ann", "Mix 💖", "2024-01-01", "0", "Hype Boy", "NewJeans", "NewJeans", f"spotify:track:{track_id(2)}",
         "2024-01-01"],
    ])
    playlists = read_playlists(path)
    assert playlists.columns == {"playlist": "playlist_name", "title": "track_name", "artist": "artist_name",
                                 "spotify_id": "track_uri", "listener": "listener"}
    assert playlists.rows.iloc[0][["listener", "playlist", "spotify_id"]].tolist() == ["ann", "Mix 💖", track_id(2)]


def test_a_tidytuesday_style_file_uses_the_playlist_id_not_its_name(tmp_path: Path) -> None:
    header = ["track_id", "track_name", "track_artist", "track_popularity", "playlist_name", "playlist_id"]
    path = write(tmp_path / "songs.csv", header, [
        [track_id(3), "Dynamite", "BTS", "80", "Pop Hits", "id-1"],
        [track_id(4), "Stay", "Justin Bieber", "80", "Pop Hits", "id-2"],  # same name, another playlist
    ])
    playlists = read_playlists(path)
    assert playlists.columns["playlist"] == "playlist_id"
    assert playlists.columns["artist"] == "track_artist"
    assert playlists.rows["playlist"].tolist() == ["id-1", "id-2"]


def test_headers_match_case_insensitively_and_ids_come_in_every_shape(tmp_path: Path) -> None:
    path = tmp_path / "upper.csv"
    path.write_bytes(
        "\ufeffPlaylist,Title,Artist,Spotify_URL,User\n"
        f"p,a,b,https://open.spotify.com/intl-de/track/{track_id(5)}?si=x,u\n"
        f"p,a,b,{track_id(6)},u\n".encode()
    )
    playlists = read_playlists(path)
    assert playlists.columns == {"playlist": "playlist", "title": "title", "artist": "artist",
                                 "spotify_id": "spotify_url", "listener": "user"}
    assert playlists.rows["spotify_id"].tolist() == [track_id(5), track_id(6)]


def test_bad_rows_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "playlist_id,track_name,artist_name,track_id\n"
        "p,ok,Artist,\n"                      # line 2: kept
        '"p","two\nlines",Artist,\n'          # lines 3-4: kept, one record over two lines
        "p,too,many,fields,here\n"            # line 5
        ",no playlist,Artist,\n"              # line 6
        "p,bad id,Artist,not-an-id\n"         # line 7
        "p,,Artist,\n"                        # line 8: no title and no id
        "p,no artist,,\n"                     # line 9
        f"p,,,{track_id(9)}\n",               # line 10: kept, an id is enough
        encoding="utf-8",
    )
    playlists = read_playlists(path)
    assert [(r.line, r.reason) for r in playlists.report.rejections] == [
        (5, "malformed row: 5 fields, header has 4"),
        (6, "missing playlist"),
        (7, "invalid Spotify id"),
        (8, "missing track name and no Spotify id"),
        (9, "missing artist name and no Spotify id"),
    ]
    assert playlists.rows["line"].tolist() == [2, 3, 10]
    assert playlists.report.rows_read == 8  # records, not lines
    assert "bad.csv: 1 row rejected, invalid Spotify id (line 7)" in playlists.report.summary_lines()


def test_a_file_without_a_required_column_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", ["playlist", "playlist_uri"], [["K-pop Daebak", "spotify:playlist:x"]])
    with pytest.raises(PlaylistFileError, match=r"list.csv: no column for title: one of track_name, .*; artist:"):
        read_playlists(path)
    with pytest.raises(PlaylistFileError, match="cannot read playlists from .*missing.csv"):
        read_playlists(tmp_path / "missing.csv")


def _gzip(path: Path) -> None:
    path.write_bytes(gzip.compress(b"playlist_id,track_name,track_artist\nx,Butter,BTS\n"))


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("list.csv", "playlist_id,track_name,track_artist\nx,Butter,BTS\n")


def _sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("create table playlists (playlist_id text, track_name text)")
    db.close()


def _binary(path: Path) -> None:
    path.write_bytes(b"playlist_id,track_name\n" + bytes(range(256)) * 40)


def test_a_wrong_header_is_shown_short_and_printable(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", ["x\u200b" * 100, *(f"col{i}" for i in range(100))], [["a"] * 101])
    with pytest.raises(PlaylistFileError, match=r"no column for .*\(header: x+, col0.*…\)$") as refused:
        read_playlists(path)
    assert len(str(refused.value)) < 600 and "\u200b" not in str(refused.value)


@pytest.mark.parametrize(
    ("make", "says"),
    [(_gzip, "a gzip archive: unpack it first"), (_zip, "a zip archive"), (_sqlite, "a SQLite database"),
     (_binary, "binary, not CSV text")],
)
def test_an_archive_or_binary_file_is_named_for_what_it_is_and_echoes_no_bytes(
    tmp_path: Path, make: Callable[[Path], None], says: str
) -> None:
    path = tmp_path / "list.csv"
    make(path)
    with pytest.raises(PlaylistFileError) as refused:
        read_playlists(path)
    message = str(refused.value)
    assert says in message and message.isprintable() and len(message) < 300


def test_a_large_wrong_file_is_refused_by_its_header_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    size = 20 * 1024 * 1024
    chunk = ("lorem ipsum dolor sit amet " * 40).encode()
    with path.open("wb") as fh:  # one endless line of text: no NUL, no line break, no column the file needs
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    tracemalloc.start()
    try:
        with pytest.raises(PlaylistFileError, match=r"garbage.csv: not a readable CSV header"):
            read_playlists(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 2, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    catalogue = make_catalogue(
        [
            ("Blinding Lights", "The Weeknd", False, 90.0),
            ("Beyond Love (Feat. 10CM)", "BIG Naughty", True, 60.0),
            ("Dynamite", "BTS", True, 90.0),
            ("How You Like That", "BLACKPINK", True, 85.0),
            ("Rainism", "RAIN", True, 50.0),
            ("Rain Song", "Rain", False, 40.0),
        ],
        aliases={"BTS": ["방탄소년단"]},
    )
    catalogue.songs.loc[0, "spotify_id"] = track_id(1)
    return catalogue


def test_rows_match_by_id_then_by_title_and_artist_then_artist_alone(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path / "p.csv", ["playlist_id", "track_name", "artist_name", "track_id"], [
        ["p", "a title nobody uses", "whoever", track_id(1)],         # id wins over the text
        ["p", "Beyond Love", "big naughty", track_id(20)],            # unknown id: credits and case do not matter
        ["p", "DYNAMITE", "방탄소년단", ""],                            # an alias
        ["p", "How You Like That - Remastered 2020", "Black Pink", ""],  # spaceless key
        ["p", "Butter", "BTS", ""],                                   # not in the catalogue, its artist is
        ["p", "Rainism", "rain", ""],                                 # a shared name, settled by the title
        ["p", "Rain Drop", "rain", ""],                               # a shared name alone settles nothing
        ["p", "Song", "Nobody", ""],
    ])
    matched = PlaylistMatcher(catalogue).match(read_playlists(path))
    rows = matched.rows
    titles = catalogue.songs["title"].to_numpy()
    names = catalogue.artists["name"].to_numpy()
    assert rows["how"].tolist() == ["id", "name", "name", "name", "artist", "name", "none", "none"]
    assert [titles[s] if s >= 0 else None for s in rows["song_id"]] == [
        "Blinding Lights", "Beyond Love (Feat. 10CM)", "Dynamite", "How You Like That", None, "Rainism", None, None]
    assert [names[a] if a >= 0 else None for a in rows["artist_id"]] == [
        "The Weeknd", "BIG Naughty", "BTS", "BLACKPINK", "BTS", "RAIN", None, None]
    assert matched.counts() == MatchCounts(rows=8, by_id=1, by_name=4, artist_only=1, unmatched=2)
