"""One-line, human reasons for why a pick sits close to what the user asked for.

A pick is near its query in the scaled space because some features agree. The
reason names the most telling of those in words people use ("both acoustic and
mellow") and adds the tempo when it agrees, instead of printing a distance.
It reads raw Spotify values, not scaled ones, so the thresholds below keep
their documented meaning (Spotify: speechiness above 0.33 is rap-like, above
0.5 instrumentalness means no vocals, and so on) whatever the catalogue.

Values may also be artist means (a fraction of major-key songs for ``mode``);
the same thresholds then describe the artist's typical song.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "explain",
    "MAX_REASON_LENGTH",
    "BEST_KNOWN",
    "LESSER_KNOWN",
    "LIKED_HERE",
    "fans_of",
    "shared_genre",
]

MAX_REASON_LENGTH = 80


@dataclass(frozen=True)
class _Trait:
    """A level of one feature that is worth saying out loud when both songs have it."""

    feature: str
    high: bool  # the level is "value >= threshold" (else "value <= threshold")
    threshold: float
    word: str
    weight: float  # how much sharing it says: distinctive levels weigh more than the common ones

    def strength(self, value: float) -> float:
        """0 at the threshold, 1 at the extreme (0 or 1); negative when outside the level."""
        if self.high:
            return (value - self.threshold) / (1.0 - self.threshold)
        return (self.threshold - value) / self.threshold


# Low speechiness and low instrumentalness are left out: nearly every song has
# them, so "both sung" explains nothing. Traits weighing less than _TELLING are
# common enough that they only ever follow a telling one ("both danceable and
# major-key"), never lead a reason alone.
_TRAITS: tuple[_Trait, ...] = (
    _Trait("energy", True, 0.7, "high-energy", 1.0),
    _Trait("energy", False, 0.4, "mellow", 1.0),
    _Trait("acousticness", True, 0.6, "acoustic", 1.0),
    _Trait("acousticness", False, 0.05, "non-acoustic", 0.3),
    _Trait("danceability", True, 0.7, "danceable", 0.9),
    _Trait("danceability", False, 0.4, "free-flowing", 0.6),
    _Trait("valence", True, 0.7, "cheerful", 0.8),
    _Trait("valence", False, 0.3, "moody", 0.9),
    _Trait("mode", False, 0.3, "minor-key", 0.8),
    _Trait("mode", True, 0.7, "major-key", 0.3),
    _Trait("speechiness", True, 0.33, "rap-heavy", 1.0),
    _Trait("instrumentalness", True, 0.5, "instrumental", 1.0),
    _Trait("liveness", True, 0.8, "live-sounding", 0.7),
)
_TELLING = 0.5

# Said when no level is shared: the closest of these, in everyday words.
_ASPECTS: dict[str, str] = {
    "energy": "energy",
    "valence": "mood",
    "danceability": "groove",
    "acousticness": "acoustic feel",
}

# An aspect counts as similar when the two values lie within this of each other (features in 0..1).
_SIMILAR_GAP = 0.1

#: Reasons of the blended ranking (recommender.ranking.blend), each said only when it is true of the pick.
BEST_KNOWN = "one of K-pop's best-known acts"
LESSER_KNOWN = "a lesser-known act, for deep cuts"
LIKED_HERE = "liked by other people who asked me"

# Tempos count as the same when within this many BPM, or this fraction of the faster one.
_TEMPO_SLACK_BPM = 6.0
_TEMPO_SLACK_FRACTION = 0.05


def explain(query: Mapping[str, float], pick: Mapping[str, float]) -> str:
    """A short reason (at most MAX_REASON_LENGTH characters, never empty, plain text).

    ``query`` and ``pick`` map feature names to raw values; a missing or NaN
    feature is simply not talked about.
    """
    shared = _shared_traits(query, pick)
    if shared and shared[0].weight >= _TELLING:
        head = "both " + " and ".join(trait.word for trait in shared[:2])
    else:
        head = _closest_aspects(query, pick)
    tempo = _tempo_clause(_value(query, "tempo"), _value(pick, "tempo"))
    reason = f"{head}, {tempo}" if tempo else head
    # The head alone is short by construction (two words from a fixed table).
    return reason if len(reason) <= MAX_REASON_LENGTH else head


def _value(features: Mapping[str, float], name: str) -> float | None:
    value = features.get(name)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _shared_traits(query: Mapping[str, float], pick: Mapping[str, float]) -> list[_Trait]:
    """The levels both have, most telling first: weight, then how deep both are in the level."""
    scored = []
    for trait in _TRAITS:
        a, b = _value(query, trait.feature), _value(pick, trait.feature)
        if a is None or b is None:
            continue
        depth = min(trait.strength(a), trait.strength(b))
        if depth >= 0:
            scored.append((trait.weight * (1.0 + min(depth, 1.0)) / 2.0, trait))
    scored.sort(key=lambda item: -item[0])
    return [trait for _, trait in scored]


def _closest_aspects(query: Mapping[str, float], pick: Mapping[str, float]) -> str:
    gaps = []
    for feature, word in _ASPECTS.items():
        a, b = _value(query, feature), _value(pick, feature)
        if a is not None and b is not None:
            gaps.append((abs(a - b), word))
    if not gaps:
        return "similar overall sound"
    gaps.sort(key=lambda item: item[0])
    return "similar " + " and ".join(word for _, word in gaps[:2])


def _tempo_clause(query: float | None, pick: float | None) -> str | None:
    """ "tempo 118 vs 121 BPM" when the beats agree, including at half or double speed.

    Beat trackers often report a song at twice or half its felt tempo, so
    70 and 140 BPM are the same pulse and worth saying. A tempo of 0 means
    Spotify found no beat.
    """
    if query is None or pick is None or query <= 0 or pick <= 0:
        return None
    slow, fast = sorted((query, pick))
    slack = max(_TEMPO_SLACK_BPM, _TEMPO_SLACK_FRACTION * fast)
    if fast - slow <= slack:
        if round(query) == round(pick):
            return f"same tempo ({query:.0f} BPM)"
        return f"tempo {query:.0f} vs {pick:.0f} BPM"
    if abs(fast - 2 * slow) <= slack:
        return f"tempo {query:.0f} vs {pick:.0f} BPM (half/double time)"
    return None


def fans_of(artist: str) -> str:
    """ "popular with fans of The Weeknd": the two share people's playlists."""
    head = "popular with fans of "
    room = MAX_REASON_LENGTH - len(head)
    return head + (artist if len(artist) <= room else artist[: room - 1].rstrip() + "…")


def shared_genre(family: str, query: Mapping[str, float], pick: Mapping[str, float]) -> str:
    """ "both R&B, similar energy": a genre family both belong to, and the closest aspect of sound if it is close."""
    head = f"both {family}"
    gaps = []
    for feature, word in _ASPECTS.items():
        a, b = _value(query, feature), _value(pick, feature)
        if a is not None and b is not None and abs(a - b) <= _SIMILAR_GAP:
            gaps.append((abs(a - b), word))
    if not gaps:
        return head[:MAX_REASON_LENGTH]
    reason = f"{head}, similar {min(gaps)[1]}"
    return reason if len(reason) <= MAX_REASON_LENGTH else head[:MAX_REASON_LENGTH]
