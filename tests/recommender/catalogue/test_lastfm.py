"""The Last.fm (HetRec 2011) reader: baskets with play counts, tag weights, bad rows by line, careful name matching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.lastfm import (
    RANK_TIERS,
    TAG_COLUMNS,
    artist_tags,
    find_lastfm_folders,
    is_lastfm_folder,
    korean_evidence,
    korean_tag,
    lastfm_matches,
    lastfm_playlists,
    listener_name,
    match_artist_names,
    read_lastfm,
    read_lastfm_folders,
)
from recommender.catalogue.playlist_files import PlaylistFileError
from recommender.catalogue.synthetic import make_catalogue
from tests.support.fixtures.lastfm import ARTISTS, write_folder

def test_baskets_hold_each_users_artists_with_play_counts_most_played_first(tmp_path: Path) -> None:
    data = read_lastfm(write_folder(tmp_path / "lastfm"))
    assert data.baskets() == {
        "10": [("Metallica", 5000), ("Rainbow", 20)],
        "11": [("소녀시대", 300), ("2PM", 100), ("SHINee", 7)],
        "12": [("Rainbow", 40), ("Metallica", 9)],
    }
    assert not data.report.rejections
    assert is_lastfm_folder(tmp_path / "lastfm")
    assert not is_lastfm_folder(tmp_path)


def test_a_tag_counts_distinct_users_and_needs_several_of_them(tmp_path: Path) -> None:
    data = read_lastfm(write_folder(tmp_path / "lastfm"), min_tag_users=2, min_pair_users=2)
    # metal: three users; seen live: used by three users, given to Metallica by two; k-pop: two users on 소녀시대.
    # "joes stuff" (one user anywhere), "korean" and "swedish" (one user each) are dropped.
    assert data.tag_weights() == {"Metallica": {"metal": 3, "seen live": 2}, "소녀시대": {"k pop": 2}}
    looser = read_lastfm(tmp_path / "lastfm", min_tag_users=1, min_pair_users=1)
    assert looser.tag_weights()["Metallica"] == {"metal": 3, "seen live": 2, "joes stuff": 1}


def test_bad_rows_are_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "lastfm", plays=[
        ("10", "1", "5000"),
        ("10", "x", "20"),        # line 3: not a number
        ("11", "99", "5"),        # line 4: no such artist
        ("11", "2"),              # line 5: a field missing
        ("12", "3", "0"),         # line 6: no plays
    ])
    data = read_lastfm(folder)
    found = {(r.source, r.line, r.reason) for r in data.report.rejections}
    assert found == {
        ("user_artists.dat", 3, "artistid is not a whole number"),
        ("user_artists.dat", 4, "unknown artist id"),
        ("user_artists.dat", 5, "malformed row: 2 fields, header has 3"),
        ("user_artists.dat", 6, "play count is not positive"),
    }
    assert data.baskets() == {"10": [("Metallica", 5000)]}
    assert any("user_artists.dat: 1 row rejected, unknown artist id (line 4)" == line
               for line in data.report.summary_lines())


def test_a_missing_file_or_column_is_a_friendly_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "lastfm")
    (folder / "tags.dat").write_text("id\tvalue\n1\tmetal\n", encoding="utf-8")
    with pytest.raises(PlaylistFileError, match=r"tags.dat: no column tagid, tagvalue"):
        read_lastfm(folder)
    (folder / "tags.dat").unlink()
    with pytest.raises(PlaylistFileError, match=r"cannot read Last.fm data .*tags.dat"):
        read_lastfm(folder)


def test_quotes_in_names_are_plain_text(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "lastfm", artists=[*ARTISTS, ("7", '"Weird Al" Yankovic')],
                          plays=[("10", "7", "3")], tagged=[])
    assert read_lastfm(folder).baskets() == {"10": [('"Weird Al" Yankovic', 3)]}


def test_korean_tags_are_recognised_in_their_usual_spellings() -> None:
    assert all(map(korean_tag, ["k-pop", "kpop", "K Pop", "korean", "Korean Hip Hop", "korea", "k-rap"]))
    assert not any(map(korean_tag, ["pop", "kpm", "rock", "keep", "swedish"]))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return make_catalogue(
        [
            ("Enter Sandman", "Metallica", False, 80.0),
            ("Gee", "Girls' Generation", True, 70.0),
            ("Rainbow song", "RAINBOW", True, 40.0),      # a Korean girl group sharing a western band's name
            ("Again & Again", "2PM", True, 50.0),
            ("Ring Ding Dong", "SHINee", True, 60.0),
            ("Ark song", "THE ARK", True, 30.0),          # a later Korean group named like a Swedish band
        ],
        aliases={"Girls' Generation": ["소녀시대"]},
    )


def test_names_match_catalogue_artists_and_a_western_namesake_never_becomes_a_korean_act(
        tmp_path: Path, catalogue: Catalogue) -> None:
    data = read_lastfm(write_folder(tmp_path / "lastfm"))
    names = catalogue.artists["name"]
    matched = {lastfm: names[artist] for lastfm, artist in match_artist_names(data, catalogue).items()}
    assert matched == {
        "Metallica": "Metallica",
        "소녀시대": "Girls' Generation",  # Hangul, through the catalogue's alias
        "2PM": "2PM",                     # untagged, but its listeners play K-pop
        "SHINee": "SHINee",               # tagged korean by the one person who tagged it
    }  # Rainbow: untagged, played by metal fans; The Ark: tagged, never Korean
    assert {"소녀시대", "2PM", "SHINee"} <= korean_evidence(data)
    assert not {"Rainbow", "The Ark", "Metallica"} & korean_evidence(data)


def test_a_users_basket_becomes_nested_playlists_so_favourites_weigh_more(tmp_path: Path) -> None:
    artists = [(str(i), f"Band {i}") for i in range(1, 31)]
    plays = [("10", str(i), str(1000 - i)) for i in range(1, 31)]  # Band 1 most played
    folder = write_folder(tmp_path / "lastfm", artists=artists, plays=plays, tagged=[])
    catalogue = make_catalogue([("Song", f"Band {i}", False, 50.0) for i in range(1, 31)])
    data = read_lastfm(folder)
    playlists = lastfm_playlists(data, catalogue)
    assert set(playlists.playlists["listener"]) == {listener_name("10")} == {"lastfm:10"}
    names = catalogue.artists["name"].to_numpy()
    tiers = playlists.pairs[:, 0]
    in_how_many = {str(names[a]): int((playlists.pairs[:, 1] == a).sum()) for a in np.unique(playlists.pairs[:, 1])}
    # top 5 in all four playlists (weight 4/4), 6-10 in three, 11-25 in two, the rest in "all" only
    assert [in_how_many[f"Band {i}"] for i in (1, 5, 6, 10, 11, 25, 26, 30)] == [4, 4, 3, 3, 2, 2, 1, 1]
    assert len(np.unique(tiers)) == len(RANK_TIERS)


def test_evaluation_rows_are_each_users_whole_basket_at_artist_level(tmp_path: Path, catalogue: Catalogue) -> None:
    matched = lastfm_matches(read_lastfm(write_folder(tmp_path / "lastfm")), catalogue)
    names = catalogue.artists["name"].to_numpy()
    fan = matched.rows[matched.rows["listener"] == "lastfm:11"]
    assert sorted(names[fan["artist_id"]].tolist()) == ["2PM", "Girls' Generation", "SHINee"]
    assert set(matched.rows["playlist"]) == {"top artists"}
    assert matched.counts().artist_only == 5 and matched.counts().unmatched == 2  # the band Rainbow, twice


def test_tags_are_stored_by_catalogue_artist(tmp_path: Path, catalogue: Catalogue) -> None:
    data = read_lastfm(write_folder(tmp_path / "lastfm"), min_tag_users=2, min_pair_users=2)
    tags = artist_tags(data, catalogue)
    names = catalogue.artists["name"].to_numpy()
    assert [(names[a], t, u) for a, t, u in tags.itertuples(index=False)] == [
        ("Metallica", "metal", 3), ("Metallica", "seen live", 2), ("Girls' Generation", "k pop", 2)]
    assert list(tags.columns) == list(TAG_COLUMNS)


def test_last_fm_folders_are_found_among_local_source_folders(tmp_path: Path, catalogue: Catalogue) -> None:
    folder = write_folder(tmp_path / "data" / "lastfm")
    (tmp_path / "data" / "songs.csv").write_text("x\n", encoding="utf-8")
    assert find_lastfm_folders([tmp_path / "data", "https://example.org/songs.csv", tmp_path / "missing"]) == [folder]
    playlists, tags, notes = read_lastfm_folders([folder], catalogue)
    assert set(playlists.playlists["listener"]) == {"lastfm:10", "lastfm:11", "lastfm:12"}
    assert notes[0] == "lastfm: read as Last.fm listening data, 3 of 3 users with a catalogue artist; " \
                       "2 tags on 1 catalogue artists"
