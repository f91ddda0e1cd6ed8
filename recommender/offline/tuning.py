"""Choosing the blend's weights on playlists, never tuning and scoring on the same person.

The weights of :mod:`recommender.ranking.blend` are chosen by cross-validation over
*listeners*. Listeners with queries are split into folds of whole listeners
(one fold per listener when there are at most ``MAX_FOLDS`` of them, else
``MAX_FOLDS`` folds; a playlist without a listener is its own listener).
For a set of training folds, every weight vector on a coarse grid is scored
on each training fold's queries with co-listening fitted *without* that fold
(and without any held-out listener), and the weights with the best
objective win.

* **Objective**: the mean over the given playlist files of the mean hit rate
  at ``OBJECTIVE`` (artist and song-artist level, k=3 and k=10: the picks
  people see first, and the product bar), so a file with many queries does
  not drown one with few.
* **Grid**: every way to share ``GRID_STEPS`` quarters among the four signals
  (35 weight vectors, including each signal alone and all equal). Fusion
  depends only on the ratios, so nothing finer is worth its variance on a
  few listeners' playlists.
* **Regularised toward equal weights**: a vector pays ``SHRINKAGE`` per unit
  of L1 distance from equal weights, so a different blend must win by more
  than noise, and ties go to the more even blend.

Two results come out. The *weights stored with the build* are chosen with
every listener in training. The *honest estimate* of how those weights do
on people never seen is nested: for each fold, weights are chosen on the
other folds only (co-listening there fitted without the held-out fold as
well) and then score the held-out fold; the chosen weights of each fold
show how stable the choice is.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.ranking.blend import SIGNALS, Blend, BlendWeights, HybridModel
from recommender.offline.evaluation import DEFAULT_KS, LEVELS, EvaluationSet, QueryHits, query_hits
from recommender.offline.rankers import HybridRanker

__all__ = [
    "GRID_STEPS",
    "SHRINKAGE",
    "MAX_FOLDS",
    "OBJECTIVE",
    "weight_grid",
    "listener_folds",
    "FoldChoice",
    "Tuning",
    "tune",
]

GRID_STEPS = 4
SHRINKAGE = 0.02
MAX_FOLDS = 5
OBJECTIVE: tuple[tuple[str, int], ...] = (("artist", 3), ("artist", 10), ("song-artist", 3), ("song-artist", 10))


def weight_grid(steps: int = GRID_STEPS) -> list[BlendWeights]:
    """Every split of ``steps`` equal shares among the signals, as weights summing to 1."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    grid = []
    for shares in itertools.product(range(steps + 1), repeat=len(SIGNALS)):
        if sum(shares) == steps:
            grid.append(BlendWeights(*(s / steps for s in shares)))
    return grid


def _penalty(weights: BlendWeights) -> float:
    values = weights.normalised().as_array()
    return SHRINKAGE * float(np.abs(values - 1.0 / len(values)).sum())


def listener_folds(keys: Sequence[str], max_folds: int = MAX_FOLDS) -> list[frozenset[str]]:
    """Folds of whole listeners: one per listener up to ``max_folds``, else ``max_folds`` of about equal size.

    Listeners are dealt to folds in the order of a hash of their key, so the
    split is reproducible and does not follow names or file order.
    """
    if max_folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {max_folds}")
    unique = sorted(set(keys), key=lambda k: hashlib.sha1(k.encode()).hexdigest())
    if len(unique) < 2:
        raise ValueError(f"cross-validation over listeners needs at least 2 listeners with queries, got {len(unique)}")
    n = min(len(unique), max_folds)
    return [frozenset(unique[i::n]) for i in range(n)]


@dataclass(frozen=True)
class FoldChoice:
    """Weights chosen without ``held_out`` (the listeners they were then scored on), and their training objective."""

    held_out: frozenset[str]
    weights: BlendWeights
    objective: float


@dataclass(frozen=True)
class Tuning:
    """What :func:`tune` found.

    ``weights``/``objective``: chosen with every listener in training (what a
    build stores). ``folds``: the nested choices. ``blend_hits[i][level]``:
    the blend's hits on evaluation ``i``, each fold scored with the weights
    chosen without it (the honest estimate).
    """

    weights: BlendWeights
    objective: float
    folds: list[FoldChoice]
    blend_hits: list[dict[str, QueryHits]]
    grid_size: int


@dataclass
class _Scorer:
    """Scores folds under every weight of the grid, reusing each refitted model's signal ranks."""

    model: HybridModel
    evaluations: Sequence[EvaluationSet]
    keys: list[np.ndarray]  # per evaluation, listener key by playlist number
    grid: list[BlendWeights]
    familiarity: float

    def part(self, evaluation: int, listeners: frozenset[str]) -> EvaluationSet:
        keys = self.keys[evaluation]
        return self.evaluations[evaluation].restrict(np.flatnonzero(np.isin(keys, list(listeners))))

    def grid_hits(self, fold: frozenset[str], excluded: frozenset[str]) -> dict[tuple[int, str], list[QueryHits]]:
        """(evaluation, level) -> hits of each grid weight on ``fold``, co-listening fitted without fold and excluded."""
        model = self.model.excluding(fold | excluded)
        found: dict[tuple[int, str], list[QueryHits]] = {}
        levels = sorted({level for level, _ in OBJECTIVE})
        ks = sorted({k for _, k in OBJECTIVE})
        for i in range(len(self.evaluations)):
            part = self.part(i, fold)
            for level in levels:
                if part.coverage(level)[1] == 0:
                    continue
                found[(i, level)] = [
                    query_hits(part, HybridRanker(model, Blend(w, self.familiarity)), level, ks) for w in self.grid
                ]
        return found

    def choose(self, folds: Sequence[frozenset[str]], excluded: frozenset[str]) -> tuple[BlendWeights, float]:
        """The grid weights with the best regularised objective over ``folds``."""
        pooled: dict[tuple[int, str], list[list[QueryHits]]] = {}
        for fold in folds:
            for key, per_weight in self.grid_hits(fold, excluded).items():
                pooled.setdefault(key, []).append(per_weight)
        if not pooled:
            raise ValueError("no training listener has queries at the tuned levels")
        objective = np.zeros(len(self.grid))
        files = sorted({i for i, _ in pooled})
        for i in files:
            per_file = np.zeros(len(self.grid))
            for level, k in OBJECTIVE:
                parts = pooled.get((i, level))
                if parts is None:
                    continue
                for w in range(len(self.grid)):
                    hits = QueryHits.concat([fold_hits[w] for fold_hits in parts])
                    per_file[w] += hits.hits[:, hits.ks.index(k)].mean() / len(OBJECTIVE)
            objective += per_file / len(files)
        regularised = objective - np.array([_penalty(w) for w in self.grid])
        # Best regularised objective; among equals the smaller penalty (more even), then grid order.
        best = min(range(len(self.grid)), key=lambda w: (-round(regularised[w], 12), _penalty(self.grid[w]), w))
        return self.grid[best], float(objective[best])


def tune(
    model: HybridModel,
    evaluations: Sequence[EvaluationSet],
    *,
    familiarity: float = 1.0,
    steps: int = GRID_STEPS,
    max_folds: int = MAX_FOLDS,
    ks: Sequence[int] = DEFAULT_KS,
) -> Tuning:
    """Choose blend weights by listener cross-validation on ``evaluations`` (see the module docstring).

    ``model`` must hold every playlist used for co-listening (the build's and
    the evaluated files'): each fold is refitted without its own listeners.
    """
    if not evaluations:
        raise ValueError("tuning needs at least one playlist file")
    keys = [e.listener_keys() for e in evaluations]
    with_queries = sorted({
        str(k) for e, key in zip(evaluations, keys, strict=True) for level in LEVELS
        for k in key[e.queries(level)[0]]
    })
    folds = listener_folds(with_queries, max_folds)
    grid = weight_grid(steps)
    scorer = _Scorer(model, evaluations, keys, grid, familiarity)

    choices = []
    blend_hits: list[dict[str, list[QueryHits]]] = [{} for _ in evaluations]
    for held_out in folds:
        weights, objective = scorer.choose([f for f in folds if f is not held_out], held_out)
        choices.append(FoldChoice(held_out, weights, objective))
        ranker = HybridRanker(model.excluding(held_out), Blend(weights, familiarity))
        for i in range(len(evaluations)):
            part = scorer.part(i, held_out)
            for level in LEVELS:
                if part.coverage(level)[1]:
                    blend_hits[i].setdefault(level, []).append(query_hits(part, ranker, level, ks))
    weights, objective = scorer.choose(folds, frozenset())
    pooled = [{level: QueryHits.concat(parts) for level, parts in per_file.items()} for per_file in blend_hits]
    return Tuning(weights, objective, choices, pooled, len(grid))
