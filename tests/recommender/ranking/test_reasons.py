"""Reasons name what two songs share, in words, from their raw features."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.catalogue.catalogue import FEATURES
from recommender.ranking.reasons import MAX_REASON_LENGTH, explain

# An unremarkable song: no level is extreme enough to be worth saying.
PLAIN = {
    "danceability": 0.55,
    "energy": 0.55,
    "key": 5.0,
    "loudness": -6.0,
    "mode": 1.0,
    "speechiness": 0.06,
    "acousticness": 0.2,
    "instrumentalness": 0.001,
    "liveness": 0.15,
    "valence": 0.5,
    "tempo": 100.0,
}


def song(**changes: float) -> dict[str, float]:
    return PLAIN | changes


@pytest.mark.parametrize(
    ("query", "pick", "expected"),
    [
        (
            song(energy=0.85, danceability=0.8, tempo=118),
            song(energy=0.9, danceability=0.75, tempo=121),
            "both high-energy and danceable, tempo 118 vs 121 BPM",
        ),
        (song(acousticness=0.9, energy=0.2), song(acousticness=0.8, energy=0.3, tempo=140), "both acoustic and mellow"),
        (song(mode=0, valence=0.1), song(mode=0, valence=0.2, tempo=150), "both minor-key and moody"),
        (
            song(speechiness=0.45, tempo=90),
            song(speechiness=0.4, tempo=90.3),
            "both rap-heavy and major-key, same tempo (90 BPM)",
        ),
        (
            song(instrumentalness=0.9, tempo=150),
            song(instrumentalness=0.7, tempo=190),
            "both instrumental and major-key",
        ),
        (
            song(valence=0.9, liveness=0.95, tempo=180),
            song(valence=0.8, liveness=0.9, tempo=60),
            "both cheerful and live-sounding",
        ),
        (
            song(danceability=0.2, mode=0),
            song(danceability=0.3, mode=0),
            "both minor-key and free-flowing, same tempo (100 BPM)",
        ),
        # Only commonplace levels shared: say which aspects are closest instead.
        (
            song(energy=0.6, valence=0.4),
            song(energy=0.61, valence=0.42, danceability=0.1, acousticness=0.5),
            "similar energy and mood, same tempo (100 BPM)",
        ),
        # One energetic, one calm: not "both" anything about energy.
        (
            song(energy=0.9, acousticness=0.7),
            song(energy=0.2, acousticness=0.9),
            "both acoustic and major-key, same tempo (100 BPM)",
        ),
        # Artist means: a mostly minor-key artist and another.
        (song(mode=0.1, valence=0.25), song(mode=0.2, valence=0.28), "both minor-key and moody, same tempo (100 BPM)"),
    ],
)
def test_reason_names_the_shared_levels(query: dict, pick: dict, expected: str) -> None:
    assert explain(query, pick) == expected


@pytest.mark.parametrize(
    ("query_bpm", "pick_bpm", "expected"),
    [
        (118, 121, "tempo 118 vs 121 BPM"),
        (170, 178, "tempo 170 vs 178 BPM"),  # within 5% of the faster one
        (70, 141, "tempo 70 vs 141 BPM (half/double time)"),
        (160, 79, "tempo 160 vs 79 BPM (half/double time)"),
        (100, 125, None),
        (100, 0, None),  # no beat found
    ],
)
def test_tempo_is_mentioned_only_when_the_pulse_agrees(query_bpm: float, pick_bpm: float, expected: str | None) -> None:
    reason = explain(song(energy=0.9, tempo=query_bpm), song(energy=0.9, tempo=pick_bpm))
    if expected is None:
        assert "BPM" not in reason
    else:
        assert reason.endswith(expected)


def test_missing_or_nan_features_are_left_out() -> None:
    assert explain({}, {}) == "similar overall sound"
    assert explain({"energy": 0.9, "tempo": float("nan")}, {"energy": 0.8, "tempo": 120}) == "both high-energy"


_feature_values = st.fixed_dictionaries(
    {
        name: st.floats(0, 250) if name == "tempo" else st.floats(-60, 1) if name == "loudness" else st.floats(0, 1)
        for name in FEATURES
    }
)


@given(_feature_values, _feature_values)
def test_every_reason_is_short_plain_text(query: dict, pick: dict) -> None:
    reason = explain(query, pick)
    assert 0 < len(reason) <= MAX_REASON_LENGTH
    assert not re.search(r"[*_`<>\[\]|~#\\]", reason)
