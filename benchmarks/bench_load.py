"""Load: 10,000 /kpop commands from 1,000 simulated people through the core, each answer voted on.

Run: ``python -m benchmarks bench_load [--database-url URL | --postgres]``, or
``--history 1000,100000,1000000`` for the cost at each history size on SQLite
and PostgreSQL (:mod:`benchmarks.load_history`).
``--postgres`` starts a private throwaway PostgreSQL server for the run (the
test suite's, see bot/storage/scratch_postgres.py: needs the Debian packages).
Goals on a 2-core machine, on SQLite (WAL): at least 1,000 commands a second,
p99 under 20 ms, and not one acknowledged vote missing from the database.

Two runs, because one cannot show both goals: with 1,000 people each sending
their next command the moment the last is answered, a command waits for the
others' (Little's law: 1,000 people in flight at 1,000 commands/s is a second
per command, however fast each one is). So:

* **saturation**: all 1,000 people at once, back to back; commands per second
  is the most the core can serve (its latency is mostly queueing).
* **at 1,000/s** (``--rate`` to choose another): the same 10,000 commands
  sent at a steady 1,000 a second (each person once a second); latency is from the moment a command was due
  to its answer, so a core that falls behind shows it.

Every answer is voted 👍 or 👎 right after it (timed apart). The baseline
measured in the same run is the saturation run with storage switched off
(answers from memory only), so the ratio shows what storage costs. CPU
seconds per command are printed too: on a shared machine wall time is noisy.
The catalogue is the real shared data when present (``KPOP_SHARED_DATA`` or
``../shared/data``), else a synthetic one of the same size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np


from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import shared_data
from benchmarks.load_history import run_history
from bot.app.config import load_settings
from bot.app.runtime import new_core
from bot.chat.core import KpopCore
from bot.chat.library import Library
from bot.chat.replies import AnswerKind, Sender
from bot.app.runtime import settle_memory
from bot.ops.build import BuildOptions
from bot.storage.catalogue_store import load_build, save_build
from bot.storage.engine import describe_url, open_database
from bot.storage.answer_log import AnswerLog, AnswerRecord
from bot.storage.history import History
from bot.storage.vote_log import VoteLog
from bot.storage.models import Feedback
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.sources import load_catalogue
from recommender.catalogue.synthetic import sided_catalogue

PEOPLE = 1_000
COMMANDS_EACH = 10
TARGET_RATE = 1_000.0  # commands a second in the steady run
SYNTHETIC_SEED = 20240607  # the catalogue bench_build measures, at the real one's size


def catalogue() -> tuple[Catalogue, str]:
    shared = shared_data()
    if shared.is_dir():
        return load_catalogue([shared])[0], f"real ({shared})"
    return sided_catalogue(30_000, 12_000, SYNTHETIC_SEED), "synthetic"


def queries(cat: Catalogue, n: int, seed: int = 5) -> list[str]:
    """Titles and artist names as people type them: mostly exact, some lower-cased or cut short."""
    rng = random.Random(seed)
    titles = cat.songs.loc[~cat.songs["korean"], "title"].tolist()
    artists = cat.artists.loc[~cat.artists["korean"], "name"].tolist()
    out = []
    for _ in range(n):
        q = rng.choice(titles) if rng.random() < 0.7 else rng.choice(artists)
        if rng.random() < 0.3:
            q = q.lower()
        out.append(q)
    return out


async def drive(
    core: KpopCore, texts: list[str], vote: bool, *, run: str, rate: float | None = None
) -> dict[str, float]:
    """Every person sends their commands in turn: back to back, or each when due at ``rate`` a second."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    vote_latencies: list[float] = []
    acknowledged: dict[tuple[str, int], int] = {}
    errors = 0
    start = loop.time() + 0.2  # everyone is scheduled before the first command is due

    async def person(index: int) -> None:
        nonlocal errors
        sender = Sender("load", f"{run}-{index}", f"chat-{index % 50}")
        rng = random.Random(index)
        for n in range(COMMANDS_EACH):
            started = loop.time()
            if rate is not None:  # command number n * PEOPLE + index is due at its slot
                started = start + (n * PEOPLE + index) / rate
                await asyncio.sleep(max(0.0, started - loop.time()))
            answer = await core.handle_text(sender, "/kpop " + texts[index * COMMANDS_EACH + n])
            latencies.append(loop.time() - started)
            if not vote or answer.kind != AnswerKind.PICKS or answer.recommendation_id is None:
                continue
            value = 1 if rng.random() < 0.6 else -1
            voted = loop.time()
            result = await core.vote(sender, answer.recommendation_id, value)
            vote_latencies.append(loop.time() - voted)
            if result.kind == AnswerKind.ERROR:
                errors += 1
            else:
                acknowledged[(sender.user_id, answer.recommendation_id)] = value

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(person(i) for i in range(PEOPLE)))
    cpu, elapsed = time.process_time() - cpu, time.perf_counter() - wall
    ms = np.array(latencies) * 1000
    figures = {
        "commands_per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "cpu_ms_per_command": cpu * 1000 / len(latencies),
    }
    if vote:
        vms = np.array(vote_latencies) * 1000
        figures |= {
            "vote_errors": float(errors),
            "vote_p50_ms": float(np.percentile(vms, 50)) if len(vms) else 0.0,
            "vote_p99_ms": float(np.percentile(vms, 99)) if len(vms) else 0.0,
            "_acknowledged": acknowledged,  # type: ignore[dict-item]
        }
    return figures


class _UnrecordedAnswers(AnswerLog):
    async def record(self, answer: AnswerRecord) -> int:
        return 0


class _NobodysVotes(VoteLog):
    async def person(self, platform: str, user_id: str) -> tuple[set[str], dict[tuple[int, int], set[str]]]:
        return set(), {}


class _MemoryOnly(History):
    """The baseline: the same core with every write skipped (answers from memory only)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.answers = _UnrecordedAnswers(engine, self.writer)
        self.votes = _NobodysVotes(engine, self.writer)


async def measure(database_url: str | None, folder: Path, cat: Catalogue, rate: float) -> dict[str, float]:
    defaults = BuildOptions()  # the tables `kpop-bot build` makes: the blend's candidates depend on their width
    tables = build_tables(cat, "global", k_songs=defaults.k_songs, k_artists=defaults.k_artists)
    settings = load_settings(
        KPOP_DATA_DIR=folder,
        KPOP_DATABASE_URL=database_url,
        KPOP_EXPERIMENT=True,
        KPOP_RATE_LIMIT_COUNT=1_000,
    )
    engine = await open_database(settings.resolved_database_url)
    try:
        await save_build(engine, cat, tables, sources=["bench"], report=ImportReport())
        stored = await load_build(engine)
        assert stored is not None
        library = Library.from_build(stored)
        texts = queries(cat, PEOPLE * COMMANDS_EACH)
        settle_memory()  # as a worker does before serving

        baseline = await drive(new_core(library, _MemoryOnly(engine), settings), texts, vote=False, run="baseline")

        async with engine.begin() as conn:  # start the measured runs from an empty history
            for table in ("feedback", "recommendation_picks", "recommendations"):
                await conn.execute(text(f"delete from {table}"))
        history = History(engine)
        core = new_core(library, history, settings)
        saturated = await drive(core, texts, vote=True, run="saturation")
        steady = await drive(core, texts, vote=True, run="steady", rate=rate)
        await history.close()
        acknowledged = saturated.pop("_acknowledged") | steady.pop("_acknowledged")  # type: ignore[operator]
        async with engine.connect() as conn:
            stored_votes = {
                (user, rec): vote
                for user, rec, vote in await conn.execute(
                    select(Feedback.user_id, Feedback.recommendation_id, Feedback.vote)
                )
            }
            rows = (await conn.execute(select(func.count()).select_from(Feedback))).scalar_one()
    finally:
        await engine.dispose()
    lost = sum(1 for key, vote in acknowledged.items() if stored_votes.get(key) != vote)
    return (
        {f"saturation_{name}": value for name, value in saturated.items()}
        | {f"at_{rate:.0f}_per_s_{name}": value for name, value in steady.items()}
        | {
            "votes_acknowledged": float(len(acknowledged)),
            "feedback_rows": float(rows),
            "lost_votes": float(lost),
            "baseline_commands_per_s": baseline["commands_per_s"],
            "baseline_cpu_ms_per_command": baseline["cpu_ms_per_command"],
            "storage_cost_ratio_cpu": saturated["cpu_ms_per_command"] / baseline["cpu_ms_per_command"],
        }
    )


def run(database_url: str | None = None, postgres: bool = False, rate: float = TARGET_RATE) -> dict[str, float]:
    cat, kind = catalogue()
    print(f"catalogue: {kind}, {len(cat.songs):,} songs; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        if postgres:
            from bot.storage.scratch_postgres import private_server  # the test suite's throwaway server

            database_url = asyncio.run(stack.enter_context(private_server()).take_database())
            print("database: a private PostgreSQL server")
        else:
            print(f"database: {describe_url(database_url) if database_url else 'a temporary SQLite file'}")
        return asyncio.run(measure(database_url, Path(folder), cat, rate))


def history(sizes: list[int], postgres: bool) -> int:
    """The ``--history`` tables: the same catalogue and queries at every N."""
    cat, kind = catalogue()
    defaults = BuildOptions()
    tables = build_tables(cat, "global", k_songs=defaults.k_songs, k_artists=defaults.k_artists)
    korean_ids = [int(i) for i in np.flatnonzero(cat.songs["korean"].to_numpy())]
    print(f"catalogue: {kind}, {len(cat.songs):,} songs; load average {os.getloadavg()[0]:.2f}")

    async def library_of(engine: AsyncEngine) -> Library:
        await save_build(engine, cat, tables, sources=["bench"], report=ImportReport())
        stored = await load_build(engine)
        assert stored is not None
        return Library.from_build(stored)

    settle_memory()
    run_history(sizes, library_of, korean_ids, queries(cat, 5_000), postgres)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="e.g. postgresql+asyncpg://...; default a temporary SQLite file")
    where.add_argument("--postgres", action="store_true", help="start a private PostgreSQL server for the run")
    parser.add_argument("--rate", type=float, default=TARGET_RATE,
                        help=f"commands a second in the steady run (default {TARGET_RATE:,.0f}, the goal)")
    parser.add_argument("--history", help="comma-separated numbers of answers stored (and voted on) beforehand, "
                        "e.g. 1000,100000,1000000: print a table per engine instead")
    parser.add_argument("--sqlite-only", action="store_true", help="with --history: skip PostgreSQL")
    args = parser.parse_args(argv or [])
    if args.history:
        return history(sorted(int(n.replace("_", "")) for n in args.history.split(",")), not args.sqlite_only)
    figures = run(args.database_url, args.postgres, args.rate)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    verdict = {True: "met", False: "MISSED"}
    steady = f"at_{args.rate:.0f}_per_s"
    refused = figures["saturation_vote_errors"] + figures[f"{steady}_vote_errors"]
    print(
        f"goal >= 1,000 commands/s: {verdict[figures['saturation_commands_per_s'] >= 1000]}; "
        f"goal p99 < 20 ms at {args.rate:,.0f}/s: {verdict[figures[f'{steady}_p99_ms'] < 20]}; "
        f"goal no lost votes: {verdict[figures['lost_votes'] == 0 and refused == 0]}"
    )
    return 0
