"""Which artists are Korean: genre tokens, name lists, namesakes and the reviewed tables."""

from __future__ import annotations

import pytest

from recommender.catalogue.labels import ArtistEvidence, Occurrence, decide_korean, is_korean_genre, split_genres
from recommender.catalogue.sources import load_catalogue
from tests.support.fixtures.catalogue import CsvWriter, track_id, tt_row


def _labels(catalogue) -> dict[str, list[bool]]:
    """Artist name (case-folded) -> the Korean flag of each artist so named."""
    out: dict[str, list[bool]] = {}
    for name, korean in zip(catalogue.artists["name"], catalogue.artists["korean"], strict=True):
        out.setdefault(name.casefold(), []).append(bool(korean))
    return out


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("k-pop, k-pop girl group", ("k-pop", "k-pop girl group")),
        ("['dance pop', 'k-pop']", ("dance pop", "k-pop")),
        ("[]", ()),
        ("'[]'", ()),
        ("", ()),
        ("Folk-Pop", ("folk-pop",)),
    ],
)
def test_split_genres(text: str, tokens: tuple[str, ...]) -> None:
    assert split_genres(text) == tokens


@pytest.mark.parametrize(
    ("token", "korean"),
    [
        ("k-pop", True), ("k-pop boy group", True), ("k-rap", True), ("k-indie", True), ("korean r&b", True),
        ("korean", True), ("folk-pop", False), ("k-popular", False), ("dance pop", False), ("j-pop", False),
    ],
)
def test_korean_genres_are_whole_tokens(token: str, korean: bool) -> None:
    assert is_korean_genre(token) is korean


def _occ(name: str, *, claim: bool | None = None, linked: bool | None = None, genres: tuple[str, ...] = (),
         titles: tuple[str, ...] = ()) -> Occurrence:
    return Occurrence(name, name.casefold(), claim, linked, frozenset(genres), frozenset(titles))


def test_rule_order() -> None:
    evidence = ArtistEvidence.with_reviewed_tables()
    evidence.add_korean_name("Heart", "dbkpop groups")
    evidence.add_spotify_genres("Heart", ("folk-pop", "indie folk"), 60.0)
    evidence.add_korean_name("Minty", "dbkpop groups")
    assert decide_korean(_occ("Dua Lipa", claim=True), evidence) == (False, "reviewed non-Korean act")
    assert decide_korean(_occ("Heart", claim=True), evidence) == (True, "flag in its source file")
    assert decide_korean(_occ("Heart", linked=True), evidence) == (True, "shares a song with a flagged file")
    assert decide_korean(_occ("Heart"), evidence) == (False, "only western Spotify genres")  # folk-pop trap
    assert decide_korean(_occ("Heart", genres=("k-pop",)), evidence) == (True, "Korean Spotify genre")
    assert decide_korean(_occ("Minty"), evidence) == (True, "on a K-pop name list")
    assert decide_korean(_occ("Minty", genres=("pop",)), evidence) == (False, "only western Spotify genres")
    assert decide_korean(_occ("잔나비"), evidence) == (True, "Hangul in the name")
    assert decide_korean(_occ("Unknown", titles=("나쁜 기집애",)), evidence) == (True, "Hangul in a song title")
    assert decide_korean(_occ("Unknown"), evidence) == (False, "no Korean signal")


def test_another_countrys_scene_is_not_korean_whatever_file_it_sits_in() -> None:
    """Genres of the act's own tracks overrule a K-pop crawl's flag; name-keyed metadata does not."""
    evidence = ArtistEvidence.with_reviewed_tables()
    evidence.add_spotify_genres("LISA", ("anime", "j-pop"), 70.0)  # the Japanese singer, merged by name
    evidence.add_spotify_genres("Jay Chou", ("mandopop", "c-pop"), 70.0)
    evidence.add_spotify_genres("WayV", ("chinese idol pop", "k-pop"), 60.0)
    assert decide_korean(_occ("Some Act", claim=True, genres=("j-pop",)), evidence) == (
        False, "another country's Spotify genre on its tracks")
    assert decide_korean(_occ("LISA", claim=True), evidence) == (True, "flag in its source file")
    assert decide_korean(_occ("Jay Chou"), evidence) == (False, "another country's Spotify genre")
    assert decide_korean(_occ("WayV"), evidence) == (True, "Korean Spotify genre")  # a Korean genre as well
    assert decide_korean(_occ("JO1", claim=True), evidence) == (False, "reviewed non-Korean act")
    assert decide_korean(_occ("Kumi Koda", claim=True), evidence) == (False, "reviewed non-Korean act")


def test_a_western_act_named_like_a_kpop_act_stays_western_and_apart(csvs: CsvWriter) -> None:
    csvs.write("tt.csv", "tidytuesday", [tt_row(1, "Barbie Girl", "Aqua"), tt_row(2, "Around The World", "Aqua")])
    csvs.write("crawl.csv", "jcgnacpil", [{"artist": "AQUA", "track": "Log In", "id": track_id(3)}])
    csvs.write("list.csv", "jcgnacpil_artists", [{"artist": "AQUA"}])
    csvs.write("genres.csv", "yamaerenay", [{"artists": "Aqua", "genres": "eurodance, europop", "popularity": "70"}])
    catalogue, report = load_catalogue([csvs.folder])
    artists = catalogue.artists.set_index("name")
    assert not artists.at["Aqua", "korean"]
    assert artists.at["Aqua", "genres"] == ("dance pop", "eurodance", "europop", "pop")
    assert artists.at["AQUA", "korean"]  # the crawl's own artist, kept apart
    assert artists.at["Aqua", "popularity"] == 70.0 and artists.at["AQUA", "genres"] == ()  # metadata to its owner
    songs = catalogue.songs.set_index("title")
    assert not songs.at["Barbie Girl", "korean"] and songs.at["Log In", "korean"]
    assert any("kept as two artists: AQUA" in note for note in report.notes)


def test_name_lists_label_artists_without_western_genres(csvs: CsvWriter) -> None:
    csvs.write("tt.csv", "tidytuesday", [
        tt_row(1, "Full Moon", "DREAMCATCHER"),      # dbkpop group, no genres anywhere
        tt_row(2, "Kevin's Song", "Kevin"),          # an idol's stage name alone is not a K-pop name
        tt_row(3, "Alone", "Heart"),                 # a group name, but western (folk-pop) genres
        tt_row(4, "Sparkle", "Minty"),               # a music video by that name with that song
        tt_row(5, "Other", "Candy"),                 # a music video name, without its song
    ])
    csvs.write("groups.csv", "dbkpop_groups", [
        {"Name": "Dreamcatcher", "Korean Name": "드림캐쳐"}, {"Name": "Heart", "Korean Name": "하트"},
    ])
    csvs.write("idols.csv", "dbkpop_idols", [{"Stage Name": "Kevin", "K. Stage Name": "케빈", "Group": "U-KISS"}])
    csvs.write("genres.csv", "yamaerenay", [{"artists": "Heart", "genres": "folk-pop, indie folk"}])
    csvs.write("videos.csv", "dbkpop_videos", [
        {"Artist": "Minty", "Song Name": "Sparkle"}, {"Artist": "Candy", "Song Name": "Sweet"},
    ])
    catalogue, _ = load_catalogue([csvs.folder])
    assert _labels(catalogue) == {
        "dreamcatcher": [True], "kevin": [False], "heart": [False], "minty": [True], "candy": [False],
    }
    artists = catalogue.artists.set_index("name")
    assert "드림캐쳐" in artists.at["DREAMCATCHER", "aliases"]
    assert "하트" not in artists.at["Heart", "aliases"]  # Korean aliases go to Korean artists only


def test_reviewed_non_korean_collaborators_of_a_kpop_crawl_are_western(csvs: CsvWriter) -> None:
    csvs.write("crawl.csv", "jcgnacpil", [
        {"artist": "Lady Gaga", "track": "Sour Candy", "id": track_id(1)},
        {"artist": "Boyz II Men", "track": "End of the Road", "id": track_id(2)},
        {"artist": "Red Velvet", "track": "Psycho", "id": track_id(3)},
    ])
    catalogue, _ = load_catalogue([csvs.folder])
    assert _labels(catalogue) == {"lady gaga": [False], "boyz ii men": [False], "red velvet": [True]}


def test_remixes_are_credited_to_the_remixer_the_catalogue_knows(csvs: CsvWriter) -> None:
    csvs.write("crawl.csv", "jcgnacpil", [
        {"artist": "SHAUN", "track": "Way Back Home", "id": track_id(1)},
        {"artist": "SHAUN", "track": "Way Back Home (feat. Conor Maynard) - Sam Feldt Edit", "id": track_id(2)},
        {"artist": "SHAUN", "track": "My Bad (feat. Julie Bergan) - KSHMR Edit", "id": track_id(3)},
        {"artist": "SHAUN", "track": "Bad Habits - SHAUN Remix", "id": track_id(4)},  # his own remix
        {"artist": "SHAUN", "track": "Closed Ending - Nobody Known Remix", "id": track_id(5)},
        {"artist": "SHAUN", "track": "Nocturnal - Radio Edit", "id": track_id(6)},
    ])
    csvs.write("tt.csv", "tidytuesday", [tt_row(7, "Post Malone", "Sam Feldt"), tt_row(8, "Secrets", "KSHMR")])
    csvs.write("genres.csv", "yamaerenay", [
        {"artists": "Sam Feldt", "genres": "edm, tropical house"}, {"artists": "KSHMR", "genres": "big room, edm"},
    ])
    catalogue, report = load_catalogue([csvs.folder])
    artists = catalogue.artists
    by_title = {t: (artists.at[a, "name"], bool(artists.at[a, "korean"]))
                for t, a in zip(catalogue.songs["title"], catalogue.songs["artist_id"])}
    assert by_title["Way Back Home (feat. Conor Maynard) - Sam Feldt Edit"] == ("Sam Feldt", False)
    assert by_title["My Bad (feat. Julie Bergan) - KSHMR Edit"] == ("KSHMR", False)
    assert by_title["Bad Habits - SHAUN Remix"] == ("SHAUN", True)
    assert by_title["Closed Ending - Nobody Known Remix"] == ("SHAUN", True)  # an unknown remixer: left alone
    assert by_title["Nocturnal - Radio Edit"] == ("SHAUN", True)
    assert any("2 remixes credited to their remixer" in note for note in report.notes)


def test_a_song_shared_with_a_flagged_file_settles_a_namesake(csvs: CsvWriter) -> None:
    csvs.write("crawl.csv", "jcgnacpil", [{"artist": "PSY", "track": "DADDY", "id": track_id(1)}])
    csvs.write("tt.csv", "tidytuesday", [
        tt_row(2, "DADDY ft. CL of 2NE1", "PSY"),        # another id of the same song
        tt_row(3, "Gentleman", "PSY"),
    ])
    csvs.write("genres.csv", "yamaerenay", [{"artists": "PSY", "genres": "new wave, post-punk"}])
    catalogue, report = load_catalogue([csvs.folder])
    assert _labels(catalogue) == {"psy": [True]}
    assert report.merged == 1 and len(catalogue.songs) == 2


def test_recent_acts_and_hangul_aliases_come_from_the_reviewed_tables(csvs: CsvWriter) -> None:
    csvs.write("tt.csv", "tidytuesday", [tt_row(1, "Song", "X")])
    csvs.write("charts.csv", "charts2023", [
        {"track_name": "Super Shy", "artist(s)_name": "NewJeans"},
        {"track_name": "Flowers", "artist(s)_name": "Miley Cyrus"},
        {"track_name": "Love wins all", "artist(s)_name": "IU"},
    ])
    catalogue, _ = load_catalogue([csvs.folder])
    assert _labels(catalogue) == {"x": [False], "newjeans": [True], "miley cyrus": [False], "iu": [True]}
    artists = catalogue.artists.set_index("name")
    assert "뉴진스" in artists.at["NewJeans", "aliases"] and "아이유" in artists.at["IU", "aliases"]


def test_seed_display_names_and_flags(csvs: CsvWriter) -> None:
    csvs.write("seed.csv", "seed", [
        {"artist": "theweekend", "type": "0", "id": track_id(1), "track_name": "Blinding Lights"},
        {"artist": "taylor", "type": "0", "id": track_id(2), "track_name": "Shake It Off"},
        {"artist": "iu_k", "type": "1", "id": track_id(3), "track_name": "Palette"},
    ])
    catalogue, _ = load_catalogue([csvs.folder])
    assert _labels(catalogue) == {"the weeknd": [False], "taylor swift": [False], "iu": [True]}
