"""Matching free text to catalogue songs and artists: right answers, honest doubt, no crashes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender.matching.matcher as matching
import recommender.matching.text_similarity as similarity
from recommender.matching.matcher import CONFIDENT_SCORE, Item, Match, Matcher
from recommender.matching.shortlist import TrigramShortlist
from recommender.catalogue.synthetic import make_catalogue

NAN = math.nan

SONGS = [
    ("Blinding Lights", "The Weeknd", False, 95.0),
    ("Save Your Tears", "The Weeknd", False, 88.0),
    ("Starboy", "The Weeknd", False, 85.0),
    ("Shape of You", "Ed Sheeran", False, 90.0),
    ("Perfect", "Ed Sheeran", False, 85.0),
    ("Shape of My Heart", "Sting", False, 60.0),
    ("Love Story", "Taylor Swift", False, 80.0),
    ("Shake It Off", "Taylor Swift", False, 82.0),
    ("Stay", "Justin Bieber", False, 92.0),
    ("Stay", "Rihanna", False, 75.0),
    ("Stay", "BLACKPINK", True, 65.0),
    ("Lights", "Ellie Goulding", False, 70.0),
    ("Love Me Like You Do", "Ellie Goulding", False, 78.0),
    ("Blinded by the Light", "Manfred Mann's Earth Band", False, 65.0),
    ("Dynamite", "BTS", True, 88.0),
    ("Butter", "BTS", True, 86.0),
    ("봄날", "BTS", True, 75.0),
    ("How You Like That", "BLACKPINK", True, 85.0),
    ("Kill This Love", "BLACKPINK", True, 80.0),
    ("밤편지", "IU", True, 70.0),
    ("Blueming", "IU", True, 72.0),
    ("Don't Start Now", "Dua Lipa", False, 85.0),
    ("Levitating (feat. DaBaby)", "Dua Lipa", False, 84.0),
    ("Bad Guy", "Billie Eilish", False, 88.0),
    ("Hello", "Adele", False, 80.0),
    ("Rolling in the Deep", "Adele", False, 78.0),
    ("Halo", "Beyoncé", False, 80.0),
    ("Here Comes the Sun - Remastered 2009", "The Beatles", False, 80.0),
    ("Love Dive", "IVE", True, 80.0),
    ("Rain On Me", "Lady Gaga", False, NAN),
]
ALIASES = {"BTS": ["방탄소년단", "Bangtan Boys"], "BLACKPINK": ["블랙핑크"], "IU": ["아이유"]}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.fit(make_catalogue(SONGS, aliases=ALIASES))


def song(title: str, artist: str) -> tuple[str, str, str]:
    return ("song", title, artist)


def artist(name: str) -> tuple[str, str, str]:
    return ("artist", name, name)


def as_tuple(item: Item) -> tuple[str, str, str]:
    return (item.kind, item.title, item.artist)


def answer(m: Matcher, query: str) -> tuple[str, str, str] | None:
    """What a query resolved to, as (kind, title, artist), or None."""
    item = m.match(query).item
    return None if item is None else as_tuple(item)


# (query, what it must resolve to). Every row must come back as a confident match.
RESOLVES = [
    # exact keys, case and punctuation
    ("the weeknd", artist("The Weeknd")),
    ("TAYLOR SWIFT", artist("Taylor Swift")),
    ("HOW YOU LIKE THAT!!!", song("How You Like That", "BLACKPINK")),
    ("blinding lights (feat. x)", song("Blinding Lights", "The Weeknd")),
    ("levitating", song("Levitating (feat. DaBaby)", "Dua Lipa")),
    ("here comes the sun", song("Here Comes the Sun", "The Beatles")),  # shown without "- Remastered 2009"
    ("blackpink", artist("BLACKPINK")),
    ("black pink", artist("BLACKPINK")),
    ("Black-Pink", artist("BLACKPINK")),
    # title and artist together, in any order and with any joiner
    ("Blinding Lights - The Weeknd", song("Blinding Lights", "The Weeknd")),
    ("Blinding Lights by The Weeknd", song("Blinding Lights", "The Weeknd")),
    ("The Weeknd - Blinding Lights", song("Blinding Lights", "The Weeknd")),
    ("The Weeknd: Blinding Lights", song("Blinding Lights", "The Weeknd")),
    # invisible characters and emoji
    ("blin\u200bding lights", song("Blinding Lights", "The Weeknd")),
    ("\u200fblinding lights\u200e", song("Blinding Lights", "The Weeknd")),
    ("\u202eThe Weeknd\u202c", artist("The Weeknd")),
    ("Dynamite 🎆🎆", song("Dynamite", "BTS")),
    # Korean: titles, aliases, alias used as the artist of a title
    ("방탄소년단", artist("BTS")),
    ("방탄 소년단", artist("BTS")),
    ("bangtan boys", artist("BTS")),
    ("아이유", artist("IU")),
    ("밤편지", song("밤편지", "IU")),
    ("봄날 방탄소년단", song("봄날", "BTS")),
    ("블랙핑크 kill this love", song("Kill This Love", "BLACKPINK")),
    # typos
    ("blinding lites", song("Blinding Lights", "The Weeknd")),
    ("shape of u", song("Shape of You", "Ed Sheeran")),
    ("taylor swfit", artist("Taylor Swift")),
    ("how u like that", song("How You Like That", "BLACKPINK")),
    ("rolling in teh deep", song("Rolling in the Deep", "Adele")),
    ("밤편치", song("밤편지", "IU")),  # one jamo wrong: ㅈ -> ㅊ
    ("beyonce", artist("Beyoncé")),
    # typos next to an artist
    ("ed sheeran shape of yuo", song("Shape of You", "Ed Sheeran")),
    ("bad guy billie elish", song("Bad Guy", "Billie Eilish")),
    ("blinding lites the weeknd", song("Blinding Lights", "The Weeknd")),
    # a short word missing or added
    ("love me like you", song("Love Me Like You Do", "Ellie Goulding")),
    ("the blinding lights", song("Blinding Lights", "The Weeknd")),
    ("kill this love song blackpink", song("Kill This Love", "BLACKPINK")),
    # one title, several songs: the artist decides, else the most popular
    ("stay", song("Stay", "Justin Bieber")),
    ("stay rihanna", song("Stay", "Rihanna")),
    ("Stay - BLACKPINK", song("Stay", "BLACKPINK")),
    ("stay rihana", song("Stay", "Rihanna")),
    ("stay by blakpink", song("Stay", "BLACKPINK")),
]


@pytest.mark.parametrize(("query", "expected"), RESOLVES)
def test_resolves(matcher: Matcher, query: str, expected: tuple[str, str, str]) -> None:
    result = matcher.match(query)
    assert result.item is not None, f"{query!r} gave no answer; suggestions {result.suggestions}"
    assert as_tuple(result.item) == expected
    assert result.suggestions == ()
    assert result.score >= CONFIDENT_SCORE


# Missing words and scrambled order are not certain enough to answer, but the
# intended item must be offered.
SUGGESTS = [
    ("blinding", song("Blinding Lights", "The Weeknd")),
    ("lights blinding", song("Blinding Lights", "The Weeknd")),
    ("rolling in", song("Rolling in the Deep", "Adele")),
    ("blinding lights please", song("Blinding Lights", "The Weeknd")),
]


@pytest.mark.parametrize(("query", "expected"), SUGGESTS)
def test_suggests(matcher: Matcher, query: str, expected: tuple[str, str, str]) -> None:
    result = matcher.match(query)
    assert result.item is None
    assert expected in [as_tuple(s) for s in result.suggestions]
    assert 1 <= len(result.suggestions) <= 3
    assert len(set(result.suggestions)) == len(result.suggestions)


# Junk must never become a confident match, and nothing close means no suggestions.
NOTHING = [
    "asdfgh",
    "@everyone",
    "zxqwvbnm",
    "🎵🎶🎵",
    "!!!???",
    "   ",
    "\u200b\u200f\u202e",
    "purple monkey dishwasher",
    "quantum chromodynamics lecture",
    "x",
]


@pytest.mark.parametrize("query", NOTHING)
def test_junk_has_no_match_and_no_suggestions(matcher: Matcher, query: str) -> None:
    result = matcher.match(query)
    assert (result.item, result.exact, result.suggestions) == (None, False, ())


# Near misses: one typo away from a short title (close by ratio, but too short to
# tell a typo from another word), or words shared by many titles. They may be
# suggested, never answered.
UNSURE = ["halos", "helo", "jello", "love", "starb", "you like", "shape"]


@pytest.mark.parametrize("query", UNSURE)
def test_near_misses_are_never_confident(matcher: Matcher, query: str) -> None:
    assert matcher.match(query).item is None


def test_two_close_titles_are_suggested_not_guessed(matcher: Matcher) -> None:
    """"shape of" is as close to "Shape of You" as to "Shape of My Heart": offer both."""
    result = matcher.match("shape of")
    assert result.item is None
    offered = [as_tuple(s) for s in result.suggestions]
    assert song("Shape of You", "Ed Sheeran") in offered
    assert song("Shape of My Heart", "Sting") in offered
    assert offered.index(song("Shape of You", "Ed Sheeran")) < offered.index(song("Shape of My Heart", "Sting"))


def test_exact_hits_are_flagged_and_score_100(matcher: Matcher) -> None:
    assert matcher.match("Blinding Lights") == Match(matcher.item("song", 0), 100.0, True, ())
    fuzzy = matcher.match("blinding lites")
    assert not fuzzy.exact and fuzzy.score < 100.0


@pytest.mark.parametrize(
    "query",
    ["Blinding Lights", "the weeknd", "BLACK PINK", "방탄소년단", "Blinding Lights by The Weeknd",
     "The Weeknd - Blinding Lights", "봄날 방탄소년단", "stay"],
)
def test_exact_hits_score_nothing(matcher: Matcher, monkeypatch: pytest.MonkeyPatch, query: str) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the exact path must not score the catalogue")

    monkeypatch.setattr(similarity, "score", forbidden)
    monkeypatch.setattr(TrigramShortlist, "top", forbidden)
    assert matcher.match(query).exact


def test_fuzzy_path_scores_only_a_shortlist(monkeypatch: pytest.MonkeyPatch) -> None:
    """With more titles than the shortlist holds, the scorer never sees them all."""
    n = 3 * matching.SHORTLIST_SIZE
    many = [(f"Song Number {i}", f"Artist {i % 40}", False, float(i % 100)) for i in range(n)]
    m = Matcher.fit(make_catalogue([*SONGS, *many]))
    seen: list[int] = []
    real_score = similarity.score

    def counting(query: str, choices: list[str], **kwargs: float) -> np.ndarray:
        seen.append(len(choices))
        return real_score(query, choices, **kwargs)

    monkeypatch.setattr(similarity, "score", counting)
    assert answer(m, "blinding lites") == song("Blinding Lights", "The Weeknd")
    assert seen and max(seen) < len(many)


def test_unknown_popularity_loses_ties_to_known() -> None:
    m = Matcher.fit(make_catalogue([("Echo", "Unknown Band", False, NAN), ("Echo", "Known Band", False, 1.0)]))
    assert m.match("echo").item == m.item("song", 1)


@pytest.mark.parametrize(
    ("song_popularity", "expected", "other"),
    [(30.0, artist("Aurora"), song("Aurora", "Some Band")), (84.0, artist("Aurora"), song("Aurora", "Some Band")),
     (90.0, song("Aurora", "Some Band"), artist("Aurora"))],
)
def test_an_artist_name_beats_a_same_titled_song_unless_the_song_is_far_better_known(
    song_popularity: float, expected: tuple[str, str, str], other: tuple[str, str, str]
) -> None:
    """The artist's best-known song (70) is its fame; the song must beat it by more than 15 points."""
    songs = [("Aurora", "Some Band", False, song_popularity), ("Runaway", "Aurora", False, 70.0)]
    result = Matcher.fit(make_catalogue(songs)).match("aurora")
    assert result.item is not None and as_tuple(result.item) == expected
    assert result.other_reading is not None and as_tuple(result.other_reading) == other


@pytest.mark.parametrize(
    "query",
    ["", " ", "\x00", "\x00blinding\x00lights\x00", "a" * 10_000, "blinding lights " * 700,
     "\u200f" * 5000, "🎵" * 3000, "\ud800", "(feat. x)", "by", "by by by", "- - -", "Stay by"],
)
def test_hostile_input_never_raises(matcher: Matcher, query: str) -> None:
    result = matcher.match(query)
    assert len(result.suggestions) <= 3
    assert 0.0 <= result.score <= 100.0


def test_nul_bytes_are_word_breaks(matcher: Matcher) -> None:
    expected = song("Blinding Lights", "The Weeknd")
    assert answer(matcher, "\x00blinding\x00lights\x00") == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_well_formed_match(matcher: Matcher, query: str) -> None:
    result = matcher.match(query)
    assert 0.0 <= result.score <= 100.0
    assert len(result.suggestions) <= 3
    if result.item is not None:
        assert result.suggestions == ()
        assert result.item == matcher.item(result.item.kind, result.item.id)
    for suggestion in result.suggestions:
        assert suggestion == matcher.item(suggestion.kind, suggestion.id)


# ---------------------------------------------------------------- complete()


def test_complete_empty_prefix_lists_popular_items(matcher: Matcher) -> None:
    items = matcher.complete("", limit=3)
    assert [as_tuple(i) for i in items] == [
        song("Blinding Lights", "The Weeknd"),
        artist("The Weeknd"),
        song("Stay", "Justin Bieber"),
    ]


def test_complete_ranks_whole_name_prefixes_first_then_popularity(matcher: Matcher) -> None:
    titles = [as_tuple(i) for i in matcher.complete("lig")]
    assert titles == [
        song("Lights", "Ellie Goulding"),  # the whole title starts with "lig"
        song("Blinding Lights", "The Weeknd"),  # a word does, popularity 95
        song("Blinded by the Light", "Manfred Mann's Earth Band"),  # a word does, popularity 65
    ]
    assert [i.title for i in matcher.complete("sha")] == ["Shape of You", "Shake It Off", "Shape of My Heart"]


def test_complete_finds_artists_aliases_and_hangul_mid_syllable(matcher: Matcher) -> None:
    assert artist("Taylor Swift") in [as_tuple(i) for i in matcher.complete("TAYL")]
    assert artist("BTS") in [as_tuple(i) for i in matcher.complete("방탄")]
    assert artist("BTS") in [as_tuple(i) for i in matcher.complete("방ㅌ")]  # syllable still being typed


def test_complete_respects_limit_and_lists_each_item_once(matcher: Matcher) -> None:
    assert len(matcher.complete("", limit=5)) == 5
    assert matcher.complete("s", limit=0) == []
    bts = [i for i in matcher.complete("b", limit=100) if i.kind == "artist" and i.title == "BTS"]
    assert len(bts) == 1  # reachable through "BTS" and "Bangtan Boys", listed once
    assert len(matcher.complete("s", limit=2)) == 2


@pytest.mark.parametrize("prefix", ["zzzz", "\x00", "🎵", "a" * 10_000, "\u200f"])
def test_complete_odd_prefixes(matcher: Matcher, prefix: str) -> None:
    items = matcher.complete(prefix, limit=10)
    assert len(items) <= 10
    assert all(i == matcher.item(i.kind, i.id) for i in items)


# ------------------------------------------------------------------- item()


def test_item_builds_songs_and_artists(matcher: Matcher) -> None:
    assert matcher.item("song", 16) == Item("song", 16, "봄날", "BTS", True)
    assert matcher.item("artist", 0) == Item("artist", 0, "The Weeknd", "The Weeknd", False)


@pytest.mark.parametrize(("kind", "id"), [("song", -1), ("song", len(SONGS)), ("artist", 999), ("album", 0)])
def test_item_rejects_unknown_ids(matcher: Matcher, kind: str, id: int) -> None:
    with pytest.raises(ValueError):
        matcher.item(kind, id)


def test_empty_catalogue_matches_nothing() -> None:
    m = Matcher.fit(make_catalogue([("?", "!!!", False, 50.0)]))
    assert m.match("anything") == Match(None, 0.0, False, ())
    assert m.match("!!!").item is None
    assert m.complete("a") == []


def test_a_name_that_is_also_a_title_is_one_text() -> None:
    """A typo of it is answered like the exact name: the more popular reading wins."""
    songs = [("Imagine Dragons", "Tribute Band", False, 20.0), ("Believer", "Imagine Dragons", False, 85.0)]
    m = Matcher.fit(make_catalogue(songs))
    assert answer(m, "imagine dragns") == artist("Imagine Dragons")
    assert not m.match("imagine dragns").exact


def test_a_named_artist_finds_its_song_even_when_the_title_was_not_shortlisted() -> None:
    """Titles sharing more of the typo's trigrams than "Brick" fill the shortlist.

    The artist's own songs are still read, so the query resolves.
    """
    crowd = [(f"Brck {i}", f"Band {i}", False, 10.0) for i in range(2 * matching.SHORTLIST_SIZE)]
    m = Matcher.fit(make_catalogue([("Brick", "Ben Folds Five", False, 60.0), *crowd]))
    assert answer(m, "brck ben folds five") == song("Brick", "Ben Folds Five")


SAME_TITLES = [
    ("Stay", "Zedd", False, 79.0),
    ("Stay", "Post Malone", False, 78.0),
    ("Stay", "Zedd", False, 75.0),  # the same artist again (a remix) is not another song to choose
    ("Stay", "Mac Miller", False, 70.0),
    ("Stay", "Rihanna", False, 66.0),  # close enough, but two are named at most
    ("Blinding Lights", "The Weeknd", False, 98.0),
    ("Blinding Lights", "Lucas Estrada", False, 65.0),  # a namesake far less known: not worth a word
    ("Dynamite", "BTS", True, 88.0),
]


def test_a_bare_title_several_artists_share_names_the_others_nearly_as_well_known() -> None:
    m = Matcher.fit(make_catalogue(SAME_TITLES))
    stay = m.match("stay")
    assert stay.item is not None and stay.item.artist == "Zedd"
    assert [i.artist for i in stay.same_title] == ["Post Malone", "Mac Miller"]
    assert all(i.kind == "song" and i.title == "Stay" for i in stay.same_title)
    assert m.match("blinding lights").same_title == ()
    named = m.match("Stay Post Malone")  # naming the artist chooses, and leaves nothing to say
    assert named.item is not None and named.item.artist == "Post Malone" and named.same_title == ()
    assert m.match("zedd").same_title == ()  # an artist is no title


# ---------------------------------------------------------------- what a new user hit (issue 13)

FRONT_DOOR = [
    ("Get Lucky (feat. Pharrell Williams) - Radio Edit", "Daft Punk", False, 80.0),
    ("One More Time", "Daft Punk", False, 75.0),
    ("Daft Punk", "Pentatonix", False, 57.0),
    ("Bohemian Rhapsody - Remastered 2011", "Queen", False, 84.0),
    ("Queen", "Perfume Genius", False, 58.0),
    ("Bohemian Rhapsody", "Forestella", True, 25.0),
    ("Circles", "Post Malone", False, 90.0),
    ("Post Malone (feat. RANI)", "Sam Feldt", False, 83.0),
    ("Here Comes The Sun - Remastered 2009", "The Beatles", False, 80.0),
    ("Black Beatles", "Rae Sremmurd", False, 72.0),
    ("Blinding Lights", "The Weeknd", False, 95.0),
    ("Weekend (feat. Miguel)", "Mac Miller", False, 60.0),
    ('Lose Yourself - From "8 Mile" Soundtrack', "Eminem", False, 82.0),
    ("Love Yourself", "Justin Bieber", False, 85.0),
    ("Lose Yourself to Dance", "Daft Punk", False, 71.0),
    ("Anti-Hero", "Taylor Swift", False, 78.0),
    ("ANTI-HERO", "M.O.N.T", True, 31.0),
    ("Nonsense", "Sabrina Carpenter", False, 70.0),
    ("Next Level", "aespa", True, 83.0),
    ("supernova", "prettyboyshav", False, 30.0),
    ("Champagne Supernova - Remastered", "Oasis", False, 72.0),
    ("Flowers", "Miley Cyrus", False, 89.0),
    ("Flowers", "The Deli", False, 63.0),
    ("Redbone", "Childish Gambino", False, 81.0),
    ("Come and Get Your Love", "Redbone", False, 40.0),
]


@pytest.fixture(scope="module")
def front_door() -> Matcher:
    songs = [(t, a, k, p) for t, a, k, p in FRONT_DOOR]
    catalogue = make_catalogue(songs)
    catalogue.songs.loc[catalogue.songs["title"] == "Blinding Lights", "spotify_id"] = "0VjIjW4GlUZAMYd2vXMi3b"
    return Matcher.fit(catalogue)


@pytest.mark.parametrize(
    ("query", "expected", "also"),
    [
        ("Daft Punk", artist("Daft Punk"), song("Daft Punk", "Pentatonix")),
        ("Queen", artist("Queen"), song("Queen", "Perfume Genius")),
        ("Post Malone", artist("Post Malone"), song("Post Malone (feat. RANI)", "Sam Feldt")),
        ("Redbone", song("Redbone", "Childish Gambino"), artist("Redbone")),  # the hit, far better known
    ],
)
def test_an_exact_artist_name_outranks_a_song_named_after_it(
    front_door: Matcher, query: str, expected: tuple[str, str, str], also: tuple[str, str, str]
) -> None:
    result = front_door.match(query)
    assert result.item is not None and as_tuple(result.item) == expected
    assert result.other_reading is not None and as_tuple(result.other_reading) == also


@pytest.mark.parametrize(("query", "expected"), [("beatles", "The Beatles"), ("weeknd", "The Weeknd"),
                                                 ("the queen", "Queen")])
def test_the_article_may_be_left_out_or_added(front_door: Matcher, query: str, expected: str) -> None:
    assert answer(front_door, query) == artist(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lose Yourself", song("Lose Yourself", "Eminem")),  # the soundtrack suffix is an edition
        ("Lose Yourself Eminem", song("Lose Yourself", "Eminem")),
        ("eminem - lose yourself", song("Lose Yourself", "Eminem")),
        ("Anti-Hero", song("Anti-Hero", "Taylor Swift")),  # better known than the K-pop namesake
        ("bohemian rapsody", song("Bohemian Rhapsody", "Queen")),  # shown without "- Remastered 2011"
        ("bohemian rhapsody remastered", song("Bohemian Rhapsody", "Queen")),
        ("blinding lights song", song("Blinding Lights", "The Weeknd")),
    ],
)
def test_titles_are_found_under_their_editions_and_shown_clean(
    front_door: Matcher, query: str, expected: tuple[str, str, str]
) -> None:
    assert answer(front_door, query) == expected


def test_a_real_word_in_place_of_another_is_a_question_not_a_typo() -> None:
    """Without Eminem's song, "lose yourself" must not be answered as "Love Yourself"."""
    m = Matcher.fit(make_catalogue([("Love Yourself", "Justin Bieber", False, 85.0),
                                    ("Lose Control", "Someone", False, 50.0)]))
    result = m.match("lose yourself")
    assert result.item is None
    assert song("Love Yourself", "Justin Bieber") in [as_tuple(s) for s in result.suggestions]
    assert answer(m, "love yourslef") == song("Love Yourself", "Justin Bieber")  # a typo is still a typo


@pytest.mark.parametrize(
    "query",
    ["https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b",
     "https://open.spotify.com/intl-fr/track/0VjIjW4GlUZAMYd2vXMi3b?si=4f1e2d3c",
     "spotify:track:0VjIjW4GlUZAMYd2vXMi3b",
     "listen to this! https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b",
     "https://music.apple.com/us/song/blinding-lights/1499378615",
     "https://www.youtube.com/watch?v=4NRXx6U8ABQ Blinding Lights - The Weeknd",
     "https://www.youtube.com/results?search_query=the+weeknd+blinding+lights"],
)
def test_links_to_a_song_of_the_catalogue_find_it(front_door: Matcher, query: str) -> None:
    result = front_door.match(query)
    assert result.item is not None and as_tuple(result.item) == song("Blinding Lights", "The Weeknd")
    assert result.link is not None


@pytest.mark.parametrize(
    ("query", "kind"),
    [("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "track"),
     ("https://open.spotify.com/artist/1Xyo4u8uXC1ZmMpatF05PJ?si=x", "artist"),
     ("spotify:album:4yP0hdKOZPNshxUOjY0cZj", "album"),
     ("https://youtu.be/4NRXx6U8ABQ", "video")],
)
def test_a_link_to_something_unknown_comes_back_unanswered_with_the_link(
    front_door: Matcher, query: str, kind: str
) -> None:
    result = front_door.match(query)
    assert (result.item, result.suggestions) == (None, ())
    assert result.link is not None and result.link.kind == kind


@pytest.mark.parametrize(
    ("query", "expected_artist", "title"),
    [("Espresso Sabrina Carpenter", "Sabrina Carpenter", "Espresso"),
     ("sabrina carpenter - espresso", "Sabrina Carpenter", "espresso"),
     ("aespa Supernova", "aespa", "Supernova"),  # another act's "supernova" does not count: aespa was named
     ("Flowers by Miley Cyrus", None, None)],  # in the catalogue: the song itself
)
def test_a_song_newer_than_the_catalogue_answers_for_its_artist(
    front_door: Matcher, query: str, expected_artist: str | None, title: str | None
) -> None:
    result = front_door.match(query)
    assert result.item is not None
    if expected_artist is None:
        assert as_tuple(result.item) == song("Flowers", "Miley Cyrus") and result.unknown_title == ""
    else:
        assert as_tuple(result.item) == artist(expected_artist)
        assert result.unknown_title == title


def test_a_typo_of_an_artists_song_is_offered_not_taken_for_a_new_song(front_door: Matcher) -> None:
    result = front_door.match("sabrina carpenter nonsens")
    assert result.unknown_title == ""
    assert result.item is not None and as_tuple(result.item) == song("Nonsense", "Sabrina Carpenter")


@pytest.mark.parametrize("query", ["Espresso", "Vampire Olivia Rodrigo", "Good Luck Babe", "Die With A Smile"])
def test_nothing_known_offers_no_junk_choices(front_door: Matcher, query: str) -> None:
    result = front_door.match(query)
    assert (result.item, result.suggestions) == (None, ())


def test_an_unknown_title_gets_no_choices_that_only_share_letters() -> None:
    """"Press" sits inside "espresso" but is no part of it; "Depression" is only as alike as two edits."""
    m = Matcher.fit(make_catalogue([("Depression", "Dizzy Blue", False, 30.0), ("Press", "Cardi B", False, 70.0),
                                    ("Stay", "Justin Bieber", False, 90.0)]))
    assert (m.match("Espresso").item, m.match("Espresso").suggestions) == (None, ())
    assert [s.title for s in m.match("stai").suggestions] == ["Stay"]  # one wrong letter in a short word


def test_a_title_only_versions_share_is_a_question() -> None:
    """Two live takes, nothing with the bare title: ask which, unless one is far better known."""
    rows = [("Song (Live at Wembley)", "Band", False, 60.0), ("Song (Live at Budokan)", "Band", False, 58.0),
            ("Tune - Acoustic", "DJ", False, 70.0), ("Tune - Piano Version", "DJ", False, 20.0)]
    m = Matcher.fit(make_catalogue(rows))
    asked = m.match("song")
    assert asked.item is None and {s.title for s in asked.suggestions} == {r[0] for r in rows[:2]}
    assert answer(m, "tune") == song("Tune - Acoustic", "DJ")  # the far better known version
