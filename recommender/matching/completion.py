"""Autocomplete: names that start with what has been typed so far, most popular first.

Chat platforms ask for completions on every keystroke, so a lookup must cost a
binary search, not a scan. Every key is indexed at the start of each of its
words, which lets "lig" find "Blinding Lights" as well as "Lights" while keeping
a single sorted list. Whole-name prefixes rank above word prefixes; popularity
orders each group.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

__all__ = ["PrefixIndex"]

# Sorts after every character a key can hold, so ``prefix + _AFTER_ALL`` bounds
# the block of suffixes that start with ``prefix``.
_AFTER_ALL = "\U0010ffff"
# A whole-name prefix outranks any word prefix, whatever the popularity (0-100).
_WHOLE_NAME_BONUS = 1000.0


class PrefixIndex:
    """Sorted word-start suffixes of keys, each pointing at an entry with a popularity."""

    def __init__(self, keys: Sequence[str], entries: Sequence[int], popularity: np.ndarray) -> None:
        """Index ``keys[i]`` (already normalised) as a name of entry ``entries[i]``.

        ``popularity`` is indexed by entry; an entry may have several keys (aliases).
        """
        self._keys = list(keys)
        key_ids: list[int] = []
        offsets: list[int] = []
        for key_id, key in enumerate(self._keys):
            for offset in [0, *(i + 1 for i, ch in enumerate(key) if ch == " ")]:
                key_ids.append(key_id)
                offsets.append(offset)
        order = sorted(range(len(key_ids)), key=lambda i: self._keys[key_ids[i]][offsets[i] :])
        self._key_id = np.asarray(key_ids, dtype=np.int32)[order]
        self._offset = np.asarray(offsets, dtype=np.int32)[order]
        entry_of_key = np.asarray(entries, dtype=np.int32)
        self._entry = entry_of_key[self._key_id] if len(order) else np.empty(0, dtype=np.int32)
        self._rank = popularity[self._entry] + np.where(self._offset == 0, _WHOLE_NAME_BONUS, 0.0)
        self._by_popularity = np.argsort(-popularity, kind="stable").astype(np.int32)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays (the key strings belong to the caller)."""
        arrays = (self._key_id, self._offset, self._entry, self._rank, self._by_popularity)
        return sum(a.nbytes for a in arrays)

    def _suffix(self, position: int) -> str:
        return self._keys[self._key_id[position]][self._offset[position] :]

    def complete(self, prefix: str, limit: int) -> list[int]:
        """Up to ``limit`` distinct entries whose key, or a word in it, starts with ``prefix``.

        An empty prefix returns the most popular entries.
        """
        if limit <= 0:
            return []
        if not prefix:
            return self._by_popularity[:limit].tolist()
        positions = range(len(self._key_id))
        lo = bisect.bisect_left(positions, prefix, key=self._suffix)
        hi = bisect.bisect_left(positions, prefix + _AFTER_ALL, lo=lo, key=self._suffix)
        ranks = self._rank[lo:hi]
        # An entry can sit at several positions (aliases, repeated words), so take a
        # few times ``limit`` of the best positions and widen only if duplicates eat them.
        take = min(len(ranks), 4 * limit)
        while True:
            best = np.argpartition(-ranks, take - 1)[:take] if take < len(ranks) else np.arange(len(ranks))
            best = best[np.argsort(-ranks[best], kind="stable")]
            found = list(dict.fromkeys(self._entry[lo + best].tolist()))[:limit]
            if len(found) == limit or take == len(ranks):
                return found
            take = min(len(ranks), 4 * take)
