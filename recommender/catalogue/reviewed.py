"""The small hand-reviewed tables in ``recommender/data/`` (see its README).

They hold facts no input file states reliably: display names for the seed
file's artist slugs, Korean acts too recent for the downloadable sources,
Hangul spellings of the best-known acts, and non-Korean artists that K-pop
collections pull in as collaborators. Kept as CSV so a reviewer can read a
change to them line by line.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import NamedTuple

__all__ = ["KoreanAct", "seed_artist_names", "korean_acts", "non_korean_acts", "genre_bridge_rows"]


class KoreanAct(NamedTuple):
    name: str
    aliases: tuple[str, ...]  # Hangul and other spellings people type


def _rows(file_name: str) -> list[dict[str, str]]:
    text = resources.files("recommender").joinpath("data", file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def seed_artist_names() -> dict[str, str]:
    """Seed-file artist slug (``theweekend``) -> display name (``The Weeknd``)."""
    return {row["slug"]: row["name"] for row in _rows("seed_artists.csv")}


@cache
def korean_acts() -> tuple[KoreanAct, ...]:
    """Reviewed Korean acts: the recent-acts list and the Hangul alias table, merged by name."""
    aliases: dict[str, list[str]] = {}
    for row in _rows("recent_korean_acts.csv"):
        aliases.setdefault(row["name"], []).extend(filter(None, [row["hangul"]]))
    for row in _rows("hangul_aliases.csv"):
        aliases.setdefault(row["name"], []).append(row["alias"])
    return tuple(KoreanAct(name, tuple(names)) for name, names in aliases.items())


@cache
def non_korean_acts() -> tuple[str, ...]:
    """Artists that K-pop collections list although they are not Korean acts."""
    return tuple(row["name"] for row in _rows("non_korean_acts.csv"))


@cache
def genre_bridge_rows() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(side, genre, families) rows of the genre bridge (see :mod:`recommender.ranking.signals.genre`)."""
    return tuple(
        (row["side"], row["genre"], tuple(f.strip() for f in row["families"].split(";") if f.strip()))
        for row in _rows("genre_bridge.csv")
    )
