"""``python -m benchmarks [name ...]``: run every benchmark (or the named ones) and print its figures.

Each benchmark measures its own baseline in the same run and prints the ratio,
so figures from different machines can be compared by their ratios.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "bench_catalogue_load",
    "bench_build",
    "bench_matching",
    "bench_core",
    "bench_load",
    "bench_artifacts",
    "bench_evaluation",
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        status = importlib.import_module(f"benchmarks.{name}").main()
        if status:
            return int(status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
