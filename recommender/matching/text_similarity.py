"""How alike a query and a title or name are: the one scorer the matcher (and its benchmark) use.

Both sides are normalised once with :mod:`recommender.catalogue.normalize`, decomposed
(:func:`decomposed`), and handed to rapidfuzz with ``processor=None`` on purpose:
rapidfuzz 3 does not preprocess by default, and normalising here keeps catalogue
and query strings identical.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import numpy as np
from rapidfuzz import fuzz, process

from recommender.catalogue.normalize import title_key

__all__ = ["MAX_QUERY_CHARS", "MIN_FUZZY_CHARS", "query_key", "decomposed", "fuzzy_key", "score"]

#: Queries are cut to this many characters: it bounds the work, and no title is longer.
MAX_QUERY_CHARS = 200
#: Shorter queries (in NFD characters) are too short for fuzzy evidence: one typo in
#: a short word usually spells another real title ("jplay" ~ "Play").
MIN_FUZZY_CHARS = 6


#: ``partial_ratio`` at which a containment is checked for word boundaries; below it, weighted by a
#: matcher's loose weight, it can neither be suggested nor crowd a confident answer.
WHOLE_WORDS_CHECKED = 90.0


def query_key(text: str) -> str:
    """The title key of a query, cut to :data:`MAX_QUERY_CHARS` before and after normalising."""
    return title_key(text[: 2 * MAX_QUERY_CHARS])[:MAX_QUERY_CHARS]


def decomposed(key: str) -> str:
    """NFD: Hangul syllables split into jamo, accents split from their letters.

    One mistyped jamo then costs a third of a syllable rather than a whole one,
    "beyonce" is one mark away from "beyoncé", and a half-typed syllable
    ("방ㅌ") is a prefix of the word being typed ("방탄").
    """
    return unicodedata.normalize("NFD", key)


def fuzzy_key(text: str) -> str:
    """The string :func:`score` compares for ``text``, query or catalogue title alike."""
    return decomposed(query_key(text))


def score(query: str, choices: list[str], *, loose: float = 0.0) -> np.ndarray:
    """0-100 similarity of a :func:`fuzzy_key` to each pre-normalised choice.

    The score is rapidfuzz's plain ``ratio``. WRatio and the token-set ratios were
    tried on a real catalogue and rejected: they give a short choice found inside
    a longer query ("ox" in "esfnvjwox") 90 or 100, which turned junk into
    confident matches. Word order between a title and its artist is left to the
    caller, which scores both orders.

    A ``loose`` weight above 0 also credits, at that weight, two looser readings:
    one string found inside the other from the start of a word (``partial_ratio``:
    "blinding" or "blindin" in "blinding lights", "hangover" in "hangover please",
    not "press" in "espresso") and the same words in
    another order (``token_sort_ratio``). Both need the query and the choice to
    have at least :data:`MIN_FUZZY_CHARS` characters. The caller picks a weight
    that keeps them below its answering threshold: part of a title is often part
    of several, and sorted words make unrelated short titles look alike
    ("cuerpo en" ~ "en cero"), so they are good for suggestions only.
    """
    if not choices:
        return np.empty(0, dtype=np.float64)
    scores = _cdist(query, choices, fuzz.ratio)
    if loose > 0 and len(query) >= MIN_FUZZY_CHARS:
        long_enough = np.fromiter(map(len, choices), dtype=np.int64, count=len(choices)) >= MIN_FUZZY_CHARS
        inside = _cdist(query, choices, fuzz.partial_ratio)
        # Only a near-whole containment can lift a loose reading to a suggestion or a runner-up: check those few.
        for i in np.flatnonzero((inside >= WHOLE_WORDS_CHECKED) & (inside > scores)).tolist():
            if not _starts_a_word_inside(query, choices[i]):
                inside[i] = 0.0  # "press" inside "espresso" is not part of that title
        reordered = _cdist(query, choices, fuzz.token_sort_ratio)
        scores = np.maximum(scores, np.where(long_enough, loose * np.maximum(inside, reordered), 0.0))
    return scores


def _starts_a_word_inside(query: str, choice: str) -> bool:
    """True when the shorter string's best place in the longer one starts at a word (a half-typed last word is fine)."""
    found = fuzz.partial_ratio_alignment(query, choice, processor=None)
    if len(query) >= len(choice):
        longer, start, end = query, found.src_start, found.src_end
    else:
        longer, start, end = choice, found.dest_start, found.dest_end
    return start == 0 or longer[start - 1] == " "


def _cdist(query: str, choices: list[str], scorer: Callable[..., float]) -> np.ndarray:
    return process.cdist([query], choices, scorer=scorer, processor=None, dtype=np.float64)[0]
