"""SIGKILL in the middle of a feedback burst: the database survives and keeps every acknowledged vote.

The bot runs in a process of its own (tests/support/processes/crash_driver.py) that prints each
vote the core acknowledged. The test kills it without warning at a different
point of the burst each time, on SQLite and on PostgreSQL, then checks what a
restart would find: the SQLite file passes its integrity check (the write-ahead
log left behind is recovered on open), every acknowledged vote is stored with
its value, no answer was stored without its picks, and a fresh core on the same
database answers and saves votes as usual.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.chat.replies import AnswerKind, Sender
from bot.storage.models import Feedback, Recommendation, RecommendationPick
from tests.conftest import REPO_ROOT
from tests.support.fixtures.core import CoreFactory

TIMEOUT = 60.0  # for the driver to start and to reach the kill point on a busy machine

Acks = dict[tuple[str, int], int]


async def run_and_kill(database_url: str, data_dir: Path, kill_after: int) -> Acks:
    """Start the driver, read its acknowledgements until ``kill_after`` of them, SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    driver = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.processes.crash_driver", database_url, str(data_dir),
        cwd=REPO_ROOT, env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert driver.stdout is not None
    acks: Acks = {}
    try:
        async with asyncio.timeout(TIMEOUT):
            assert (await driver.stdout.readline()).strip() == b"ready"
            while len(acks) < kill_after:
                line = await driver.stdout.readline()
                assert line.startswith(b"ack "), f"driver ended or said {line!r}"
                _, user, rec, vote = line.decode().split()
                acks[(user, int(rec))] = int(vote)
    finally:
        driver.send_signal(signal.SIGKILL)
        await driver.wait()
    # lines the driver wrote before it died are acknowledgements too
    for line in (await driver.stdout.read()).decode().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "ack":  # a line cut by the kill is not one
            acks[(parts[1], int(parts[2]))] = int(parts[3])
    assert driver.returncode == -signal.SIGKILL
    return acks


def integrity(database: Path) -> list[str]:
    """``PRAGMA integrity_check`` of a file, opened as a restarted bot would (recovering its WAL)."""
    connection = sqlite3.connect(database)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


@pytest.mark.parametrize("kill_after", [2, 120])
async def test_a_killed_bot_keeps_every_acknowledged_vote_and_restarts(
    kill_after: int, any_database_url: str, tmp_path: Path, small_build_database: Path, make_core: CoreFactory
) -> None:
    sqlite = any_database_url.startswith("sqlite")
    database = tmp_path / "bot.db"
    if sqlite:
        shutil.copyfile(small_build_database, database)  # the driver saves the build itself on PostgreSQL
    acks = await run_and_kill(any_database_url, tmp_path, kill_after)

    if sqlite:
        assert Path(f"{database}-wal").stat().st_size > 0, "the bot was killed with committed pages in its log"
        assert integrity(database) == ["ok"]
    core = await make_core(database_url=any_database_url)  # a restart on the same database
    async with core.history.engine.connect() as conn:
        stored = {
            (user, rec): vote
            for user, rec, vote in await conn.execute(
                select(Feedback.user_id, Feedback.recommendation_id, Feedback.vote)
            )
        }
        pick_counts = await conn.execute(
            select(func.count(RecommendationPick.rank))
            .select_from(Recommendation)
            .outerjoin(RecommendationPick)
            .group_by(Recommendation.id)
        )
        picks_per_answer = {n for (n,) in pick_counts}
    missing = {key: vote for key, vote in acks.items() if stored.get(key) != vote}
    assert not missing, f"{len(missing)} of {len(acks)} acknowledged votes are not stored as acknowledged"
    assert picks_per_answer == {core.options.picks_per_answer}  # no answer half-written

    sender = Sender("crash", "after-restart", "chat")
    answer = await core.recommend(sender, "Blinding Lights")
    assert answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None
    assert (await core.vote(sender, answer.recommendation_id, 1)).kind == AnswerKind.INFO
