"""A candidate shortlist: the few documents that share the most character trigrams with a query.

Fuzzy scorers are accurate but cost time per comparison; running one over every
title on every query does not scale past a few thousand titles. This index
answers "which ~100 documents could this text possibly be?" from a TF-IDF
weighted trigram matrix built once, so the exact scorer only ever sees those.

Trigrams are taken within words (``char_wb``), which makes the shortlist
indifferent to word order ("the weeknd blinding lights") and tolerant of typos:
one wrong letter spoils at most three of a word's trigrams.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
__all__ = ["TrigramShortlist", "trigrams"]

#: Most postings (document entries) one query may sum. The query's trigrams are
#: taken rarest first until the next would pass this; the ones left out are the
#: most common ("the", " lo"), which cost the most and, having the lowest IDF,
#: change the ranking the least. Short queries never reach it: their common
#: trigrams are all they have, and they are kept.
MAX_POSTINGS = 30_000


def trigrams(text: str) -> list[str]:
    """The character trigrams of each word padded with a space on both sides (scikit-learn's ``char_wb``).

    ``"lights x"`` -> ``[" li", "lig", "igh", "ght", "hts", "ts ", " x "]``. A
    module function, not the vectorizer's analyzer, so a saved index needs no
    scikit-learn to load.
    """
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


class TrigramShortlist:
    """Top-k documents by the sum of TF-IDF weights of the trigrams they share with a query.

    This is the cosine similarity between the query's and each document's TF-IDF
    vectors, up to the query's own norm (which does not change the order) and
    without the query's commonest trigrams when they would pass
    :data:`MAX_POSTINGS`. It is computed by adding the query's columns of a CSC
    matrix: the work is those columns, at most ``MAX_POSTINGS`` entries, plus two
    cheap passes over one number per document.
    """

    def __init__(self, documents: Sequence[str]) -> None:
        """Index ``documents``, which must already be normalised: nothing is lower-cased here.

        Every non-empty document has a trigram (words are padded with spaces), so
        only a catalogue with no text at all makes an empty index.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer  # fitting only: a loaded index needs none

        vectorizer = TfidfVectorizer(analyzer=trigrams, dtype=np.float32)
        self._n_documents = len(documents)
        self._columns: dict[str, int] = {}
        self._indptr = np.zeros(1, dtype=np.int32)
        self._rows = np.empty(0, dtype=np.int32)
        self._weights = np.empty(0, dtype=np.float32)
        if any(documents):
            matrix = vectorizer.fit_transform(documents).tocsc()
            self._columns = vectorizer.vocabulary_
            self._indptr, self._rows = matrix.indptr, matrix.indices
            # Each entry times its column's IDF, which is what the query's TF-IDF
            # vector holds there: a query then only adds up columns.
            column_of_entry = np.repeat(np.arange(len(vectorizer.idf_)), np.diff(matrix.indptr))
            self._weights = matrix.data * vectorizer.idf_.astype(np.float32)[column_of_entry]

    @property
    def nbytes(self) -> int:
        """Bytes held by the sparse matrix (the vocabulary dict is not counted)."""
        return self._indptr.nbytes + self._rows.nbytes + self._weights.nbytes

    def top(self, text: str, k: int) -> np.ndarray:
        """Indices of at most ``k`` documents sharing a trigram with ``text``, best first."""
        counts = Counter(trigrams(text))
        found = [(self._columns[gram], n) for gram, n in counts.items() if gram in self._columns]
        if not found or k <= 0:
            return np.empty(0, dtype=np.intp)
        columns, postings = [], 0
        for column, n in sorted(found, key=lambda cn: self._indptr[cn[0] + 1] - self._indptr[cn[0]]):
            postings += self._indptr[column + 1] - self._indptr[column]
            if columns and postings > MAX_POSTINGS:
                break
            columns.append((column, n))
        spans = [(self._indptr[c], self._indptr[c + 1]) for c, _ in columns]
        rows = np.concatenate([self._rows[start:end] for start, end in spans])
        weights = np.concatenate([self._weights[start:end] for start, end in spans])
        if any(n > 1 for _, n in columns):  # a trigram the query repeats counts as often
            weights *= np.repeat([n for _, n in columns], [end - start for start, end in spans])
        scores = np.bincount(rows, weights=weights, minlength=self._n_documents)
        hit = np.flatnonzero(scores > 0)  # much faster than flatnonzero on floats
        if len(hit) > k:
            hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        return hit[np.argsort(-scores[hit], kind="stable")]
