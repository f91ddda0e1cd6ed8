"""Matching: right, wrong and "did you mean" on the labelled queries, and speed, against brute-force rapidfuzz.

Run: ``python -m benchmarks bench_matching``. The catalogue is the labelled one
(``tests/data/matching/``: real names typed by hand) padded with made-up titles
to 100,000 songs (:func:`recommender.catalogue.synthetic.made_up_catalogue`), so every
labelled query meets the near-misses of a large catalogue. Two query sets run on it:

- the **labelled queries** (typos, spacing, missing or extra words, artist or song,
  title and artist in either order, Hangul and romanised names, edition suffixes,
  featured artists, links, junk, songs newer than the catalogue), judged right,
  confidently wrong, "did you mean" or nothing (:func:`recommender.matching.labelled.judge`);
- a **made-up mix** on the filler (exact titles, one-edit typos, artist names,
  typo'd "title - artist", junk), for speed and for typos of titles made of made-up words.

The baseline is ``rapidfuzz.process.extractOne`` with the matcher's scorer over every
title and artist name, normalised once up front with
:func:`recommender.matching.text_similarity.fuzzy_key` (so the ratio measures the
matcher's design, not a processor handicap); it answers when its best score
reaches the matcher's confident bar. Targets: >= 97% right and <= 0.5% confidently
wrong on the labelled queries, p99 <= 2 ms, and >= 10x faster than the baseline
at p50 and p99. Nothing here comes from the shared data; seeds are fixed.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.normalize import title_key
from recommender.catalogue.synthetic import made_up_catalogue, made_up_queries
from recommender.matching.labelled import Tally, judge, read_catalogue, read_queries
from recommender.matching.matcher import CONFIDENT_SCORE, Item, Match, Matcher
from recommender.matching.text_similarity import fuzzy_key

T = TypeVar("T")
LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "matching"
N_SONGS = 100_000
N_ARTISTS = 12_000
N_QUERIES = 400
REPEATS = 3
SEED = 20240607
VERDICTS = ("right", "wrong", "did_you_mean", "nothing")


def _timed(fn: Callable[[str], T], queries: list[str]) -> tuple[np.ndarray, list[T]]:
    """Per-call latency in milliseconds (best of :data:`REPEATS`), and the results.

    Keeping each call's fastest run removes pauses caused by other processes on
    a shared machine, so the percentiles describe the code, not the scheduler.
    """
    times, results = [], []
    for q in queries:
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            result = fn(q)
            best = min(best, time.perf_counter() - start)
        results.append(result)
        times.append(best * 1000)
    return np.array(times), results


def _percentiles(name: str, ms: np.ndarray) -> dict[str, float]:
    return {f"{name}_p50_ms": float(np.percentile(ms, 50)), f"{name}_p99_ms": float(np.percentile(ms, 99))}


class BruteForce:
    """``extractOne`` over every title and artist name; answers at the matcher's confident bar."""

    def __init__(self, catalogue: Catalogue, matcher: Matcher) -> None:
        songs, artists = catalogue.songs, catalogue.artists
        self._keys = [fuzzy_key(t) for t in songs["title"]] + [fuzzy_key(n) for n in artists["name"]]
        self._n_songs = len(songs)
        self._matcher = matcher

    def __call__(self, query: str) -> tuple[str, float, int] | None:
        return process.extractOne(fuzzy_key(query), self._keys, scorer=fuzz.ratio, processor=None)

    def as_match(self, hit: tuple[str, float, int] | None) -> Match:
        if hit is None or hit[1] < CONFIDENT_SCORE:
            return Match(None, 0.0 if hit is None else hit[1], False, ())
        index = hit[2]
        item: Item = (self._matcher.item("song", index) if index < self._n_songs
                      else self._matcher.item("artist", index - self._n_songs))
        return Match(item, hit[1], False, ())


def run() -> dict[str, float]:
    """Build, fit, query; return the figures (times in ms, memory in MiB, shares 0-1)."""
    labelled = read_queries(LABELLED / "queries.csv")
    filler = made_up_catalogue(N_SONGS, N_ARTISTS, SEED)
    catalogue = read_catalogue(LABELLED / "catalogue.csv", LABELLED / "artists.csv", filler)
    mix = made_up_queries(filler, N_QUERIES, SEED + 1)
    n_labelled_songs = len(catalogue.songs) - len(filler.songs)
    texts = [w.query for w in labelled] + [q for _, q, _ in mix]

    gc.collect()
    start = time.perf_counter()
    matcher = Matcher.fit(catalogue)
    fit_seconds = time.perf_counter() - start
    del matcher
    gc.collect()
    tracemalloc.start()  # a second fit, traced: tracing slows it, so it is not the one timed
    before = tracemalloc.get_traced_memory()[0]
    matcher = Matcher.fit(catalogue)
    index_mib = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()

    for q in texts[:20]:  # warm caches and lazy imports before timing
        matcher.match(q)
    match_ms, matches = _timed(matcher.match, texts)
    brute = BruteForce(catalogue, matcher)
    baseline_ms, hits = _timed(brute, texts)
    prefixes = [title_key(q)[: random.Random(i).randint(0, 6)] for i, q in enumerate(texts)]
    complete_ms, _ = _timed(matcher.complete, prefixes)

    ours = Tally.of(labelled, [judge(m, w) for m, w in zip(matches, labelled)])
    theirs = Tally.of(labelled, [judge(brute.as_match(h), w) for h, w in zip(hits, labelled)])
    typo = [i for i, (kind, _, _) in enumerate(mix) if kind == "typo"]
    junk = [i for i, (kind, _, _) in enumerate(mix) if kind == "junk"]
    offset = len(labelled)
    answered = [(i, title_key(item.title)) for i in typo if (item := matches[offset + i].item) is not None]
    guessed = [(i, title_key(str(catalogue.songs.at[h[2], "title"]))) for i in typo
               if (h := hits[offset + i]) and h[1] >= CONFIDENT_SCORE and h[2] >= n_labelled_songs]
    figures = {
        "songs": float(len(catalogue.songs)),
        "labelled_queries": float(len(labelled)),
        "made_up_queries": float(len(mix)),
        "fit_s": fit_seconds,
        "index_mib": index_mib,
        "index_arrays_mib": matcher.nbytes / 2**20,
        **_percentiles("match", match_ms),
        **_percentiles("baseline", baseline_ms),
        "speedup_p50": float(np.percentile(baseline_ms, 50) / np.percentile(match_ms, 50)),
        "speedup_p99": float(np.percentile(baseline_ms, 99) / np.percentile(match_ms, 99)),
        **_percentiles("complete", complete_ms),
        **{f"labelled_{v}": ours.rate(v) for v in VERDICTS},
        **{f"labelled_baseline_{v}": theirs.rate(v) for v in VERDICTS},
        "made_up_typo_right": sum(key == mix[i][2] for i, key in answered) / len(typo),
        "made_up_typo_wrong": sum(key != mix[i][2] for i, key in answered) / len(typo),
        "made_up_typo_baseline_right": sum(key == mix[i][2] for i, key in guessed) / len(typo),
        "made_up_typo_baseline_wrong": sum(key != mix[i][2] for i, key in guessed) / len(typo),
        "made_up_junk_answered": sum(matches[offset + i].item is not None for i in junk) / len(junk),
    }
    figures.update({f"class_{group}_right": counts["right"] / sum(counts.values())
                    for group, counts in sorted(ours.by_group.items())})
    return figures


def main() -> None:
    figures = run()
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}")
    verdict = {True: "met", False: "MISSED"}
    goals = {
        "labelled right >= 97%": figures["labelled_right"] >= 0.97,
        "labelled confidently wrong <= 0.5%": figures["labelled_wrong"] <= 0.005,
        "p99 <= 2 ms": figures["match_p99_ms"] <= 2.0,
        ">= 10x baseline at p50": figures["speedup_p50"] >= 10.0,
        ">= 10x baseline at p99": figures["speedup_p99"] >= 10.0,
    }
    print("; ".join(f"goal {name}: {verdict[ok]}" for name, ok in goals.items()))

