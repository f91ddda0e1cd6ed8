"""One whole core answer on a synthetic 100,000-song catalogue, against brute-force rapidfuzz.

Run: ``python -m benchmarks bench_core``. Goal: ``KpopCore.recommend`` p99 under
5 ms and at least 10x faster (p50) than answering with
``rapidfuzz.process.extractOne`` over every title, measured in the same run.

A core answer here is everything a chat message costs: parsing and capping the
query, matching, the person's history read from SQLite, picks from the
precomputed tables with their reasons, and the answer recorded in SQLite (WAL,
a temporary file). The baseline does only the brute-force title search, so the
ratio is conservative. The catalogue and queries come from
``bench_matching`` (made-up titles, fixed seed), with random audio features.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable without installing it
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process  # noqa: E402

from benchmarks.bench_matching import build_catalogue, build_queries  # noqa: E402
from bot.app.config import load_settings  # noqa: E402
from bot.app.runtime import new_core  # noqa: E402
from bot.chat.library import Library  # noqa: E402
from bot.chat.replies import Sender  # noqa: E402
from bot.storage.catalogue_store import load_build, save_build  # noqa: E402
from bot.storage.engine import open_database  # noqa: E402
from bot.storage.history import History  # noqa: E402
from recommender.catalogue.catalogue import FEATURES, Catalogue, ImportReport  # noqa: E402
from recommender.ranking.neighbours import build_tables  # noqa: E402
from recommender.matching.text_similarity import fuzzy_key  # noqa: E402

PEOPLE = 100


def with_features(catalogue: Catalogue, seed: int = 7) -> Catalogue:
    rng = np.random.default_rng(seed)
    songs = catalogue.songs.copy()
    n = len(songs)
    for feature in FEATURES:
        songs[feature] = rng.random(n)
    songs["tempo"] = rng.uniform(60, 200, n)
    songs["loudness"] = rng.uniform(-20, 0, n)
    artists = catalogue.artists.copy()
    # an artist is Korean when its first song is; songs follow their artist
    first_korean = songs.groupby("artist_id")["korean"].first()
    artists["korean"] = first_korean.reindex(artists.index, fill_value=False).to_numpy(dtype=bool)
    songs["korean"] = artists["korean"].to_numpy()[songs["artist_id"].to_numpy()]
    return Catalogue(songs, artists)


def _percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


async def measure(folder: Path) -> dict[str, float]:
    catalogue = with_features(build_catalogue())
    queries = [q for _, q, _ in build_queries(catalogue)]
    start = time.perf_counter()
    tables = build_tables(catalogue, "global", k_songs=50, k_artists=50)
    build_s = time.perf_counter() - start

    settings = load_settings(
        KPOP_DATA_DIR=folder, KPOP_EXPERIMENT=False, KPOP_RATE_LIMIT_COUNT=1_000_000, KPOP_DATABASE_URL=None
    )
    engine = await open_database(settings.resolved_database_url)
    try:
        await save_build(engine, catalogue, tables, sources=["synthetic"], report=ImportReport())
        stored = await load_build(engine)
        assert stored is not None
        core = new_core(Library.from_build(stored), History(engine), settings)
        rng = random.Random(1)
        senders = [Sender("bench", f"person-{i}", "chat") for i in range(PEOPLE)]
        for q in queries[:20]:  # warm-up
            await core.recommend(rng.choice(senders), q)
        core_ms = []
        for q in queries:
            sender = rng.choice(senders)
            t = time.perf_counter()
            await core.recommend(sender, q)
            core_ms.append((time.perf_counter() - t) * 1000)
    finally:
        await engine.dispose()

    title_keys = [fuzzy_key(t) for t in catalogue.songs["title"]]
    baseline_ms = []
    for q in queries:
        t = time.perf_counter()
        process.extractOne(fuzzy_key(q), title_keys, scorer=fuzz.ratio, processor=None)
        baseline_ms.append((time.perf_counter() - t) * 1000)

    core_p50, core_p99 = _percentiles(core_ms)
    base_p50, base_p99 = _percentiles(baseline_ms)
    return {
        "songs": float(len(catalogue.songs)),
        "korean_songs": float(catalogue.korean_mask.sum()),
        "queries": float(len(queries)),
        "tables_build_s": build_s,
        "core_p50_ms": core_p50,
        "core_p99_ms": core_p99,
        "baseline_p50_ms": base_p50,
        "baseline_p99_ms": base_p99,
        "speedup_p50": base_p50 / core_p50,
        "speedup_p99": base_p99 / core_p99,
    }


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(measure(Path(folder)))


def main() -> int:
    figures = run()
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}")
    verdict = {True: "met", False: "MISSED"}
    print(
        f"goal p99 < 5 ms: {verdict[figures['core_p99_ms'] < 5.0]}; "
        f"goal >= 10x baseline (p50): {verdict[figures['speedup_p50'] >= 10.0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
