"""``kpop-bot evaluate``'s output: the text report, its JSON form, and the README's tables in markdown.

The issue's targets are checked here (:func:`targets`) and printed beside the
figures in every form, so whoever refreshes the README's tables after a ranking
change (``kpop-bot evaluate ... --markdown``) sees at once which are met.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from bot.ops.evaluate import BASELINES, COMPARED_AT, EvaluationReport, FileResult
from recommender.offline.beyond_accuracy import LIST_LENGTH, Diversity
from recommender.offline.evaluation import HitRate, RateDifference

__all__ = ["Target", "targets", "to_text", "to_json", "to_markdown"]

#: The ranker the targets are about: the one the bot answers with.
TARGETED = "blend"
#: The seed's bar: artist-level hit@10 on people the build never saw.
BAR = 0.7


@dataclass(frozen=True)
class Target:
    """One of the issue's targets: what it asks, what was measured, and whether it is met (None: not measured)."""

    where: str  # "all files" or a file name
    goal: str
    measured: str
    met: bool | None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _diversity_targets(report: EvaluationReport) -> list[Target]:
    blend = next((d for d in report.diversity if d.ranker == TARGETED), None)
    if blend is None:
        return []
    where = f"{blend.queries} best-known western artists"
    coherence = (f"{_fmt(blend.coherence, 2)} (chance {_fmt(blend.chance, 2)})" if blend.coherence is not None
                 else "no query artist has a known family")
    return [
        Target(where, "distinct Korean acts in the top-3 lists >= 150", str(blend.distinct_acts),
               blend.distinct_acts >= 150),
        Target(where, "no act in more than 10% of the lists", f"{blend.top_act} in {blend.top_act_share:.0%}",
               blend.top_act_share <= 0.10),
        Target(where, "mean pairwise Jaccard <= 0.05", _fmt(blend.mean_jaccard), blend.mean_jaccard <= 0.05),
        Target(where, "genre coherence >= 0.6", coherence,
               None if blend.coherence is None else blend.coherence >= 0.6),
    ]


def _rate(rates: list[HitRate], ranker: str, k: int) -> HitRate | None:
    return next((r for r in rates if r.ranker == ranker and r.level == "artist" and r.k == k), None)


def _file_targets(result: FileResult) -> list[Target]:
    found: list[Target] = []
    for difference in result.versus.get("all", []):
        than = difference.baseline if difference.baseline in BASELINES else f"{difference.baseline} alone"
        found.append(Target(
            result.name, f"artist hit@{COMPARED_AT} not below {than} by more than the paired interval",
            f"{difference.difference:+.3f} [{difference.low:+.3f}, {difference.high:+.3f}]",
            None if math.isnan(difference.high) else difference.high >= 0))
    for difference in result.versus.get("long tail", []):
        found.append(Target(
            result.name, f"long-tail artist hit@{COMPARED_AT} at least {difference.baseline}'s",
            f"{difference.difference:+.3f}", None if math.isnan(difference.difference) else difference.difference >= 0))
    blend = _rate(result.rates, TARGETED, COMPARED_AT)
    if blend is not None:
        found.append(Target(result.name, f"artist hit@{COMPARED_AT} >= {BAR} (the seed's bar)", _fmt(blend.rate),
                            None if math.isnan(blend.rate) else blend.rate >= BAR))
    return found


def targets(report: EvaluationReport) -> list[Target]:
    """The issue's targets for the blend, checked on this report."""
    return [*_diversity_targets(report), *(t for result in report.files for t in _file_targets(result))]


def _mark(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "missed")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _cell(rate: HitRate | None) -> str:
    if rate is None or math.isnan(rate.rate):
        return "-"
    return f"{rate.rate:.3f} [{rate.low:.3f}, {rate.high:.3f}]"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return [lines[0], "-" * max(len(line) for line in lines), *lines[1:]]


def _rates_table(rates: list[HitRate]) -> list[str]:
    """One row per (level, recommender), one column per k, padded to line up."""
    ks = sorted({r.k for r in rates})
    cells: dict[tuple[str, str], dict[int, str]] = {}
    for rate in rates:
        cells.setdefault((rate.level, rate.ranker), {})[rate.k] = _cell(rate)
    rows = [["level", "recommender", *(f"hit@{k}" for k in ks)]]
    rows += [[level, ranker, *(by_k.get(k, "-") for k in ks)] for (level, ranker), by_k in cells.items()]
    return _aligned(rows)


def _diversity_row(d: Diversity) -> list[str]:
    coherence = f"{_fmt(d.coherence, 2)} (chance {_fmt(d.chance, 2)})" if d.coherence is not None else "-"
    return [d.ranker, str(d.distinct_acts), f"{d.top_act} {d.top_act_share:.0%}", _fmt(d.mean_jaccard), coherence]


_DIVERSITY_HEADER = ["recommender", "distinct acts", "most frequent act", "mean Jaccard", "genre coherence"]


def _fitted_line(report: EvaluationReport) -> str:
    if report.colistening_fitted_on == "build":
        return ("co-listening and most listened fitted on the build's playlist data only, each scored listener "
                "left out (colistening_fitted_on: build)")
    return ("co-listening and most listened fitted on the build's playlist data and the file's other listeners "
            "(--cross-validate; colistening_fitted_on: build+file)")


def _diversity_lines(report: EvaluationReport) -> list[str]:
    if not report.diversity:
        return []
    queries = report.diversity[0].queries
    families = report.diversity[0].family_queries
    lines = [
        "",
        f"== beyond accuracy: top-{LIST_LENGTH} Korean acts for the {queries} best-known western artists "
        f"({families} with a known genre family) ==",
        *_aligned([_DIVERSITY_HEADER, *map(_diversity_row, report.diversity)]),
    ]
    if report.song_diversity:
        lines += ["", f"== the same for the {report.song_diversity[0].queries} most popular western songs "
                      f"(the acts of the top-{LIST_LENGTH} song picks) ==",
                  *_aligned([_DIVERSITY_HEADER, *map(_diversity_row, report.song_diversity)])]
    return lines


def to_text(report: EvaluationReport) -> str:
    counts = report.build.counts
    lines = [
        f"catalogue build #{report.build.id}: {counts['songs']:,} songs ({counts['korean_songs']:,} Korean), "
        f"{counts['artists']:,} artists ({counts['korean_artists']:,} Korean); stored scaling {report.build.scaling}",
        _fitted_line(report),
        "hit@k = share of western queries with a top-k Korean pick in the same playlist "
        f"[95% interval: {report.resamples:,} bootstrap resamples of playlists, seed {report.seed}]",
        f"long-tail hit@k: hits on these {len(report.head)} best-known Korean acts do not count: "
        + ", ".join(report.head),
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
        if result.long_tail:
            lines += ["", "long tail:", *_rates_table(result.long_tail)]
    lines += _diversity_lines(report)
    lines += ["", "== targets (the blend) ==",
              *_aligned([["where", "target", "measured", "status"],
                         *([t.where, t.goal, t.measured, _mark(t.met)] for t in targets(report))])]
    return "\n".join(lines)


def _md(rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0]),
            *("| " + " | ".join(row) + " |" for row in rows[1:])]


def to_markdown(report: EvaluationReport) -> str:
    """The README's tables: artist-level hit rates with long-tail rates per file, beyond accuracy, targets."""
    lines = [f"Co-listening fitted on: **{report.colistening_fitted_on}**. Artist level; 95% intervals from "
             f"{report.resamples:,} bootstrap resamples of playlists (seed {report.seed}); long tail: hits on the "
             f"{len(report.head)} best-known Korean acts do not count."]
    for result in report.files:
        p, q = result.coverage.get("artist", (0, 0))
        ks = sorted({r.k for r in result.rates if r.level == "artist"})
        rankers = list(dict.fromkeys(r.ranker for r in result.rates if r.level == "artist"))
        rows = [["recommender", *(f"hit@{k}" for k in ks), *(f"long-tail hit@{k}" for k in ks if k != 1)]]
        for ranker in rankers:
            name = f"**{ranker}**" if ranker == TARGETED else ranker
            rows.append([name, *(_cell(_rate(result.rates, ranker, k)) for k in ks),
                         *(_cell(_rate(result.long_tail, ranker, k)) for k in ks if k != 1)])
        lines += ["", f"**{result.name}** ({p:,} playlists, {q:,} queries at the artist level)", "", *_md(rows)]
    if report.diversity:
        queries = report.diversity[0].queries
        lines += ["", f"**Beyond accuracy**: top-{LIST_LENGTH} Korean acts for the {queries} best-known western "
                      f"artists ({report.diversity[0].family_queries} with a known genre family)", "",
                  *_md([_DIVERSITY_HEADER, *map(_diversity_row, report.diversity)])]
    if report.song_diversity:
        lines += ["", f"The same for the {report.song_diversity[0].queries} most popular western songs (the acts of "
                      f"the top-{LIST_LENGTH} song picks)", "",
                  *_md([_DIVERSITY_HEADER, *map(_diversity_row, report.song_diversity)])]
    lines += ["", "**Targets** (the blend)", "",
              *_md([["where", "target", "measured", "status"],
                    *([t.where, t.goal, t.measured, _mark(t.met)] for t in targets(report))])]
    return "\n".join(lines)


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _rate_json(x: HitRate) -> dict[str, Any]:
    return {"recommender": x.ranker, "level": x.level, "k": x.k, "hit_rate": _number(x.rate),
            "ci_low": _number(x.low), "ci_high": _number(x.high), "queries": x.queries, "playlists": x.playlists,
            "draws": x.draws}


def _difference_json(x: RateDifference) -> dict[str, Any]:
    return {"recommender": x.ranker, "baseline": x.baseline, "level": x.level, "k": x.k,
            "difference": _number(x.difference), "ci_low": _number(x.low), "ci_high": _number(x.high)}


def _diversity_json(d: Diversity) -> dict[str, Any]:
    fields = asdict(d)
    fields = {"recommender": fields.pop("ranker"), **fields}
    return {key: _number(value) if isinstance(value, float) else value for key, value in fields.items()}


def to_json(report: EvaluationReport) -> dict[str, Any]:
    """One JSON object: the build, what co-listening was fitted on, per file its matching and rates, and the rest."""
    return {
        "build": {"id": report.build.id, "scaling": report.build.scaling, "counts": report.build.counts},
        "colistening_fitted_on": report.colistening_fitted_on,
        "seed": report.seed,
        "resamples": report.resamples,
        "head_acts": report.head,
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
                "results": [_rate_json(x) for x in r.rates],
                "long_tail_results": [_rate_json(x) for x in r.long_tail],
                "versus": {part: [_difference_json(x) for x in xs] for part, xs in r.versus.items()},
            }
            for r in report.files
        ],
        "diversity": [_diversity_json(d) for d in report.diversity],
        "song_diversity": [_diversity_json(d) for d in report.song_diversity],
        "targets": [asdict(t) for t in targets(report)],
    }
