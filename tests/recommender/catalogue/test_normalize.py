"""The one definition of "the same text" used by import and by matching."""

import pytest

from recommender.catalogue.normalize import (
    base_title,
    compact_key,
    contains_hangul,
    strip_credits,
    strip_editions,
    text_key,
    title_key,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Beyond Love (Feat. 10CM)", "Beyond Love"),
        ("MERRY-GO-ROUND (Feat. Zion.T, Wonstein) (Prod. Slom)", "MERRY-GO-ROUND"),
        ("Here Comes the Sun - Remastered 2009", "Here Comes the Sun"),
        ("Song - 2011 Remaster", "Song"),
        ("Seven (feat. Latto) (Explicit Ver.)", "Seven"),
        ("Shape of You ft. Someone", "Shape of You"),
        ("I Don't Care (with Justin Bieber) - Loud Luxury Remix", "I Don't Care - Loud Luxury Remix"),
        ("(feat. X)", "(feat. X)"),  # nothing would be left: keep the title
        ('Lose Yourself - From "8 Mile" Soundtrack', "Lose Yourself"),
        ("Lose Yourself - Soundtrack Version", "Lose Yourself"),
        ("Bohemian Rhapsody - 2011 Mix", "Bohemian Rhapsody"),
        ('Let It Go - From "Frozen"/Soundtrack Version', "Let It Go"),
        ("Get Lucky (feat. Pharrell Williams) - Radio Edit", "Get Lucky"),
        ("Unlock it (Lock It) - feat. Kim Petras and Jay Park", "Unlock it (Lock It)"),
        ("Song (2011 Remaster) - Single Version", "Song"),
        ("Flowers - RudeLies Remix", "Flowers - RudeLies Remix"),  # a remix is another recording
        ("Cupid - Twin Ver.", "Cupid - Twin Ver."),
    ],
)
def test_strip_credits(title: str, expected: str) -> None:
    assert strip_credits(title) == expected


def test_keys_fold_case_punctuation_and_invisible_characters() -> None:
    assert text_key("TAYLOR  SWIFT") == "taylor swift"
    assert text_key("\u200fTaylor Swift\u200e") == "taylor swift"
    assert text_key("R U Ridin\u2019?") == "r u ridin"
    assert text_key("Simon & Garfunkel") == text_key("simon and garfunkel")
    assert compact_key("Black Pink") == compact_key("BLACKPINK") == "blackpink"
    assert title_key("Blinding Lights - Remastered 2020") == "blinding lights"


def test_hangul_survives_every_function() -> None:
    title = "\u1100\u1161\u11a8 밤편지"  # decomposed jamo compose under NFKC
    assert "밤편지" in strip_credits(title)
    assert text_key("(여자)아이들") == "여자 아이들"
    assert compact_key("방탄 소년단") == "방탄소년단"
    assert contains_hangul("아이유") and not contains_hangul("IU")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Bohemian Rhapsody - Remastered 2011", "Bohemian Rhapsody"),
        ('Lose Yourself - From "8 Mile" Soundtrack', "Lose Yourself"),
        ("Levitating (feat. DaBaby)", "Levitating (feat. DaBaby)"),  # who sings stays
        ("Flowers - RudeLies Remix", "Flowers - RudeLies Remix"),  # what tells versions apart stays
        ("Dynamite - Acoustic Remix", "Dynamite - Acoustic Remix"),
        ("Remastered", "Remastered"),
    ],
)
def test_strip_editions_keeps_credits_and_version_words(title: str, shown: str) -> None:
    assert strip_editions(title) == shown


@pytest.mark.parametrize(
    ("title", "base"),
    [("Flowers - RudeLies Remix", "Flowers"), ("Lose Yourself (Live)", "Lose Yourself"), ("(Intro)", "(Intro)"),
     ("Stay", "Stay")],
)
def test_base_title_is_what_people_call_the_song(title: str, base: str) -> None:
    assert base_title(title) == base
