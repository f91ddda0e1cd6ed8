"""Spotify track ids in the shapes people and files carry them.

Files store a track as a bare id (``0yFq4GHDqLfeceyAs63B3W``), a URI
(``spotify:track:...``) or a link (``https://open.spotify.com/track/...?si=...``).
The catalogue keeps only the 22-character base-62 id, so that one recording
seen in several files merges on one key whatever shape each file used.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["track_id", "track_ids"]

_TRACK = re.compile(
    r"^\s*(?:spotify:track:|https?://open\.spotify\.com/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?(?:embed/)?track/)?"
    r"([0-9A-Za-z]{22})(?:[?#]\S*)?\s*$"
)


def track_id(text: str) -> str | None:
    """The 22-character id in ``text``, or None when it holds no valid track id."""
    match = _TRACK.match(text)
    return match.group(1) if match else None


def track_ids(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`track_id` over strings.

    Returns ``(ids, invalid)``: ``ids`` holds the id or None; ``invalid`` is True
    where the text was not empty yet held no valid id, which callers report
    rather than silently keep the row without an id.
    """
    text = values.fillna("").astype(str)
    ids = text.str.extract(_TRACK, expand=False)
    invalid = ids.isna() & text.str.strip().ne("")
    return ids.astype(object).where(ids.notna(), None), invalid
