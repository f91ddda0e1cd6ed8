"""A later start to its first answer, with the kept fit, against a start that reads the build and fits it again.

Run: ``python -m benchmarks bench_start [DATA_DIR]`` (default ``$KPOP_SHARED_DATA`` or
``../shared/data``, the default catalogue's files).

The catalogue is built once into a fresh data folder (``kpop-bot build``, which
also keeps its fit). Then each start is a new process, as a person or a script
starts the bot, timed from launch to the printed first answer:

- **later start** (``kpop-bot recommend``): one row of the database, the fit
  memory-mapped from ``KPOP_DATA_DIR/fitted`` (:mod:`bot.app.library_cache`);
- **baseline** (the start before the fit was kept): the same process imports
  the same modules, then reads the whole build from the database and fits the
  matcher and the ranking's signals before answering;
- **first start after a build** without a kept fit (fit, then keep it).

Goal: a later start answers within 2 s. Every start runs :data:`REPEATS` times
and the median is printed with the machine's load average, since wall times on
a shared machine vary with what else runs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import shared_data

REPEATS = 5
QUERY = "Blinding Lights"
_BASELINE = """
import asyncio, sys
from bot.app.cli import main  # the command line's imports, as for the later start
from bot.app.config import load_settings
from bot.chat.library import Library
from bot.storage.catalogue_store import load_build
from bot.storage.engine import database

async def start() -> None:
    settings = load_settings()
    async with database(settings.resolved_database_url) as engine:
        stored = await load_build(engine)
    library = Library.from_build(stored)
    match = library.matcher.match(sys.argv[1])
    print(library.recommender.for_song(match.item.id, count=3) if match.item.kind == "song" else "")

asyncio.run(start())
"""


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(data_dir: Path) -> dict[str, float]:
    python = sys.executable
    cli = [python, "-m", "bot.app.cli"]
    with tempfile.TemporaryDirectory(prefix="kpop-bench-start-") as work:
        env = {**os.environ, "KPOP_DATA_DIR": work, "KPOP_SOURCES": str(data_dir), "KPOP_EXPERIMENT": "false"}
        env.pop("KPOP_DATABASE_URL", None)
        env.pop("KPOP_ARTIFACT", None)
        build_seconds = _timed([*cli, "build", "--no-progress"], env)
        later = [_timed([*cli, "recommend", QUERY], env) for _ in range(REPEATS)]
        baseline = [_timed([python, "-c", _BASELINE, QUERY], env) for _ in range(REPEATS)]
        first = []
        for _ in range(REPEATS):
            shutil.rmtree(Path(work) / "fitted", ignore_errors=True)
            first.append(_timed([*cli, "recommend", QUERY], env))
        fitted_mb = sum(p.stat().st_size for p in (Path(work) / "fitted").rglob("*") if p.is_file()) / 1e6
    return {
        "build_s": build_seconds,
        "later_start_s": statistics.median(later),
        "later_start_worst_s": max(later),
        "baseline_start_s": statistics.median(baseline),
        "speedup": statistics.median(baseline) / statistics.median(later),
        "first_start_without_kept_fit_s": statistics.median(first),
        "kept_fit_mb": fitted_mb,
        "load_average_1min": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    args = argv or []
    data_dir = Path(args[0]) if args else shared_data()
    if not data_dir.is_dir():
        print(f"no catalogue data at {data_dir} (set KPOP_SHARED_DATA or pass DATA_DIR)", file=sys.stderr)
        return 2
    figures = run(data_dir)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}")
    print(f"goal: a later start answers within 2 s: {'met' if figures['later_start_s'] <= 2.0 else 'MISSED'}")
    return 0

