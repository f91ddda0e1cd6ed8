"""``kpop-bot tune``: choose the blend's weights on playlist files and store them with the build.

The weights are chosen by listener cross-validation (:mod:`recommender.offline.tuning`):
never tuned and scored on the same person, and co-listening used to score a
listener never holds that listener's playlists. The report is the table of
"How good is it?" in the README, per file: random, most-popular and audio
KNN picks, each signal alone (leaving each listener out of co-listening) and
the blend with weights chosen without the listener scored (nested), with 95%
bootstrap intervals over playlists; then how much the blend beats the
baselines on the same queries (a paired interval), and the weights each fold
chose, so their stability can be judged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from bot.ops.evaluate import model_for, read_inputs
from bot.storage.catalogue_store import BuildInfo, StoredBuild
from recommender.ranking.blend import Blend, BlendWeights, TunedBlend
from recommender.offline.evaluation import (
    DEFAULT_KS,
    LEVELS,
    RESAMPLES,
    EvaluationSet,
    HitRate,
    QueryHits,
    RateDifference,
    hit_rates,
    listener_hits,
    paired_difference,
)
from recommender.offline.rankers import AudioKnn, MostPopular, RandomPicks, Ranker, hybrid_rankers
from recommender.offline.tuning import FoldChoice, Tuning, tune

__all__ = ["TuneError", "FileTable", "FoldResult", "TuneReport", "tune_files", "to_text", "to_json"]

#: The baselines the blend is compared with on the same queries.
COMPARED = ("most popular", "popularity")


class TuneError(Exception):
    """Tuning that cannot run on the given files (e.g. fewer than two listeners with queries)."""


@dataclass(frozen=True)
class FileTable:
    """One playlist file: usable playlists and queries per level, every ranker's rates, the blend's margins."""

    name: str
    coverage: dict[str, tuple[int, int]]
    rates: list[HitRate]
    differences: list[RateDifference]


@dataclass(frozen=True)
class FoldResult:
    """One fold of the nested cross-validation and how its chosen weights did on it."""

    choice: FoldChoice
    hits: dict[str, tuple[float, int]]  # file -> (blend artist hit@10 on this fold's queries, queries)


@dataclass(frozen=True)
class TuneReport:
    build: BuildInfo
    tuned: TunedBlend
    grid_size: int
    resamples: int
    seed: int
    files: list[FileTable]
    folds: list[FoldResult]


def _fold_results(tuning: Tuning, evaluations: Sequence[EvaluationSet], names: Sequence[str]) -> list[FoldResult]:
    results = []
    for choice in tuning.folds:
        hits = {}
        for name, evaluation, blend in zip(names, evaluations, tuning.blend_hits, strict=True):
            artist = blend.get("artist")
            if artist is None:
                continue
            held = np.isin(evaluation.listener_keys()[artist.playlist], list(choice.held_out))
            if held.any():
                hits[name] = (float(artist.hits[held, artist.ks.index(10)].mean()) if 10 in artist.ks else math.nan,
                              int(held.sum()))
        results.append(FoldResult(choice, hits))
    return results


def tune_files(
    build: StoredBuild, paths: Sequence[Path], *, familiarity: float = 1.0, seed: int = 0
) -> TuneReport:
    """Tune on the files and score everything for the report (CPU-bound: run it in a thread).

    Raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError` for an unusable file and
    :class:`TuneError` when the files cannot support cross-validation.
    """
    files = read_inputs(build, paths)  # playlist CSVs or Last.fm folders
    catalogue = build.catalogue
    matched = [f.matched for f in files]
    evaluations = [EvaluationSet.from_matches(m, catalogue) for m in matched]
    model = model_for(build, matched)
    try:
        tuning = tune(model, evaluations, familiarity=familiarity, ks=DEFAULT_KS)
    except ValueError as exc:
        raise TuneError(str(exc)) from None

    baselines: list[Ranker] = [RandomPicks(catalogue, seed), MostPopular(catalogue), AudioKnn(catalogue, build.tables)]
    signals = hybrid_rankers(model, Blend(tuning.weights, familiarity))[:-1]  # each alone; the blend is nested
    tables = []
    for f, evaluation, blend in zip(files, evaluations, tuning.blend_hits, strict=True):
        rates: list[HitRate] = []
        differences: list[RateDifference] = []
        for level in LEVELS:
            scored: dict[str, QueryHits] = {
                r.name: listener_hits(evaluation, r, level, DEFAULT_KS) for r in [*baselines, *signals]
            }
            if level in blend:
                scored["blend"] = blend[level]
            for hits in scored.values():
                rates += hit_rates(hits, resamples=RESAMPLES, seed=seed)
            if level in blend:
                for baseline in (*COMPARED, baselines[-1].name):
                    differences += paired_difference(blend[level], scored[baseline], resamples=RESAMPLES, seed=seed)
        coverage = {level: evaluation.coverage(level) for level in LEVELS}
        tables.append(FileTable(f.name, coverage, rates, differences))

    keys = {str(k) for e in evaluations for level in LEVELS for k in e.listener_keys()[e.queries(level)[0]]}
    tuned = TunedBlend(tuning.weights, tuple(f.name for f in files), len(keys), tuning.objective,
                       datetime.now(timezone.utc))
    folds = _fold_results(tuning, evaluations, [f.name for f in files])
    return TuneReport(build.info, tuned, tuning.grid_size, RESAMPLES, seed, tables, folds)


# --- output ------------------------------------------------------------------------------------


def _weights(weights: BlendWeights) -> str:
    return ", ".join(f"{signal} {value:.2f}" for signal, value in weights.normalised().as_dict().items())


def _cell(rate: HitRate) -> str:
    return "-" if math.isnan(rate.rate) else f"{rate.rate:.3f} [{rate.low:.3f}, {rate.high:.3f}]"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return [lines[0], "-" * max(len(line) for line in lines), *lines[1:]]


def _listeners(keys: frozenset[str]) -> str:
    """Named listeners, then how many playlists without one (their ids say nothing to a reader)."""
    named = sorted(k.split(":", 1)[1] for k in keys if k.startswith("listener:"))
    anonymous = len(keys) - len(named)
    parts = [", ".join(named)] if named else []
    if anonymous:
        parts.append(f"{anonymous} playlist{'s' if anonymous != 1 else ''} without a listener")
    return " and ".join(parts)


def to_text(report: TuneReport) -> str:
    tuned = report.tuned
    lines = [
        f"tuned catalogue build #{report.build.id} on {', '.join(tuned.tuned_on)}: {tuned.listeners} listeners "
        f"with queries, {len(report.folds)} folds, {report.grid_size} weight vectors",
        f"stored weights: {_weights(tuned.weights)} (cross-validated objective {tuned.objective:.3f})",
        "hit@k = share of western queries with a top-k Korean pick in the same playlist; every row leaves the "
        "listener scored out of co-listening, the blend also out of the choice of weights "
        f"[95% interval: {report.resamples:,} bootstrap resamples of playlists, seed {report.seed}]",
    ]
    for table in report.files:
        lines += ["", f"== {table.name} ==",
                  "usable (playlists/queries): " + ", ".join(f"{lv} {p:,}/{q:,}" for lv, (p, q) in table.coverage.items())]
        ks = sorted({r.k for r in table.rates})
        cells: dict[tuple[str, str], dict[int, str]] = {}
        for rate in table.rates:
            cells.setdefault((rate.level, rate.ranker), {})[rate.k] = _cell(rate)
        rows = [["level", "recommender", *(f"hit@{k}" for k in ks)]]
        rows += [[level, ranker, *(by_k.get(k, "-") for k in ks)] for (level, ranker), by_k in cells.items()]
        lines += ["", *_aligned(rows), "", "blend minus baseline on the same queries [paired 95% interval]:"]
        for d in table.differences:
            if d.k == max(ks):
                lines.append(f"  {d.level:<12} hit@{d.k} vs {d.baseline:<20} {d.difference:+.3f} "
                             f"[{d.low:+.3f}, {d.high:+.3f}]")
    lines += ["", "folds: weights chosen without the listeners held out, and the blend's artist hit@10 on them"]
    for fold in report.folds:
        scored = "; ".join(f"{name} {rate:.2f} ({n} queries)" for name, (rate, n) in fold.hits.items()) or "-"
        lines.append(f"  held out {_listeners(fold.choice.held_out)}: {_weights(fold.choice.weights)} "
                     f"(training objective {fold.choice.objective:.3f}); {scored}")
    return "\n".join(lines)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def to_json(report: TuneReport) -> dict[str, Any]:
    return {
        "build": {"id": report.build.id, "counts": report.build.counts},
        "tuned": report.tuned.to_json(),
        "grid_size": report.grid_size,
        "seed": report.seed,
        "resamples": report.resamples,
        "files": [
            {
                "file": t.name,
                "usable": {level: {"playlists": p, "queries": q} for level, (p, q) in t.coverage.items()},
                "results": [
                    {"recommender": r.ranker, "level": r.level, "k": r.k, "hit_rate": _number(r.rate),
                     "ci_low": _number(r.low), "ci_high": _number(r.high), "queries": r.queries,
                     "playlists": r.playlists}
                    for r in t.rates
                ],
                "blend_minus": [
                    {"baseline": d.baseline, "level": d.level, "k": d.k, "difference": _number(d.difference),
                     "ci_low": _number(d.low), "ci_high": _number(d.high)}
                    for d in t.differences
                ],
            }
            for t in report.files
        ],
        "folds": [
            {"held_out": sorted(f.choice.held_out), "weights": f.choice.weights.normalised().as_dict(),
             "objective": f.choice.objective,
             "artist_hit_at_10": {name: {"rate": _number(rate), "queries": n} for name, (rate, n) in f.hits.items()}}
            for f in report.folds
        ],
    }
