"""Short plain-text labels (buttons, autocomplete choices, toasts) that people can still tell apart.

Platforms cap a button label or a choice name (Discord 80 and 100 characters; Telegram's apps cut
long button labels). A plain cut keeps the start, which is where long titles of one work in several
versions agree ("... Symphony No. 9 (Live at Wembley)" and "... (Live at Budokan)"): cut alike, the
choices would read the same. :func:`distinct` keeps, for those, the part where they differ.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from os.path import commonprefix

__all__ = ["ELLIPSIS", "clip", "distinct"]

ELLIPSIS = "\u2026"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def distinct(labels: Sequence[str], limit: int) -> list[str]:
    """Every label cut to ``limit`` characters, different labels staying different where a plain cut
    would make them equal: those show their start, "…", and the text from where they differ on."""
    shown = [clip(label, limit) for label in labels]
    alike: dict[str, list[int]] = defaultdict(list)
    for index, cut in enumerate(shown):
        alike[cut].append(index)
    for indexes in alike.values():
        originals = sorted({labels[index] for index in indexes})
        if len(originals) < 2:
            continue
        start = _difference_start(commonprefix(originals), limit)
        for index in indexes:
            shown[index] = _from(labels[index], start, limit)
    return shown


def _difference_start(shared: str, limit: int) -> int:
    """Where to resume showing labels that share the start ``shared``: the start of the word in which
    they part, unless that word is so long the difference would not show."""
    word_start = shared.rfind(" ") + 1
    return max(word_start, len(shared) - limit // 3)


def _from(label: str, start: int, limit: int) -> str:
    """``label`` with the text before ``start`` shortened to a head and "…", within ``limit``.

    The head keeps at least a quarter of the room, so the label still reads as itself; the text from
    ``start`` is cut at its end if it must be (the difference lies within its first third).
    """
    rest = label[start:]
    head_room = max(limit - len(rest) - len(ELLIPSIS), limit // 4)
    return label[:head_room].rstrip() + ELLIPSIS + clip(rest, limit - head_room - len(ELLIPSIS))
