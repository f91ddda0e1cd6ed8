"""How long a full catalogue import takes, against the bare cost of parsing the same files.

Run::

    python -m benchmarks bench_catalogue_load [DATA_DIR] [--repeat N]

DATA_DIR defaults to ``$KPOP_SHARED_DATA`` or ``../shared/data``. The baseline,
measured in the same run, is ``pandas.read_csv`` of every CSV in the folder as
strings: the least any import must spend. The ratio says what checking,
labelling and merging add on top; the target is a few seconds in all.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from benchmarks import shared_data
from recommender.catalogue.sources import load_catalogue


def _timed(func: object, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        func()  # type: ignore[operator]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(shared_data()))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv or [])
    folder = Path(args.data_dir)
    files = sorted(folder.rglob("*.csv"))
    if not files:
        print(f"no CSV files under {folder}", file=sys.stderr)
        return 2

    def baseline() -> None:
        for path in files:
            pd.read_csv(path, dtype=str, keep_default_na=False)

    base_wall, base_cpu = _timed(baseline, args.repeat)
    load_wall, load_cpu = _timed(lambda: load_catalogue([folder]), args.repeat)
    catalogue, report = load_catalogue([folder])
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"{len(files)} CSV files, {size:.1f} MB, {report.rows_read:,} song rows -> {catalogue.counts()}")
    print(f"baseline pandas.read_csv: {base_wall:6.2f} s wall {base_cpu:6.2f} s CPU")
    print(f"load_catalogue:           {load_wall:6.2f} s wall {load_cpu:6.2f} s CPU")
    print(f"ratio load/baseline:      {load_wall / base_wall:6.1f} x wall {load_cpu / base_cpu:6.1f} x CPU")
    return 0
