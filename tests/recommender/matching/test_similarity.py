"""The scorer behind fuzzy matching: strict ratio, and loose readings that stay below answers."""

import unicodedata

import pytest

from recommender.matching.text_similarity import MAX_QUERY_CHARS, fuzzy_key, score


def test_strict_score_is_plain_ratio_on_prepared_strings() -> None:
    # "lites" -> "lights": one deletion and two insertions over 29 characters.
    assert score(fuzzy_key("Blinding Lites"), ["blinding lights"])[0] == pytest.approx((1 - 3 / 29) * 100)
    assert score("abc", []).shape == (0,)


def test_loose_readings_are_weighted_and_need_long_enough_strings() -> None:
    assert score("blinding", ["blinding lights"])[0] < 70  # strict: part of a title is far
    assert score("blinding", ["blinding lights"], loose=0.8)[0] == pytest.approx(80)  # found inside
    assert score("lights blinding", ["blinding lights"], loose=0.8)[0] == pytest.approx(80)  # reordered
    assert score("hangover please", ["hangover"], loose=0.8)[0] == pytest.approx(80)  # extra word
    # A short title inside junk earns nothing loose, nor does a short query.
    assert score("esfnvjwox", ["ox"], loose=0.8)[0] == score("esfnvjwox", ["ox"])[0]
    assert score("light", ["lights out tonight"], loose=0.8)[0] == score("light", ["lights out tonight"])[0]


def test_fuzzy_key_normalises_decomposes_and_caps_length() -> None:
    assert fuzzy_key("BEYONCÉ (feat. X)") == unicodedata.normalize("NFD", "beyoncé")
    assert fuzzy_key("밤편지") == unicodedata.normalize("NFD", "밤편지") != "밤편지"
    assert len(fuzzy_key("a" * 10_000)) == MAX_QUERY_CHARS
