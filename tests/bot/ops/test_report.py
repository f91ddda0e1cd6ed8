"""The A/B report: its statistics, a simulated population through the core, and who may see it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sqlalchemy import insert

import bot.ops.report as report
from bot.chat.experiment import ARM_RANDOM, ARM_RECOMMENDER
from bot.chat.replies import AnswerKind, Sender
from bot.ops.report import ArmStats, compare, wilson_interval
from bot.storage.engine import open_database
from bot.storage.models import Feedback, Recommendation
from tests.support.fixtures.core import CoreFactory


@pytest.fixture
def make_core(make_core: CoreFactory, any_database_url: str) -> CoreFactory:
    """Every core in this module is made once on SQLite and once on PostgreSQL."""
    return partial(make_core, database_url=any_database_url)


def test_wilson_interval_known_values() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    low, high = wilson_interval(0, 20)  # never below 0, and not degenerate at the edge
    assert low == 0.0 and 0.1 < high < 0.2


def test_small_counts_use_fishers_exact_test_and_large_ones_the_z_test() -> None:
    small = compare(ArmStats("knn", 3, 3, 4, 0), ArmStats("random", 3, 3, 0, 4))
    assert small.test == "Fisher's exact test"
    assert small.p_value == pytest.approx(scipy_stats.fisher_exact([[4, 0], [0, 4]])[1])
    large = compare(ArmStats("knn", 100, 100, 600, 400), ArmStats("random", 100, 100, 500, 500))
    assert large.test == "two-proportion z-test"
    pooled = 1100 / 2000
    z = 0.1 / np.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert large.p_value == pytest.approx(2 * scipy_stats.norm.sf(z))
    assert large.difference == pytest.approx(0.1)
    # with 1000 votes an arm, about 6 points are detectable at 80% power
    assert 0.05 < (large.minimum_detectable_effect or 0) < 0.07
    empty = compare(ArmStats("knn", 0, 0, 0, 0), ArmStats("random", 0, 0, 0, 0))
    assert empty.p_value is None and empty.difference is None


async def test_a_simulated_population_is_recovered(make_core: CoreFactory, tmp_path: Path) -> None:
    """People vote 👍 with a known probability per arm; the report must find the gap and cover the truth."""
    core = await make_core(KPOP_EXPERIMENT=True, KPOP_RANDOM_SHARE=0.5, KPOP_RATE_LIMIT_COUNT=10_000)
    truth = {ARM_RECOMMENDER: 0.65, ARM_RANDOM: 0.40}
    rng = np.random.default_rng(2024)
    queries = ["Blinding Lights", "Taylor Swift", "Shape of You", "Bad Guy"]
    for n in range(360):
        person = Sender("sim", f"person-{n}", "c")
        answer = await core.recommend(person, queries[n % len(queries)])
        assert answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None
        vote = 1 if rng.random() < truth[core.arm(person)] else -1
        await core.vote(person, answer.recommendation_id, vote)

    result = await report.collect(core.history.engine)
    for arm, p in truth.items():
        s = result.arms[arm]
        assert s.users == s.answers == s.votes > 120  # everyone asked once and voted once
        low, high = s.interval
        assert low <= p <= high
    assert sum(s.users for s in result.arms.values()) == 360
    c = result.comparison
    assert c.test == "two-proportion z-test" and c.p_value is not None and c.p_value < 0.01
    assert c.difference == pytest.approx(0.25, abs=0.1)
    assert {arm for _, arm, _, _ in result.daily} == set(truth)

    text = report.to_text(result)
    assert "knn" in text and "random" in text and "p = " in text
    png = tmp_path / "ab.png"
    report.plot(result, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_statistics_are_for_owners_only(make_core: CoreFactory) -> None:
    core = await make_core(KPOP_OWNER_IDS="test:boss")
    refused = await core.handle_text(Sender("test", "someone", "c"), "/kpop stats")
    assert refused.kind == AnswerKind.ERROR and "owners" in refused.text
    shown = await core.stats(Sender("test", "boss", "c"))
    assert shown.kind == AnswerKind.INFO and "knn" in shown.text and "no votes yet" in shown.text
    assert (await core.stats(Sender("other-platform", "boss", "c"))).kind == AnswerKind.ERROR


async def test_days_are_utc_days_whatever_the_server_zone(any_database_url: str) -> None:
    """A vote in the evening (UTC) counts for that day, also on a server whose clock is in Seoul."""
    evening = datetime(2026, 3, 1, 20, 30, tzinfo=timezone.utc)  # already 2 March in Seoul
    engine = await open_database(any_database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(Recommendation), [{
                "id": 1, "platform": "t", "user_id": "u", "chat_id": "c", "query": "q", "match_kind": "song",
                "match_id": 0, "match_label": "Q", "page_offset": 0, "arm": ARM_RECOMMENDER, "created_at": evening,
            }])  # fmt: skip
            await conn.execute(insert(Feedback), [{
                "platform": "t", "user_id": "u", "recommendation_id": 1, "pick_rank": 0, "vote": 1,
                "created_at": evening, "updated_at": evening,
            }])  # fmt: skip
        result = await report.collect(engine)
    finally:
        await engine.dispose()
    assert result.daily == [(date(2026, 3, 1), ARM_RECOMMENDER, 1, 0)]


def _detectable(votes: int, random_share: float) -> float:
    """The report's detectable difference after ``votes`` votes split by arm share, half of them 👍."""
    control = round(votes * random_share)
    treatment = votes - control
    comparison = compare(ArmStats(ARM_RECOMMENDER, 1, 1, treatment // 2, treatment - treatment // 2),
                         ArmStats(ARM_RANDOM, 1, 1, control // 2, control - control // 2))
    assert comparison.minimum_detectable_effect is not None
    return comparison.minimum_detectable_effect


def test_the_readme_vote_count_for_a_ten_point_difference_at_the_default_share() -> None:
    """README (A/B test): with 10% in the random arm, about 2,190 votes tell a 10-point difference."""
    assert _detectable(2_190, 0.1) <= 0.10 < _detectable(2_170, 0.1)
    assert _detectable(790, 0.5) <= 0.10 < _detectable(770, 0.5)  # an even split needs far fewer
