"""Short labels people can tell apart: a plain cut, and near-identical long labels kept apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.labels import ELLIPSIS, clip, distinct

VERSIONS = [
    "Variations on a Theme That Goes On Through Every Movement of the Night (Live at Wembley) \u2014 The Orchestra",
    "Variations on a Theme That Goes On Through Every Movement of the Night (Live at Budokan) \u2014 The Orchestra",
]


def test_plain_text_is_cut_with_an_ellipsis() -> None:
    assert clip("short", 10) == "short"
    assert clip("a much longer label", 10) == "a much lo\u2026"  # 10 characters in all


def test_labels_a_plain_cut_makes_equal_show_where_they_differ() -> None:
    shown = distinct([*VERSIONS, "Stay \u2014 Rihanna"], 80)
    assert [clip(label, 80) for label in VERSIONS][0] == [clip(label, 80) for label in VERSIONS][1]
    assert shown[0].startswith("Variations on a Theme") and "Wembley) \u2014 The Orchestra" in shown[0]
    assert "Budokan) \u2014 The Orchestra" in shown[1]
    assert shown[2] == "Stay \u2014 Rihanna"  # labels that fit are left alone


def test_labels_that_differ_only_far_along_still_fit() -> None:
    long_tail = [label + " and a very long remainder that goes on" * 3 for label in VERSIONS]
    shown = distinct(long_tail, 60)
    assert shown[0] != shown[1] and all(len(label) <= 60 for label in shown)
    assert "Wembley" in shown[0] and "Budokan" in shown[1]


@given(st.lists(st.text(min_size=1, max_size=200), max_size=8), st.integers(min_value=20, max_value=100))
def test_every_label_fits_and_different_labels_stay_different(labels: list[str], limit: int) -> None:
    shown = distinct(labels, limit)
    assert all(len(label) <= limit for label in shown)
    assert [label for label, original in zip(shown, labels) if len(original) <= limit] == [
        original for original in labels if len(original) <= limit
    ]
    assert len(set(shown)) == len(set(labels))
