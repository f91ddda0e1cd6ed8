"""Probe tastes and what a new query's ranking costs, on the default build.

Run: ``python -m benchmarks bench_taste [DATA_DIR]`` (default ``$KPOP_SHARED_DATA`` or ``../shared/data``).

The catalogue is built from the data folder into a scratch database (as ``kpop-bot build`` does), then:

- **probes** (:mod:`recommender.offline.probes`): for each genre family, the best-known western artists
  the data plainly files under it, and the first answer a new person naming them gets, printed as a
  table with the reasons, and beside it the aggregate figures (distinct acts, the most frequent act's
  share of answers, picks whose profile holds the probe's family);
- **ranking cost**: a new query's ranking and picks (``Recommender.for_artist``, nothing remembered)
  for the 300 best-known western artists, p50 and p99, against the audio-only ranking the bot used
  before the blend, measured in the same run. Goal: at most 2 ms.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import shared_data
from bot.chat.library import Library
from bot.ops.build import BuildOptions, build_and_save
from bot.storage.engine import database
from recommender.offline.beyond_accuracy import best_known_western
from recommender.offline.probes import ask, figures, probe_artists
from recommender.ranking.blend import AUDIO_ONLY
from recommender.ranking.picks import Recommender

GOAL_MS = 2.0


async def _build(data: Path, folder: Path) -> Library:
    async with database(f"sqlite+aiosqlite:///{folder / 'bench.db'}") as engine:
        stored, _ = await build_and_save(engine, BuildOptions(sources=(str(data),)))
    return Library.from_build(stored)


def _costs(recommender: Recommender, queries: np.ndarray) -> tuple[float, float]:
    times = []
    for artist in queries:
        start = time.perf_counter()
        recommender.for_artist(int(artist), count=3)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main(argv: list[str] | None = None) -> int:
    data = Path(argv[0]) if argv else shared_data()
    if not data.is_dir():
        print(f"bench_taste: no data folder at {data} (give one, or set KPOP_SHARED_DATA)")
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        library = asyncio.run(_build(data, Path(scratch)))
    recommender, model = library.recommender, library.recommender.model
    probes = probe_artists(library.catalogue, model.profiles)
    answers = ask(recommender, probes)
    print("| taste | asked | first answer (act: reason) |\n|---|---|---|")
    for answer in answers:
        picks = "<br>".join(f"{act} \"{title}\": {reason}" for _, act, title, reason in answer.picks)
        print(f"| {answer.probe.family} | {answer.probe.name} | {picks} |")
    summary = figures(answers, model.profiles)
    print(f"\n{summary.answers} probes: {summary.distinct_acts} distinct acts in their first answers; most frequent "
          f"{summary.top_act} in {summary.top_act_share:.0%} of them; {summary.in_family:.0%} of picks hold the "
          "probe's family in their profile")
    queries = best_known_western(library.catalogue)
    audio_only = Recommender(library.catalogue, library.tables, model=model, blend=AUDIO_ONLY)
    p50, p99 = _costs(Recommender(library.catalogue, library.tables, model=model, blend=recommender.blend), queries)
    b50, b99 = _costs(audio_only, queries)
    load = os.getloadavg()[0]
    print(f"\nnew-query ranking and picks over {len(queries)} artists (load average {load:.2f}):")
    print(f"  blend       p50 {p50:.2f} ms, p99 {p99:.2f} ms (goal {GOAL_MS} ms: {'met' if p99 <= GOAL_MS else 'missed'})")
    print(f"  audio only  p50 {b50:.2f} ms, p99 {b99:.2f} ms (baseline; blend/baseline {p50 / b50:.1f}x at p50)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
