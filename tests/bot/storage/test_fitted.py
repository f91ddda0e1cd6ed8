"""Saving a fitted object with its large arrays beside it, and loading it memory-mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.storage import fitted
from recommender.matching.matcher import Matcher
from recommender.catalogue.synthetic import make_catalogue


class Holder:
    def __init__(self) -> None:
        self.big = np.arange(100_000, dtype=np.int64)
        self.small = np.array([1.5, 2.5])
        self.names = ["a", "b"]
        self.nested = {"inner": np.ones((300, 300), dtype=np.float32)}


def test_round_trip_memory_maps_large_arrays_and_keeps_the_rest(tmp_path: Path) -> None:
    fitted.save(Holder(), tmp_path / "fit")
    loaded = fitted.load(tmp_path / "fit")
    assert isinstance(loaded, Holder) and loaded.names == ["a", "b"]
    assert isinstance(loaded.big, np.memmap) and np.array_equal(loaded.big, np.arange(100_000))
    assert not isinstance(loaded.small, np.memmap) and loaded.small.tolist() == [1.5, 2.5]
    assert isinstance(loaded.nested["inner"], np.memmap)
    loaded.big[0] = 7  # copy-on-write: writable in memory, the file stays as saved
    assert fitted.load(tmp_path / "fit").big[0] == 0
    assert sorted(p.name for p in (tmp_path / "fit").iterdir()) == ["array-0.npy", "array-1.npy", "objects.pickle"]


def test_saving_again_replaces_the_folder_whole(tmp_path: Path) -> None:
    fitted.save(Holder(), tmp_path / "fit")
    fitted.save({"only": 1}, tmp_path / "fit")
    assert fitted.load(tmp_path / "fit") == {"only": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["fit"]
    with pytest.raises(FileNotFoundError):
        fitted.load(tmp_path / "missing")


def test_a_loaded_matcher_answers_as_the_fitted_one(tmp_path: Path) -> None:
    catalogue = make_catalogue([(f"Song {i}", f"Artist {i % 50}", False, float(i % 100)) for i in range(5000)]
                               + [("Blinding Lights", "The Weeknd", False, 95.0)])
    matcher = Matcher.fit(catalogue)
    fitted.save(matcher, tmp_path / "matcher")
    loaded = fitted.load(tmp_path / "matcher")
    for query in ("blinding lites", "the weeknd", "song 4999", "artist 7", "zzqx"):
        assert loaded.match(query) == matcher.match(query)
    assert loaded.complete("blin") == matcher.complete("blin")


def test_the_code_version_is_a_stable_digest() -> None:
    assert fitted.code_version() == fitted.code_version() and len(fitted.code_version()) == 16
