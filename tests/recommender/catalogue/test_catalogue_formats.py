"""Each catalogue CSV format is recognised by its header and read into songs or artist facts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from recommender.catalogue.csvfile import normalise_header
from recommender.catalogue.formats import detect_format
from recommender.catalogue.sources import CatalogueError, load_catalogue
from tests.support.fixtures.catalogue import FIXTURE_FORMATS, CsvWriter, track_id, tt_row


@pytest.mark.parametrize(
    ("fixture_format", "expected"),
    [
        ("seed", "original project seed"),
        ("jcgnacpil", "jcgnacpil K-pop tracks"),
        ("tidytuesday", "TidyTuesday spotify_songs"),
        ("huggingface", "Hugging Face spotify-tracks-dataset"),
        ("charts2023", "most streamed songs 2023"),
        ("yamaerenay", "Spotify artist genres (yamaerenay)"),
        ("jcgnacpil_artists", "jcgnacpil K-pop artist list"),
        ("dbkpop_groups", "dbkpop groups"),
        ("dbkpop_idols", "dbkpop idols"),
        ("dbkpop_videos", "dbkpop music videos"),
        ("playlists", "listener playlist export"),
    ],
)
def test_every_format_is_recognised_by_its_header(fixture_format: str, expected: str) -> None:
    header, _ = FIXTURE_FORMATS[fixture_format]
    fmt = detect_format([normalise_header(h) for h in header])
    assert fmt is not None and fmt.name == expected


def test_percent_suffix_and_bom_in_headers_are_tolerated() -> None:
    header, _ = FIXTURE_FORMATS["charts2023"]
    upstream = ["\ufeff" + header[0]] + [h + "_%" if h in ("danceability", "energy") else h for h in header[1:]]
    fmt = detect_format([normalise_header(h) for h in upstream])
    assert fmt is not None and fmt.name == "most streamed songs 2023"


def test_file_names_do_not_decide_the_format(csvs: CsvWriter) -> None:
    # seed content under a TidyTuesday-like name, and the other way round
    csvs.write("tidytuesday_spotify_songs_2020.csv", "seed",
               [{"artist": "bts_k", "type": "1", "id": track_id(1), "track_name": "Dynamite"}])
    csvs.write("kpop_western_songs_seed.csv", "tidytuesday",
               [{"track_id": track_id(2), "track_name": "Blinding Lights", "track_artist": "The Weeknd"}])
    catalogue, _ = load_catalogue([csvs.folder])
    songs = catalogue.songs.set_index("title")
    assert bool(songs.at["Dynamite", "korean"]) is True
    assert songs.at["Dynamite", "sources"] == "tidytuesday_spotify_songs_2020.csv"
    assert bool(songs.at["Blinding Lights", "korean"]) is False


def test_unrecognised_and_playlist_files_are_skipped_with_a_note(csvs: CsvWriter) -> None:
    csvs.write("songs.csv", "tidytuesday", [{"track_id": track_id(1), "track_name": "A", "track_artist": "B"}])
    csvs.write("mine.csv", "playlists", [{"track_name": "A", "artist_name": "B"}])
    odd = csvs.folder / "nested" / "odd.csv"
    odd.parent.mkdir()
    odd.write_text("colour,shape\nred,round\n", encoding="utf-8")
    _, report = load_catalogue([csvs.folder])
    notes = "\n".join(report.notes)
    assert "odd.csv" in notes and "['colour', 'shape']" in notes  # found recursively, named with its header
    assert "skipped mine.csv: a listener playlist export file, not catalogue input" in notes


def test_sources_without_any_song_file_give_a_clear_error(csvs: CsvWriter) -> None:
    csvs.write("mine.csv", "playlists", [{"track_name": "A", "artist_name": "B"}])
    with pytest.raises(CatalogueError, match="none of the catalogue sources holds songs"):
        load_catalogue([csvs.folder])
    with pytest.raises(CatalogueError, match="not found"):
        load_catalogue([csvs.folder / "missing.csv"])


def test_seed_format_names_slugs_flags_korean_and_rejects_junk(csvs: CsvWriter) -> None:
    path = csvs.write("seed.csv", "seed", [
        {"artist": "theweekend", "type": "0", "id": track_id(1), "track_name": "Save Your Tears"},
        {"artist": "taylor", "type": "0", "id": track_id(2), "track_name": "Cruel Summer"},
        {"artist": "bts_k", "type": "1", "uri": f"spotify:track:{track_id(3)}", "track_name": "Butter"},
        {"artist": "newband_k", "type": "1", "id": track_id(4), "track_name": "New Song"},
        {"artist": ".DS_Store"},
    ])
    catalogue, report = load_catalogue([path])
    artists = catalogue.artists.set_index("name")
    assert not artists.at["The Weeknd", "korean"] and "theweekend" in artists.at["The Weeknd", "aliases"]
    assert not artists.at["Taylor Swift", "korean"]
    assert artists.at["BTS", "korean"]
    assert "newband" in artists.index  # an unknown slug keeps its spelling and is named in a note
    assert any("newband_k" in note for note in report.notes)
    songs = catalogue.songs.set_index("title")
    assert songs.at["Butter", "spotify_id"] == track_id(3)  # from the uri when id is empty
    assert math.isnan(songs.at["Butter", "popularity"])  # the seed has no popularity
    assert [(r.line, r.reason) for r in report.rejections] == [
        (6, "not an artist: '.DS_Store' is a file-system artefact")
    ]


def test_jcgnacpil_tracks_dedupe_on_id_and_type_is_no_flag(csvs: CsvWriter) -> None:
    path = csvs.write("tracks.csv", "jcgnacpil", [
        {"artist": "BLACKPINK", "track": "Kiss and Make Up", "id": track_id(1), "popularity": "70"},
        {"artist": "Dua Lipa", "track": "Kiss and Make Up", "id": track_id(1), "popularity": "70"},
        {"artist": "Dua Lipa", "track": "New Rules", "id": track_id(2), "popularity": "80"},
    ])
    catalogue, report = load_catalogue([path])
    assert len(catalogue.songs) == 2 and report.merged == 1
    songs = catalogue.songs.set_index("title")
    # every artist of the crawl is Korean (type is "audio_features"), except reviewed non-Korean collaborators
    assert songs.at["Kiss and Make Up", "korean"]
    assert not songs.at["New Rules", "korean"]


def test_tidytuesday_rows_per_playlist_merge_and_give_genre_hints(csvs: CsvWriter) -> None:
    row = {"track_id": track_id(1), "track_name": "Blinding Lights", "track_artist": "The Weeknd"}
    path = csvs.write("tt.csv", "tidytuesday", [
        {**row, "playlist_name": "Pop", "playlist_genre": "pop", "playlist_subgenre": "dance pop"},
        {**row, "playlist_name": "Synth", "playlist_genre": "r&b", "playlist_subgenre": "new jack swing"},
    ])
    catalogue, report = load_catalogue([path])
    assert len(catalogue.songs) == 1 and report.merged == 1 and not report.rejections
    assert catalogue.artists.at[0, "genres"] == ("dance pop", "new jack swing", "pop", "r&b")
    assert catalogue.songs.at[0, "popularity"] == 60.0


def test_huggingface_format_primary_artist_genres_and_kpop(csvs: CsvWriter) -> None:
    path = csvs.write("dataset.csv", "huggingface", [
        {"": "0", "track_id": track_id(1), "artists": "TWICE;Someone Else", "track_name": "Fancy",
         "track_genre": "k-pop"},
        {"": "1", "track_id": track_id(1), "artists": "TWICE;Someone Else", "track_name": "Fancy",
         "track_genre": "dance"},
        {"": "2", "track_id": track_id(2), "artists": "Adele", "track_name": "Hello", "track_genre": "pop"},
    ])
    catalogue, report = load_catalogue([path])
    assert report.merged == 1
    artists = catalogue.artists.set_index("name")
    assert list(artists.index) == ["TWICE", "Adele"]
    assert artists.at["TWICE", "korean"] and artists.at["TWICE", "genres"] == ("dance", "k-pop")
    assert not artists.at["Adele", "korean"]


def test_charts_2023_features_are_scaled_and_missing_ones_estimated(csvs: CsvWriter) -> None:
    tt = csvs.write("tt.csv", "tidytuesday", [
        {"track_id": track_id(n), "track_name": f"Song {n}", "track_artist": "X", "loudness": str(-n),
         "key": str(key)}
        for n, key in ((4, 2), (6, 2), (9, 7))
    ])
    charts = csvs.write("charts.csv", "charts2023", [
        {"track_name": "Seven (feat. Latto) (Explicit Ver.)", "artist(s)_name": "Jung Kook, Latto",
         "artist_count": "2", "key": "A#", "mode": "Minor", "danceability": "80"},
        {"track_name": "Super Shy", "artist(s)_name": "NewJeans", "key": ""},
        {"track_name": "Tyler Song", "artist(s)_name": "Tyler, The Creator", "artist_count": "1", "key": "C"},
    ])
    catalogue, report = load_catalogue([tt, charts])
    songs = catalogue.songs.set_index("title")
    seven = songs.loc["Seven (feat. Latto) (Explicit Ver.)"]
    assert seven["danceability"] == pytest.approx(0.8)
    assert (seven["key"], seven["mode"], seven["tempo"]) == (10.0, 0.0, 120.0)
    assert seven["loudness"] == -6.0  # the median of the other files' songs
    assert seven["spotify_id"] is None  # this format has no ids
    assert catalogue.artist_name(int(seven["artist_id"])) == "Jung Kook"
    assert catalogue.artist_name(int(songs.at["Tyler Song", "artist_id"])) == "Tyler, The Creator"
    assert songs.at["Super Shy", "key"] == 2.0  # kept, with the other files' most common key
    assert not report.rejections
    assert any("charts.csv: 3 rows have no loudness" in note and "-6.00 dB" in note for note in report.notes)
    assert any("charts.csv: 1 rows have no key" in note and "most common value" in note and "(D)" in note
               for note in report.notes)
    assert "charts.csv: audio features given in percent, divided by 100" in report.notes


def test_the_primary_artist_is_the_one_the_title_does_not_credit_as_a_guest(csvs: CsvWriter) -> None:
    tt = csvs.write("tt.csv", "tidytuesday", [tt_row(1, "Anything", "X")])
    charts = csvs.write("charts.csv", "charts2023", [
        {"track_name": "Seven (feat. Latto)", "artist(s)_name": "Latto, Jung Kook", "artist_count": "2"},
        {"track_name": "Duet (with B)", "artist(s)_name": "B, A", "artist_count": "2"},
        {"track_name": "Plain Duet", "artist(s)_name": "C, D", "artist_count": "2"},
    ])
    catalogue, _ = load_catalogue([tt, charts])
    by_title = {t: catalogue.artist_name(int(a)) for t, a in zip(catalogue.songs["title"], catalogue.songs["artist_id"])}
    assert by_title["Seven (feat. Latto)"] == "Jung Kook"
    assert by_title["Duet (with B)"] == "A"
    assert by_title["Plain Duet"] == "C"  # no credit to go by: the first listed


def _charts_with_streams(csvs: CsvWriter, shared: int) -> tuple[Path, Path]:
    """``shared`` songs in both files (popularity rising with plays), plus two songs only in the charts."""
    tt = csvs.write("tt.csv", "tidytuesday", [
        tt_row(n, f"Hit {n}", f"Act {n}", track_popularity=str(40 + 2 * n)) for n in range(shared)
    ])
    charts = csvs.write("charts.csv", "charts2023", [
        *({"track_name": f"Hit {n}", "artist(s)_name": f"Act {n}", "streams": str(round(10 ** (7 + n / 12)))}
          for n in range(shared)),
        {"track_name": "Flowers", "artist(s)_name": "Miley Cyrus", "streams": "1316855716"},
        {"track_name": "Niche", "artist(s)_name": "Someone", "streams": "12,000,000"},
    ])
    return tt, charts


def test_stream_counts_become_popularity_calibrated_on_songs_other_files_rate(csvs: CsvWriter) -> None:
    catalogue, report = load_catalogue(list(_charts_with_streams(csvs, shared=25)))
    popularity = dict(zip(catalogue.songs["title"], catalogue.songs["popularity"]))
    assert popularity["Hit 3"] == 46.0  # the rated file's own popularity wins over an estimate
    assert popularity["Flowers"] > popularity["Hit 24"] > popularity["Niche"] > 0
    assert 85 <= popularity["Flowers"] <= 100
    assert any("popularity estimated for 27 rows from stream counts" in note and "25 songs" in note
               for note in report.notes)


def test_too_few_shared_songs_leave_popularity_unknown_and_say_so(csvs: CsvWriter) -> None:
    catalogue, report = load_catalogue(list(_charts_with_streams(csvs, shared=5)))
    popularity = dict(zip(catalogue.songs["title"], catalogue.songs["popularity"]))
    assert np.isnan(popularity["Flowers"])
    assert any("stream counts not turned into popularity: only 5" in note for note in report.notes)


def test_charts_2023_alone_cannot_estimate_loudness(csvs: CsvWriter) -> None:
    path = csvs.write("charts.csv", "charts2023", [{"track_name": "Flowers", "artist(s)_name": "Miley Cyrus"}])
    with pytest.raises(CatalogueError, match="no loudness, and no other catalogue file"):
        load_catalogue([path])


def test_a_file_in_windows_1252_is_read_with_a_note(csvs: CsvWriter) -> None:
    path = csvs.folder / "latin.csv"
    csvs.write("latin.csv", "tidytuesday", [{"track_id": track_id(1), "track_name": "Café", "track_artist": "Zoé"}])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    catalogue, report = load_catalogue([path])
    assert catalogue.songs.at[0, "title"] == "Café"
    assert "latin.csv is not UTF-8; read as cp1252" in report.notes


def test_a_merged_song_keeps_the_spotify_ids_of_its_other_releases(csvs: CsvWriter) -> None:
    tt = csvs.write("tt.csv", "tidytuesday", [tt_row(1, "Blinding Lights", "The Weeknd", track_popularity="95")])
    seed = csvs.write("seed.csv", "seed", [
        {"id": track_id(2), "uri": f"spotify:track:{track_id(2)}", "track_name": "Blinding Lights",
         "artist": "theweekend"},
        {"id": track_id(3), "uri": f"spotify:track:{track_id(3)}", "track_name": "Starboy", "artist": "theweekend"},
    ])
    catalogue, _ = load_catalogue([tt, seed])
    songs = catalogue.songs.set_index("title")
    assert songs.at["Blinding Lights", "spotify_id"] == track_id(1)  # the row with a popularity is kept
    assert songs.at["Blinding Lights", "other_ids"] == track_id(2)
    assert songs.at["Starboy", "other_ids"] == ""
