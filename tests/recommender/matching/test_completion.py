"""The autocomplete index: word-start prefixes, whole names first, each entry once."""

import numpy as np

from recommender.matching.completion import PrefixIndex

KEYS = ["blinding lights", "lights", "love lights", "bts", "bangtan boys", ""]
ENTRIES = [0, 1, 2, 3, 3, 4]  # "bts" and "bangtan boys" name one entry; entry 4 has an empty key
POPULARITY = np.array([95.0, 70.0, 80.0, 90.0, 99.0])


def test_whole_name_prefixes_come_first_then_word_prefixes_by_popularity() -> None:
    index = PrefixIndex(KEYS, ENTRIES, POPULARITY)
    assert index.complete("lig", 10) == [1, 0, 2]  # "lights", then blinding (95) before love (80)
    assert index.complete("b", 10) == [0, 3]  # entry 3 once, though two of its keys start with "b"


def test_limit_empty_prefix_and_no_match() -> None:
    index = PrefixIndex(KEYS, ENTRIES, POPULARITY)
    assert index.complete("", 2) == [4, 0]  # most popular entries
    assert index.complete("lig", 1) == [1]
    assert index.complete("lig", 0) == []
    assert index.complete("zz", 5) == []
    assert PrefixIndex([], [], np.empty(0)).complete("a", 5) == []
