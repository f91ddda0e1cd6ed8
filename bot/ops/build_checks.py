"""Checks a new build must pass before it replaces the active one.

A catalogue file with every row sharing one track id, or with NaN and infinities scattered over its
columns, imports "successfully" into a handful of songs and no Korean ones; made active, it would
leave the bot with nothing to recommend. Such a build is refused unless ``--force`` says it is meant.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["BuildRefused", "SHRINK_LIMIT", "refusal"]

#: A new build under this share of the active build's songs is refused: a partial download, a wrong
#: file or a folder that lost most of its files look like this; a real catalogue update rarely does.
SHRINK_LIMIT = 0.5


class BuildRefused(Exception):
    """The new build was not made active; the message says why and how to override."""


def refusal(counts: Mapping[str, int], active: Mapping[str, int] | None) -> str | None:
    """Why a build with these counts must not replace the ``active`` build's (None: it may)."""
    if not counts.get("korean_songs") or not counts.get("korean_artists"):
        return (
            f"the new build has {counts.get('korean_songs', 0):,} Korean songs and "
            f"{counts.get('korean_artists', 0):,} Korean artists, so the bot could recommend nothing"
        )
    if active and counts.get("songs", 0) < SHRINK_LIMIT * active.get("songs", 0):
        return (
            f"the new build has {counts.get('songs', 0):,} songs, under {SHRINK_LIMIT:.0%} of the active "
            f"build's {active['songs']:,}"
        )
    return None
