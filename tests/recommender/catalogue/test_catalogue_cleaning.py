"""Row checks, exact duplicates, merging and the shape of the catalogue the importer builds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.catalogue.catalogue import FEATURES
from recommender.catalogue.sources import load_catalogue
from tests.support.fixtures.catalogue import FEATURE_DEFAULTS, FIXTURE_FORMATS, CsvWriter, track_id, tt_row


def _reasons(report) -> list[tuple[int, str]]:
    return sorted((r.line, r.reason) for r in report.rejections)


def test_bad_rows_are_rejected_with_their_line_and_reason(csvs: CsvWriter) -> None:
    path = csvs.write("tt.csv", "tidytuesday", [
        tt_row(1, "Good", "A"),
        tt_row(2, "No Tempo", "A", tempo=""),
        tt_row(3, "Silent", "A", tempo="0"),
        tt_row(4, "Too Danceable", "A", danceability="1.5"),
        tt_row(5, "Text Energy", "A", energy="high"),
        tt_row(6, "Half Key", "A", key="3.5"),
        tt_row(7, "NA", "A"),  # how R writes a missing title
        {**tt_row(8, "Bad Id", "A"), "track_id": "not-an-id"},
        tt_row(9, "Caf\ufffd", "A"),
        tt_row(10, "Loud", "A", loudness="NaN"),
        tt_row(11, "Popular", "A", track_popularity="150"),
    ])
    catalogue, report = load_catalogue([path])
    assert list(catalogue.songs["title"]) == ["Good"]
    assert _reasons(report) == [
        (3, "missing audio features"),
        (4, "tempo out of range"),
        (5, "danceability out of range"),
        (6, "unparsable number in energy"),
        (7, "key out of range"),
        (8, "missing title"),
        (9, "invalid Spotify id"),
        (10, "text damaged by a wrong encoding"),
        (11, "missing audio features"),
        (12, "popularity out of range"),
    ]
    assert report.rows_read == len(catalogue.songs) + report.merged + len(report.rejections)
    summary = "\n".join(report.summary_lines())
    assert "tt.csv: 2 rows rejected, missing audio features (line 3, 11)" in summary


def test_line_numbers_count_quoted_multi_line_fields(csvs: CsvWriter) -> None:
    header, defaults = FIXTURE_FORMATS["tidytuesday"]
    values = {**FEATURE_DEFAULTS, **defaults}

    def line(n: int, title: str, artist: str = "A", **changes: str) -> str:
        row = {**values, **tt_row(n, title, artist), **changes}
        return ",".join(row.get(c, "") for c in header)

    path = csvs.folder / "multi.csv"
    csvs.folder.mkdir(parents=True)
    path.write_text("\n".join([
        ",".join(header),                                   # line 1
        line(1, '"Two\nLines"'),                            # lines 2-3
        "only,three,fields",                                # line 4
        line(2, "Third", tempo=""),                         # line 5
        "",                                                 # line 6, blank
        line(3, "Fourth", tempo="-5"),                      # line 7
    ]) + "\n", encoding="utf-8")
    catalogue, report = load_catalogue([path])
    assert _reasons(report) == [
        (4, f"malformed row: 3 fields, header has {len(header)}"),
        (5, "missing audio features"),
        (7, "tempo out of range"),
    ]
    assert list(catalogue.songs["title"]) == ["Two Lines"]  # display titles are cleaned, newline folded


def test_exact_duplicate_rows_are_rejected_and_other_repeats_merged(csvs: CsvWriter) -> None:
    row = tt_row(1, "Song", "A")
    path = csvs.write("tt.csv", "tidytuesday", [row, row, {**row, "playlist_name": "Other"}])
    catalogue, report = load_catalogue([path])
    assert len(catalogue.songs) == 1
    assert _reasons(report) == [(3, "exact duplicate of an earlier row")]
    assert report.merged == 1  # the same track in another playlist is not an exact duplicate


def test_same_id_in_two_files_merges_keeping_the_row_with_popularity(csvs: CsvWriter) -> None:
    seed = csvs.write("a_seed.csv", "seed", [
        {"artist": "bts_k", "type": "1", "id": track_id(1), "track_name": "Butter", "energy": "0.1"},
    ])
    crawl = csvs.write("b_crawl.csv", "jcgnacpil", [
        {"artist": "BTS", "track": "Butter", "track_uri": f"spotify:track:{track_id(1)}", "popularity": "88",
         "energy": "0.9"},
    ])
    catalogue, report = load_catalogue([seed, crawl])
    assert len(catalogue.songs) == 1 and report.merged == 1
    song = catalogue.songs.iloc[0]
    assert song["popularity"] == 88.0 and song["energy"] == 0.9  # the documented row wins, whole
    assert song["sources"] == "a_seed.csv,b_crawl.csv"
    assert len(catalogue.artists) == 1
    assert {"bts_k", "방탄소년단"} <= set(catalogue.artists.at[0, "aliases"])  # the slug, the reviewed Hangul name


def test_same_title_and_artist_merge_across_ids_but_not_across_artists(csvs: CsvWriter) -> None:
    path = csvs.write("tt.csv", "tidytuesday", [
        tt_row(1, "Memories", "Maroon 5"),
        tt_row(2, "Memories (feat. Someone)", "MAROON 5", track_popularity=""),
        tt_row(3, "Memories - Remastered 2019", "Maroon 5", track_popularity="90"),
        tt_row(4, "Memories", "Another Band"),
        tt_row(5, "Memories - Live", "Maroon 5"),  # a different recording
    ])
    catalogue, report = load_catalogue([path])
    assert report.merged == 2
    songs = catalogue.songs
    assert len(songs) == 3
    maroon = songs[songs["artist_id"] == 0]
    assert list(maroon["title"]) == ["Memories - Remastered 2019", "Memories - Live"]
    assert maroon.iloc[0]["spotify_id"] == track_id(3)  # the most popular of the three
    assert catalogue.artist_name(0) == "Maroon 5"


def test_hangul_and_other_non_ascii_text_survives_the_round_trip(csvs: CsvWriter) -> None:
    path = csvs.write("tt.csv", "tidytuesday", [
        tt_row(1, "밤편지", "아이유"),
        tt_row(2, "Beyonc\u00e9 \u200bSong", "Ros\u00e9"),
        tt_row(3, "\u1107\u1161\u11b7", "\u1112\u1161\u11ab"),  # decomposed jamo compose (NFKC) into 밤 / 한
    ])
    catalogue, _ = load_catalogue([path])
    assert list(catalogue.songs["title"]) == ["밤편지", "Beyoncé Song", "밤"]
    assert list(catalogue.artists["name"]) == ["아이유", "Rosé", "한"]
    assert catalogue.artists.at[0, "korean"]  # Hangul in the name


def test_catalogue_contract_and_artist_fields(csvs: CsvWriter) -> None:
    csvs.write("tt.csv", "tidytuesday", [
        tt_row(1, "One", "Solo Act", track_popularity="40"),
        tt_row(2, "Two", "Solo Act", track_popularity="60"),
        tt_row(3, "Three", "Famous Band", playlist_genre="rock", playlist_subgenre="album rock"),
    ])
    csvs.write("genres.csv", "yamaerenay", [
        {"artists": "Famous Band", "genres": "classic rock, album rock", "popularity": "77.5"},
        {"artists": "Absent Band", "genres": "k-pop", "popularity": "10"},
    ])
    catalogue, _ = load_catalogue([csvs.folder])
    songs, artists = catalogue.songs, catalogue.artists
    assert songs.index.equals(pd.RangeIndex(3)) and artists.index.equals(pd.RangeIndex(2))
    assert set(songs["artist_id"]) == set(artists.index)  # every artist has a song, no artist without one
    assert songs[list(FEATURES)].dtypes.eq(np.float64).all()
    by_name = artists.set_index("name")
    assert by_name.at["Solo Act", "popularity"] == 50.0  # no metadata: mean of its songs
    assert by_name.at["Famous Band", "popularity"] == 77.5  # from the metadata file
    assert by_name.at["Famous Band", "genres"] == ("album rock", "classic rock", "rock")


@pytest.mark.parametrize(
    "given",
    [track_id(7), f"spotify:track:{track_id(7)}", f"https://open.spotify.com/track/{track_id(7)}?si=abc"],
)
def test_spotify_ids_in_any_shape_are_stored_bare(csvs: CsvWriter, given: str) -> None:
    path = csvs.write("tt.csv", "tidytuesday", [{**tt_row(7, "Song", "A"), "track_id": given}])
    catalogue, _ = load_catalogue([path])
    assert catalogue.songs.at[0, "spotify_id"] == track_id(7)
