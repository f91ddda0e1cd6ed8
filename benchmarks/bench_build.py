"""Neighbour-table build time and memory, against the original per-pair Python loop.

Run: ``python -m benchmarks bench_build``. Three parts:

1. Seed-sized catalogue (3,950 western x 1,445 Korean songs, the size of the
   original project's data): song-table build against a naive loop that, like
   the original project, computes every western-to-Korean distance in Python.
   The loop is timed on a sample of rows and extrapolated linearly to every row
   the table covers; the sampled rows are checked to agree with the table, so
   both sides do the same job. Goal: well under a second.
2. The search method: brute force against kd- and ball trees, on the seed-sized
   catalogue and on a sample of the large one (extrapolated).
3. 1,000,000 western x 20,000 Korean songs, song table with k=10, built from
   float32 arrays with :func:`recommender.ranking.neighbours.knn_table` (a pandas
   catalogue of that size is not needed to measure the search). It runs in a
   fresh child process so its memory figures are its own. Goal: under 60 s and
   2 GB on 2 cores.

Features are synthetic with Spotify-like marginals (fixed seed, no real data,
:func:`recommender.catalogue.synthetic.spotify_like_features`), with the Korean
side louder and more energetic on average, as K-pop is. Wall
times depend on whatever else runs on the machine, so CPU time and the load
average are printed too.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from recommender.catalogue.features import scale_features
from recommender.catalogue.synthetic import sided_catalogue, spotify_like_features
from recommender.ranking.neighbours import build_tables, knn_table

SEED = 20240607
SEED_WESTERN, SEED_KOREAN = 3_950, 1_445
BIG_WESTERN, BIG_KOREAN = 1_000_000, 20_000
SONGS_PER_ARTIST = 10
K_SEED, K_BIG = 50, 10
NAIVE_SAMPLE_ROWS = 60
TREE_SAMPLE_ROWS = 20_000
REPEATS = 3


def naive_neighbours(queries: list[list[float]], korean: list[list[float]], k: int) -> list[list[tuple[float, int]]]:
    """The original project's way: every pair's distance in a Python loop, then a sort."""
    rows = []
    for query in queries:
        distances = []
        for j, candidate in enumerate(korean):
            distances.append((math.sqrt(sum((a - b) ** 2 for a, b in zip(query, candidate, strict=True))), j))
        distances.sort()
        rows.append(distances[:k])
    return rows


def best_of(repeats: int, work: Callable[[], object]) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def seed_sized() -> dict[str, float]:
    catalogue = sided_catalogue(SEED_WESTERN, SEED_KOREAN, SEED, songs_per_artist=SONGS_PER_ARTIST)
    scaled = scale_features(catalogue, "global")
    korean = catalogue.korean_mask
    korean_ids = np.flatnonzero(korean)
    position = np.full(len(scaled), -1)
    position[korean_ids] = np.arange(len(korean_ids))

    song_table = best_of(REPEATS, lambda: knn_table(scaled, scaled[korean_ids], K_SEED, position))
    whole_build = best_of(REPEATS, lambda: build_tables(catalogue, "global", K_SEED, K_SEED))

    sample = np.flatnonzero(~korean)[:NAIVE_SAMPLE_ROWS]
    queries, candidates = scaled[sample].tolist(), scaled[korean_ids].tolist()
    start = time.perf_counter()
    naive = naive_neighbours(queries, candidates, K_SEED)
    naive_sample = time.perf_counter() - start
    naive_all = naive_sample * len(scaled) / len(sample)

    table = knn_table(scaled[sample], scaled[korean_ids], K_SEED)
    naive_distances = np.array([[distance for distance, _ in row] for row in naive])
    if not np.allclose(naive_distances, table.distances, atol=1e-4):
        raise AssertionError("the naive loop and the table disagree: the comparison would be meaningless")
    return {
        "seed_song_table_s": song_table,
        "seed_build_tables_s": whole_build,
        "seed_naive_sample_s": naive_sample,
        "seed_naive_extrapolated_s": naive_all,
        "seed_speedup": naive_all / song_table,
    }


def search_methods() -> dict[str, float]:
    """Brute force against trees: whole seed-sized search, and a sample of the big one."""
    figures = {}
    seed = sided_catalogue(SEED_WESTERN, SEED_KOREAN, SEED, songs_per_artist=SONGS_PER_ARTIST)
    scaled = scale_features(seed, "global")
    korean = scaled[seed.korean_mask]
    rng = np.random.default_rng(SEED)
    big_korean = StandardScaler().fit_transform(spotify_like_features(BIG_KOREAN, rng, True))
    big_sample = StandardScaler().fit_transform(spotify_like_features(TREE_SAMPLE_ROWS, rng, False))
    scale_up = (BIG_WESTERN + BIG_KOREAN) / TREE_SAMPLE_ROWS
    for algorithm in ("brute", "kd_tree", "ball_tree"):
        figures[f"method_seed_{algorithm}_s"] = best_of(
            REPEATS, lambda a=algorithm: _search(a, korean, scaled, K_SEED + 1)
        )
        figures[f"method_million_{algorithm}_extrapolated_s"] = scale_up * best_of(
            1, lambda a=algorithm: _search(a, big_korean, big_sample, K_BIG + 1)
        )
    return figures


def _search(algorithm: str, korean: np.ndarray, queries: np.ndarray, k: int) -> None:
    NearestNeighbors(n_neighbors=k, algorithm=algorithm).fit(korean).kneighbors(queries)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def million() -> dict[str, float]:
    """The large build; meant to run in a fresh process (see :func:`run`)."""
    rng = np.random.default_rng(SEED)
    features = np.vstack([spotify_like_features(BIG_WESTERN, rng, False), spotify_like_features(BIG_KOREAN, rng, True)])
    start = time.perf_counter()
    scaled = StandardScaler().fit_transform(features)
    scale_s = time.perf_counter() - start
    del features
    korean = scaled[BIG_WESTERN:]
    position = np.full(len(scaled), -1)
    position[BIG_WESTERN:] = np.arange(BIG_KOREAN)

    rss_before = _max_rss_mb()
    tracemalloc.start()
    cpu_before, start = os.times(), time.perf_counter()
    table = knn_table(scaled, korean, K_BIG, position)
    wall = time.perf_counter() - start
    cpu_after = os.times()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if table.neighbours.shape != (len(scaled), K_BIG) or (table.neighbours < 0).any():
        raise AssertionError("the large table is incomplete")
    return {
        "million_scale_s": scale_s,
        "million_song_table_s": wall,
        "million_song_table_cpu_s": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
        "million_tracemalloc_peak_mb": traced_peak / 2**20,
        "million_rss_growth_mb": _max_rss_mb() - rss_before,
        "million_rss_peak_mb": _max_rss_mb(),
    }


def run() -> dict[str, float]:
    figures = {"load_average_1min_at_start": os.getloadavg()[0], "cpu_count": float(os.cpu_count() or 0)}
    figures |= seed_sized()
    figures |= search_methods()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        figures |= pool.apply(million)
    figures["load_average_1min_at_end"] = os.getloadavg()[0]
    return figures


def main() -> None:
    f = run()
    print(
        f"machine: {f['cpu_count']:.0f} CPUs, load average {f['load_average_1min_at_start']:.1f} at start, "
        f"{f['load_average_1min_at_end']:.1f} at end (other work on the machine inflates wall times)"
    )
    print(
        f"\n1. seed-sized catalogue, {SEED_WESTERN:,} western x {SEED_KOREAN:,} Korean songs, k={K_SEED} "
        f"(best of {REPEATS})"
    )
    print(f"   song table (knn_table):                 {f['seed_song_table_s'] * 1000:8.1f} ms")
    print(f"   build_tables (scaling, songs, artists): {f['seed_build_tables_s'] * 1000:8.1f} ms")
    print(
        f"   naive per-pair Python loop:             {f['seed_naive_extrapolated_s']:8.1f} s  (timed on "
        f"{NAIVE_SAMPLE_ROWS} western rows, {f['seed_naive_sample_s']:.2f} s, extrapolated linearly to all "
        f"{SEED_WESTERN + SEED_KOREAN:,} rows; sampled rows checked equal to the table)"
    )
    print(f"   speed-up of the song table over the loop: {f['seed_speedup']:,.0f}x  (goal: well under 1 s)")
    print("\n2. search method (scikit-learn NearestNeighbors)")
    for algorithm in ("brute", "kd_tree", "ball_tree"):
        print(
            f"   {algorithm:9}  seed-sized {f[f'method_seed_{algorithm}_s'] * 1000:7.1f} ms   "
            f"1M x 20k (from {TREE_SAMPLE_ROWS:,} rows, extrapolated) "
            f"{f[f'method_million_{algorithm}_extrapolated_s']:7.1f} s"
        )
    print(f"\n3. {BIG_WESTERN:,} western x {BIG_KOREAN:,} Korean songs, song table k={K_BIG}, fresh process")
    print(f"   scaling (StandardScaler, float32):      {f['million_scale_s']:8.1f} s")
    print(
        f"   song table (knn_table):                 {f['million_song_table_s']:8.1f} s wall, "
        f"{f['million_song_table_cpu_s']:.1f} s CPU  (goal: under 60 s)"
    )
    print(
        f"   memory: process peak RSS {f['million_rss_peak_mb']:,.0f} MB (ru_maxrss, includes inputs and "
        f"imports), growth during the build {f['million_rss_growth_mb']:,.0f} MB, tracemalloc peak "
        f"{f['million_tracemalloc_peak_mb']:,.0f} MB (numpy/Python allocations only)  (goal: under 2 GB)"
    )
