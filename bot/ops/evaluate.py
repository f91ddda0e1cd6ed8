"""``kpop-bot evaluate``: score the stored build's recommenders on playlist files.

The stored build gives the catalogue and the neighbour tables of one scaling;
the tables of every other scaling are built in memory with the same widths, so
each scaling is compared on the same catalogue. Each playlist file is matched
and scored on its own (files from different people and sources answer
different questions), and the report says how many rows matched and how many
playlists and queries each level could use, so a rate is never read without
its sample size.

The blended ranking is scored with the build's stored weights (equal until
tuned), and each of its signals alone. Their co-listening is fitted on the
build's playlist data and the file's own playlists, leaving out each
listener's playlists when scoring that listener. When the weights were tuned
on the same file the report says so: those figures are then optimistic, and
``kpop-bot tune`` prints the cross-validated ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from bot.storage.catalogue_store import BuildInfo, StoredBuild
from recommender.ranking.blend import Blend, BlendWeights, HybridModel
from recommender.catalogue.catalogue import Rejection
from recommender.offline.evaluation import RESAMPLES, EvaluationSet, HitRate, evaluate
from recommender.catalogue.features import SCALINGS, Scaling
from recommender.ranking.neighbours import NeighbourTables, build_tables
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.playlist_files import MatchCounts, MatchedPlaylists, PlaylistMatcher, read_playlists
from recommender.offline.rankers import Ranker, hybrid_rankers, standard_rankers

__all__ = [
    "EvaluationError",
    "FileResult",
    "EvaluationReport",
    "tables_for_every_scaling",
    "blend_of",
    "model_for",
    "evaluate_files",
    "to_text",
    "to_json",
]


class EvaluationError(Exception):
    """An evaluation that cannot run as asked (e.g. k beyond the stored tables)."""


@dataclass(frozen=True)
class FileResult:
    """Everything the report says about one playlist file."""

    name: str
    columns: dict[str, str]
    rows_read: int
    rejections: list[Rejection]
    notes: list[str]
    matched: MatchCounts
    playlists: int  # playlists with at least one row matched to the catalogue
    coverage: dict[str, tuple[int, int]]  # level -> (usable playlists, queries)
    rates: list[HitRate]


@dataclass(frozen=True)
class EvaluationReport:
    """One run: which build, how intervals were drawn, and a result per playlist file."""

    build: BuildInfo
    seed: int
    resamples: int
    files: list[FileResult]


def tables_for_every_scaling(build: StoredBuild) -> list[NeighbourTables]:
    """The stored tables, plus tables of every other scaling built in memory at the same widths."""
    stored = build.tables
    widths = stored.songs.neighbours.shape[1], stored.artists.neighbours.shape[1]
    return [
        stored if scaling == stored.scaling else build_tables(build.catalogue, cast(Scaling, scaling), *widths)
        for scaling in SCALINGS
    ]


def blend_of(build: StoredBuild, familiarity: float = 1.0) -> Blend:
    """The blend the bot answers with: the build's tuned weights, equal until tuned."""
    return Blend(build.blend.weights if build.blend is not None else BlendWeights(), familiarity)


def model_for(build: StoredBuild, matched: Sequence[MatchedPlaylists]) -> HybridModel:
    """The build's signals, co-listening fitted on its playlist data and these playlist files' playlists.

    A playlist both in the build and in a file (same listener and name) counts once.
    """
    playlists = PlaylistArtists.concat([build.playlists, *(PlaylistArtists.from_matches(m) for m in matched)])
    return HybridModel(build.catalogue, build.tables, playlists)


def _blend_note(build: StoredBuild, name: str) -> str:
    if build.blend is None:
        return "blend: the signals weigh the same (the build is not tuned; see kpop-bot tune)"
    weights = ", ".join(f"{signal} {value:.2f}" for signal, value in build.blend.weights.normalised().as_dict().items())
    note = f"blend: {weights}, tuned on {', '.join(build.blend.tuned_on)}"
    if name in build.blend.tuned_on:
        note += ("; tuned on this very file, so its blend figures are optimistic "
                 "(kpop-bot tune prints cross-validated ones)")
    return note


def _check_k(build: StoredBuild, ks: Sequence[int], levels: Sequence[str]) -> None:
    widths = {"songs": build.tables.songs.neighbours.shape[1], "artists": build.tables.artists.neighbours.shape[1]}
    for kind in sorted({"artists" if level == "artist" else "songs" for level in levels}):
        if max(ks) > widths[kind]:
            raise EvaluationError(
                f"k={max(ks)} is more than the {widths[kind]} neighbours the stored build keeps per "
                f"{kind[:-1]}; rebuild with `kpop-bot build --k-{kind} {max(ks)}` or ask for a smaller k"
            )


def evaluate_files(
    build: StoredBuild,
    paths: Sequence[Path],
    *,
    levels: Sequence[str],
    ks: Sequence[int],
    seed: int = 0,
    rankers: Sequence[Ranker] | None = None,
    familiarity: float = 1.0,
) -> EvaluationReport:
    """Read, match and score every playlist file against the build (CPU-bound: run it in a thread).

    ``rankers`` defaults to audio KNN under every scaling, random and most-popular picks, each
    signal of the blend alone and the blend (at ``familiarity``), made afresh for each file so that
    a file's random figures do not depend on the files before it.
    Raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError` for an unusable file.
    """
    _check_k(build, ks, levels)
    files = [read_playlists(path) for path in paths]  # every file checked before the slow part
    catalogue = build.catalogue
    tables = tables_for_every_scaling(build) if rankers is None else []
    matcher = PlaylistMatcher(catalogue)
    results = []
    for playlists in files:
        matched = matcher.match(playlists)
        scored = rankers if rankers is not None else [
            *standard_rankers(catalogue, tables, seed=seed),
            *hybrid_rankers(model_for(build, [matched]), blend_of(build, familiarity)),
        ]
        evaluation = EvaluationSet.from_matches(matched, catalogue)
        results.append(
            FileResult(
                name=playlists.name,
                columns=playlists.columns,
                rows_read=playlists.report.rows_read,
                rejections=playlists.report.rejections,
                notes=[*playlists.report.notes, *([_blend_note(build, playlists.name)] if rankers is None else [])],
                matched=matched.counts(),
                playlists=len(evaluation.playlists),
                coverage={level: evaluation.coverage(level) for level in levels},
                rates=evaluate(evaluation, scored, levels=levels, ks=ks, resamples=RESAMPLES, seed=seed),
            )
        )
    return EvaluationReport(build.info, seed, RESAMPLES, results)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _cell(rate: HitRate) -> str:
    if math.isnan(rate.rate):
        return "-"
    return f"{rate.rate:.3f} [{rate.low:.3f}, {rate.high:.3f}]"


def _rates_table(rates: list[HitRate]) -> list[str]:
    """One row per (level, recommender), one column per k, padded to line up."""
    ks = sorted({r.k for r in rates})
    cells: dict[tuple[str, str], dict[int, str]] = {}
    for rate in rates:
        cells.setdefault((rate.level, rate.ranker), {})[rate.k] = _cell(rate)
    rows = [["level", "recommender", *(f"hit@{k}" for k in ks)]]
    rows += [[level, ranker, *(by_k.get(k, "-") for k in ks)] for (level, ranker), by_k in cells.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return [lines[0], "-" * max(len(line) for line in lines), *lines[1:]]


def to_text(report: EvaluationReport) -> str:
    counts = report.build.counts
    lines = [
        f"catalogue build #{report.build.id}: {counts['songs']:,} songs ({counts['korean_songs']:,} Korean), "
        f"{counts['artists']:,} artists ({counts['korean_artists']:,} Korean); stored scaling {report.build.scaling}",
        "hit@k = share of western queries with a top-k Korean pick in the same playlist "
        f"[95% interval: {report.resamples:,} bootstrap resamples of playlists, seed {report.seed}]",
    ]
    for result in report.files:
        m = result.matched
        found = m.by_id + m.by_name
        lines += [
            "",
            f"== {result.name} ==",
            "columns: " + ", ".join(f"{role}={column}" for role, column in result.columns.items()),
            f"rows: {result.rows_read:,} read, {len(result.rejections):,} rejected, {m.rows:,} used",
            f"matched: {m.by_id:,} by Spotify id, {m.by_name:,} by title and artist "
            f"({_share(found, m.rows)} of rows); {m.artist_only:,} more by artist only; {m.unmatched:,} unmatched",
            f"playlists: {result.playlists:,} with a matched row; usable (playlists/queries): "
            + ", ".join(f"{level} {p:,}/{q:,}" for level, (p, q) in result.coverage.items()),
        ]
        if result.rejections:
            shown = ", ".join(f"line {r.line}: {r.reason}" for r in result.rejections[:5])
            more = f" and {len(result.rejections) - 5} more" if len(result.rejections) > 5 else ""
            lines.append(f"rejected: {shown}{more}")
        lines += result.notes
        averaged = {(r.ranker, r.level): r.draws for r in result.rates if r.draws > 1}
        for ranker in dict.fromkeys(name for name, _ in averaged):
            per_level = ", ".join(f"{level} {n:,}" for (name, level), n in averaged.items() if name == ranker)
            lines.append(f"{ranker}: the expected rate, averaged over this many draws per query: {per_level}")
        lines += ["", *_rates_table(result.rates)]
    return "\n".join(lines)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def to_json(report: EvaluationReport) -> dict[str, Any]:
    """One JSON object: the build, how intervals were drawn, and per file its matching and its rates."""
    return {
        "build": {"id": report.build.id, "scaling": report.build.scaling, "counts": report.build.counts},
        "seed": report.seed,
        "resamples": report.resamples,
        "files": [
            {
                "file": r.name,
                "columns": r.columns,
                "rows_read": r.rows_read,
                "rejected": [{"line": x.line, "reason": x.reason} for x in r.rejections],
                "notes": r.notes,
                "matched": asdict(r.matched),
                "playlists": r.playlists,
                "usable": {level: {"playlists": p, "queries": q} for level, (p, q) in r.coverage.items()},
                "results": [
                    {
                        "recommender": x.ranker,
                        "level": x.level,
                        "k": x.k,
                        "hit_rate": _number(x.rate),
                        "ci_low": _number(x.low),
                        "ci_high": _number(x.high),
                        "queries": x.queries,
                        "playlists": x.playlists,
                        "draws": x.draws,
                    }
                    for x in r.rates
                ],
            }
            for r in report.files
        ],
    }
