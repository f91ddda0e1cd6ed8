"""The A/B test's scoreboard: does the recommender beat random picks?

The unit is a vote (one feedback row: a 👍 or 👎 on an answer or on one pick),
and the figure is the 👍 rate per arm. Votes by one person are not independent,
so the intervals are somewhat optimistic when a few people vote a lot; the
report shows people per arm so a reader can judge that.

* the 👍 rate gets a Wilson score interval (sound at small counts and near 0 or 1);
* arms are compared with a two-proportion z-test, or Fisher's exact test when
  any expected cell count is below 5;
* the minimum detectable effect is the smallest difference in 👍 rate that a
  two-sided test at alpha 0.05 would find with 80 % power at the current counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from scipy import stats
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat.experiment import ARM_RANDOM, ARM_RECOMMENDER, ARMS
from bot.storage.arm_counts import ArmCounts, DayCounts, count_arms

__all__ = [
    "ArmStats", "Comparison", "ExperimentReport", "wilson_interval", "compare", "collect", "summary", "to_text", "plot",
]

Z_95 = 1.959963984540054
COLOURS = {ARM_RECOMMENDER: "#d6336c", ARM_RANDOM: "#868e96"}
ALPHA = 0.05
POWER = 0.8


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion; (0, 1) when there is no data."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ArmStats:
    arm: str
    users: int
    answers: int
    ups: int
    downs: int

    @property
    def votes(self) -> int:
        return self.ups + self.downs

    @property
    def rate(self) -> float | None:
        return self.ups / self.votes if self.votes else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.ups, self.votes)


@dataclass(frozen=True)
class Comparison:
    """Recommender minus random, in 👍 rate."""

    difference: float | None
    test: str
    p_value: float | None
    minimum_detectable_effect: float | None


def compare(treatment: ArmStats, control: ArmStats) -> Comparison:
    n1, n2 = treatment.votes, control.votes
    if n1 == 0 or n2 == 0:
        return Comparison(None, "none (an arm has no votes yet)", None, None)
    x1, x2 = treatment.ups, control.ups
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    variance = pooled * (1 - pooled) or 0.25  # all 👍 or all 👎 says nothing about spread: assume the worst
    mde = (stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER)) * math.sqrt(variance * (1 / n1 + 1 / n2))
    expected = [n * share for n in (n1, n2) for share in (pooled, 1 - pooled)]
    if min(expected) < 5:
        _, p = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])
        test = "Fisher's exact test"
    elif spread == 0:
        p, test = 1.0, "two-proportion z-test"
    else:
        z = (x1 / n1 - x2 / n2) / spread
        p, test = float(2 * stats.norm.sf(abs(z))), "two-proportion z-test"
    return Comparison(x1 / n1 - x2 / n2, test, float(p), float(mde))


@dataclass(frozen=True)
class ExperimentReport:
    arms: dict[str, ArmStats]
    comparison: Comparison
    daily: list[DayCounts]  # (day, arm, ups, downs), in day order


async def collect(engine: AsyncEngine) -> ExperimentReport:
    """Read the counts per arm (and per day, for the trend) from the database."""
    counted, daily = await count_arms(engine)
    arms: dict[str, ArmStats] = {}
    for arm in sorted(set(ARMS) | set(counted)):
        counts = counted.get(arm, ArmCounts())
        arms[arm] = ArmStats(arm, counts.people, counts.answers, counts.ups, counts.downs)
    return ExperimentReport(arms, compare(arms[ARM_RECOMMENDER], arms[ARM_RANDOM]), daily)


async def summary(engine: AsyncEngine) -> str:
    """The report as :func:`to_text` writes it: what ``/kpop stats`` answers an owner."""
    return to_text(await collect(engine))


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def to_text(report: ExperimentReport) -> str:
    """A compact plain-text summary that fits a chat message."""
    lines = ["arm      people answers votes  👍 rate [95% CI]"]
    for s in report.arms.values():
        low, high = s.interval
        interval = f"[{_percent(low)}, {_percent(high)}]" if s.votes else ""
        lines.append(f"{s.arm:<8} {s.users:>6} {s.answers:>7} {s.votes:>5}  {_percent(s.rate)} {interval}".rstrip())
    c = report.comparison
    if c.difference is None:
        lines.append(f"difference: {c.test}")
    else:
        lines.append(
            f"recommender - random: {100 * c.difference:+.1f} points, p = {c.p_value:.3g} ({c.test}); "
            f"smallest difference detectable now (80% power): {100 * (c.minimum_detectable_effect or 0):.1f} points"
        )
    return "\n".join(lines)


def plot(report: ExperimentReport, path: Path) -> None:
    """Draw the 👍 rate per arm with intervals, and its cumulative trend by day, into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    arms = list(report.arms.values())
    rates = [s.rate or 0.0 for s in arms]
    errors = [[r - s.interval[0] for r, s in zip(rates, arms)], [s.interval[1] - r for r, s in zip(rates, arms)]]
    left.bar([s.arm for s in arms], rates, yerr=errors, capsize=8,
             color=[COLOURS.get(s.arm, "#495057") for s in arms])
    left.set_ylim(0, 1)
    left.set_ylabel("share of votes that are thumbs up")
    left.set_title("Thumbs-up rate per arm (95% Wilson interval)")
    for i, s in enumerate(arms):
        left.annotate(f"{s.votes} votes", (i, 0.02), ha="center")
    for arm in report.arms:
        days = [d for d, a, _, _ in report.daily if a == arm]
        ups = [u for _, a, u, _ in report.daily if a == arm]
        downs = [n for _, a, _, n in report.daily if a == arm]
        cum_up, cum_n, points, lows, highs = 0, 0, [], [], []
        for u, n in zip(ups, downs):
            cum_up, cum_n = cum_up + u, cum_n + u + n
            points.append(cum_up / cum_n)
            low, high = wilson_interval(cum_up, cum_n)
            lows.append(low)
            highs.append(high)
        if days:
            colour = COLOURS.get(arm, "#495057")
            right.plot(days, points, marker="o", label=arm, color=colour)
            right.fill_between(days, lows, highs, alpha=0.2, color=colour)
    right.set_ylim(0, 1)
    right.set_title("Cumulative thumbs-up rate by day")
    right.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
