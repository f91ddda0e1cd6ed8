"""The Last.fm (HetRec 2011) reader: baskets with play counts, tag weights, bad rows by line, careful name matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.lastfm import (
    is_lastfm_folder,
    korean_evidence,
    korean_tag,
    match_artist_names,
    read_lastfm,
)
from recommender.catalogue.playlist_files import PlaylistFileError
from recommender.catalogue.synthetic import make_catalogue

ARTISTS = [("1", "Metallica"), ("2", "소녀시대"), ("3", "Rainbow"), ("4", "2PM"), ("5", "SHINee"), ("6", "The Ark")]
TAGS = [("1", "metal"), ("2", "k-pop"), ("3", "seen live"), ("4", "Korean"), ("5", "swedish"), ("6", "joes stuff")]


def write_folder(folder: Path, *, plays: list[tuple[str, ...]] | None = None,
                 tagged: list[tuple[str, ...]] | None = None, artists: list[tuple[str, ...]] | None = None) -> Path:
    """The four HetRec files, tab-separated with a header, as the tests want them."""
    folder.mkdir(exist_ok=True)

    def write(name: str, header: str, rows: list[tuple[str, ...]]) -> None:
        (folder / name).write_text("\n".join([header, *("\t".join(r) for r in rows)]) + "\n", encoding="utf-8")

    write("artists.dat", "id\tname\turl\tpictureURL", [(i, n, f"http://last.fm/{i}", "") for i, n in artists or ARTISTS])
    write("tags.dat", "tagID\ttagValue", TAGS)
    write("user_artists.dat", "userID\tartistID\tweight", plays if plays is not None else [
        ("10", "1", "5000"), ("10", "3", "20"),               # a metal fan who also plays the band Rainbow
        ("11", "2", "300"), ("11", "4", "100"), ("11", "5", "7"),  # a K-pop fan
        ("12", "3", "40"), ("12", "1", "9"),
    ])
    write("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear", tagged if tagged is not None else [
        ("10", "1", "1", "1", "1", "2010"), ("12", "1", "1", "1", "1", "2010"), ("13", "1", "1", "1", "1", "2010"),
        ("10", "1", "1", "1", "2", "2010"),                   # the same user again, another day: counted once
        ("10", "1", "3", "1", "1", "2010"), ("12", "1", "3", "1", "1", "2010"), ("13", "6", "3", "1", "1", "2010"),
        ("10", "1", "6", "1", "1", "2010"),                   # a personal tag: one user
        ("11", "2", "2", "1", "1", "2010"), ("12", "2", "2", "1", "1", "2010"), ("13", "5", "4", "1", "1", "2010"),
        ("13", "6", "5", "1", "1", "2010"),
    ])
    return folder


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
