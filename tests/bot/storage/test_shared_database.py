"""Two bot processes on one database record feedback without duplicates or losses (SQLite and PostgreSQL).

Two real OS processes (tests/support/processes/feedback_worker.py) start together on an empty
database, so both migrate it at once; each then runs its own core, writer and
connection pool, with people of its own and people voting on the same answers
from both processes at the same time. Afterwards the tables must hold exactly
the rows the acknowledged writes imply: one row per (person, answer, pick) with
its final vote, none for cleared votes, and every answer with its picks.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.chat.replies import Sender
from bot.storage.models import Feedback, Recommendation, RecommendationPick
import tests.support.processes.feedback_worker as worker
from tests.support.fixtures.core import CoreFactory

from tests.conftest import REPO_ROOT
SHARED_ANSWERS = 12
TIMEOUT_S = 120


async def start_worker(url: str, name: str, data_dir: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.processes.feedback_worker", url, name, str(data_dir),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT, env=env,
    )  # fmt: skip


async def read_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), TIMEOUT_S)).decode().strip()
    if not line:
        _, err = await process.communicate()
        raise AssertionError(f"worker exited with {process.returncode}:\n{err.decode()[-3000:]}")
    return line


def expected_votes(shared: list[int], results: dict[str, dict]) -> dict[tuple[str, int, int], int]:
    """(user, answer, pick) -> vote: the final shared votes, and each process's own people's votes."""
    expected = {
        (worker.shared_person(p), answer_id, rank): worker.final_vote(a, p, rank)
        for a, answer_id in enumerate(shared)
        for p in range(worker.SHARED_PEOPLE)
        for rank in worker.PICK_RANKS
    }
    for name, result in results.items():
        for i, own_id in enumerate(result["own_answers"]):
            for answer_id, rank, vote in worker.own_votes(own_id, shared[i % len(shared)]):
                expected[(worker.own_person(name, i), answer_id, rank)] = vote
    return {key: vote for key, vote in expected.items() if vote != 0}


async def test_two_processes_share_one_database(
    any_database_url: str, make_core: CoreFactory, tmp_path: Path
) -> None:
    names = ("one", "two")
    workers = {name: await start_worker(any_database_url, name, tmp_path) for name in names}
    try:
        core = await make_core(database_url=any_database_url, KPOP_RATE_LIMIT_COUNT=1_000)  # saves the build
        shared = []
        for n in range(SHARED_ANSWERS):
            answer = await core.recommend(Sender(worker.PLATFORM, f"asker-{n}", "chat"), worker.QUERIES[n % 4])
            assert answer.recommendation_id is not None
            shared.append(answer.recommendation_id)
        for process in workers.values():
            assert await read_line(process) == "ready"
        go = (json.dumps({"shared": shared}) + "\n").encode()
        for process in workers.values():
            assert process.stdin is not None
            process.stdin.write(go)
            await process.stdin.drain()
        results = {name: json.loads(await read_line(process)) for name, process in workers.items()}
        for process in workers.values():
            assert await asyncio.wait_for(process.wait(), TIMEOUT_S) == 0
    finally:
        for process in workers.values():
            if process.returncode is None:
                process.kill()
                await process.wait()

    for name, result in results.items():
        assert result["refused"] == 0, f"{name}: {result}"  # every write was acknowledged
        assert result["batch_retries"] == 0, f"{name}: {result}"  # and none had to be retried alone
    answers = SHARED_ANSWERS + len(names) * worker.OWN_PEOPLE
    async with core.history.engine.connect() as conn:
        assert (await conn.scalar(select(func.count()).select_from(Recommendation))) == answers
        assert (await conn.scalar(select(func.count()).select_from(RecommendationPick))) == 3 * answers
        rows = (
            await conn.execute(select(Feedback.user_id, Feedback.recommendation_id, Feedback.pick_rank, Feedback.vote))
        ).all()
    stored = {(user, answer_id, rank): vote for user, answer_id, rank, vote in rows}
    assert len(rows) == len(stored)  # no duplicates
    assert stored == expected_votes(shared, results)  # no losses, and every final vote
