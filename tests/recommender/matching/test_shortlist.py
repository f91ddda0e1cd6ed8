"""The trigram shortlist that keeps fuzzy scoring off most of the catalogue."""

import pytest

import recommender.matching.shortlist as shortlist
from recommender.matching.shortlist import TrigramShortlist

DOCS = ["blinding lights", "blinded by the light", "lights", "shape of you", "love story"]


def test_top_ranks_documents_by_shared_trigrams() -> None:
    index = TrigramShortlist(DOCS)
    assert index.top("blinding lites", 5)[0] == 0
    assert set(index.top("blinding lites", 5).tolist()) == {0, 1, 2}  # only documents sharing a trigram
    assert index.top("the shape of u", 1).tolist() == [3]  # word order and extra words do not hide it


def test_top_handles_unknown_empty_and_zero() -> None:
    index = TrigramShortlist(DOCS)
    assert index.top("zzzzqqq", 5).size == 0
    assert index.top("", 5).size == 0
    assert index.top("lights", 0).size == 0
    assert TrigramShortlist([]).top("lights", 5).size == 0


def test_commonest_trigrams_are_dropped_past_the_postings_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [f"love {i:04d}" for i in range(50)] + ["lovesick girls"]
    index = TrigramShortlist(docs)
    monkeypatch.setattr(shortlist, "MAX_POSTINGS", 10)
    # " lo", "lov", "ove", "ve " are in every document; "sic", "ick", "gir"... only in the last.
    assert index.top("lovesick girls", 3)[0] == 50
    # "ve " is the rarest trigram of "love" (not in "lovesick") and alone passes the
    # budget: it is kept all the same, so a query never goes without candidates.
    assert sorted(index.top("love", 100).tolist()) == list(range(50))
