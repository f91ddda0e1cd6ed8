"""``python -m benchmarks [name ...] [--option ...]``: run every benchmark (or the named ones) and print its figures.

Options after one benchmark's name go to it, e.g. ``python -m benchmarks bench_load --postgres``.

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
    "bench_start",
    "bench_core",
    "bench_load",
    "bench_artifacts",
    "bench_evaluation",
    "bench_taste",
)


def main(argv: list[str]) -> int:
    first_option = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, options = argv[:first_option] or list(BENCHMARKS), argv[first_option:]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    if options and len(names) != 1:
        print("options (such as --postgres) go to one named benchmark: python -m benchmarks NAME --option", file=sys.stderr)
        return 2
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        status = module.main(options) if options else module.main()
        if status:
            return int(status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
