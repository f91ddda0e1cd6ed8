"""Load: 10,000 /kpop commands from 1,000 simulated people through the core, each answer voted on.

Run: ``python -m benchmarks bench_load [--database-url URL | --postgres]``, or
``--history 1000,100000,1000000`` for the cost at each history size on SQLite
and PostgreSQL (below).
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
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import shared_data
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
from bot.storage.models import Feedback, Recommendation, RecommendationPick, utcnow
from bot.storage.vote_counts import read_changed, recount
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


# --- --history: ``bench_load --history N[,N...]``: what a vote and an answer cost with N answers already stored and voted on.
# 
# For each N and each engine (a temporary SQLite file, and a private PostgreSQL
# server), a fresh database is pre-filled with N answers of three picks, each
# voted on once (bulk inserts in big batches, the running counts recomputed once
# as migration 0008's backfill would, then a checkpoint), and the real core then
# measures: one vote (median, p90, p99 over sequential votes), answers at a
# steady 50 and 250 commands a second (p99 from when each was due), a burst of
# commands with votes (all people at once: commands a second), and the first
# read of everyone's counts. The smallest N is the baseline the others are
# compared with (ratio columns); the load average is printed beside every figure
# because the machine is shared.

BATCH = 50_000  # rows per executemany while pre-filling
VOTES_TIMED = 300
STEADY_SECONDS = 8.0


def _prefill(conn: Connection, n: int, song_keys: list[str]) -> None:
    """N answers, three picks each, each answer voted once by its asker; then the running counts from scratch."""
    rng = random.Random(n)
    now = utcnow()
    for start in range(1, n + 1, BATCH):
        ids = range(start, min(n + 1, start + BATCH))
        users = {i: f"old-{rng.randrange(max(1, n // 20))}" for i in ids}
        conn.execute(insert(Recommendation), [
            {"id": i, "platform": "load", "user_id": users[i], "chat_id": "c", "query": "q", "match_kind": "song",
             "match_id": 1, "match_label": "l", "page_offset": 0, "arm": "model", "created_at": now}
            for i in ids
        ])  # fmt: skip
        conn.execute(insert(RecommendationPick), [
            {"recommendation_id": i, "rank": r, "song_key": rng.choice(song_keys), "title": "t", "artist": "a",
             "distance": 0.1}
            for i in ids for r in (1, 2, 3)
        ])  # fmt: skip
        conn.execute(insert(Feedback), [
            {"platform": "load", "user_id": users[i], "recommendation_id": i, "pick_rank": 0,
             "vote": 1 if rng.random() < 0.6 else -1, "created_at": now, "updated_at": now}
            for i in ids
        ])  # fmt: skip
    recount(conn)


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


async def _checkpoint(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            await conn.execute(text("COMMIT"))
            await conn.exec_driver_sql("CHECKPOINT")
            await conn.exec_driver_sql("ANALYZE")


async def _votes(core: KpopCore, texts: list[str]) -> list[float]:
    """Sequential votes on fresh answers: the cost of one vote, nothing queued beside it."""
    sender = Sender("load", "voter", "chat-v")
    ms = []
    for n in range(VOTES_TIMED):
        answer = await core.recommend(Sender("load", f"asker-{n}", "chat-v"), texts[n % len(texts)])
        if answer.recommendation_id is None:
            continue
        started = time.perf_counter()
        await core.vote(sender, answer.recommendation_id, 1 if n % 3 else -1)
        ms.append((time.perf_counter() - started) * 1000)
    return ms


async def _steady(core: KpopCore, texts: list[str], rate: float, run: str) -> tuple[float, str]:
    """Commands (each voted on) sent at ``rate`` a second for a few seconds; p99 ms from when each was due."""
    loop = asyncio.get_running_loop()
    count = int(rate * STEADY_SECONDS)
    start = loop.time() + 0.2
    latencies: list[float] = []

    async def one(i: int) -> None:
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        sender = Sender("load", f"{run}-{i % 500}", f"chat-{i % 50}")
        answer = await core.handle_text(sender, "/kpop " + texts[i % len(texts)])
        latencies.append(loop.time() - due)
        if answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None:
            await core.vote(sender, answer.recommendation_id, 1)

    await asyncio.gather(*(one(i) for i in range(count)))
    return float(np.percentile(np.array(latencies) * 1000, 99)), _load()


async def _burst(core: KpopCore, texts: list[str], people: int = 500, each: int = 4) -> tuple[float, str]:
    """All people at once, back to back, each answer voted on: commands a second."""

    async def person(p: int) -> None:
        sender = Sender("load", f"burst-{p}", f"chat-{p % 50}")
        for n in range(each):
            answer = await core.handle_text(sender, "/kpop " + texts[(p * each + n) % len(texts)])
            if answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None:
                await core.vote(sender, answer.recommendation_id, -1 if n % 2 else 1)

    started = time.perf_counter()
    await asyncio.gather(*(person(p) for p in range(people)))
    return people * each / (time.perf_counter() - started), _load()


async def measure_one(
    url: str, folder: Path, library_of: Callable, korean_ids: list[int], texts: list[str], n: int
) -> dict[str, tuple[float, str]]:
    """Every figure at one N on one (empty) database, with the load average when it was taken."""
    settings = load_settings(KPOP_DATA_DIR=folder, KPOP_DATABASE_URL=url, KPOP_EXPERIMENT=False, KPOP_RATE_LIMIT_COUNT=100_000)
    engine = await open_database(url)
    try:
        library: Library = await library_of(engine)
        async with engine.begin() as conn:
            await conn.run_sync(_prefill, n, [library.song_key(i) for i in korean_ids])
        await _checkpoint(engine)
        started = time.perf_counter()
        counts, _ = await read_changed(engine, None)
        first_read = ((time.perf_counter() - started) * 1000, _load())
        history = History(engine)
        core = new_core(library, history, settings)
        vote_ms = np.array(await _votes(core, texts))
        figures = {
            "one vote median ms": (float(np.median(vote_ms)), _load()),
            "one vote p90 ms": (float(np.percentile(vote_ms, 90)), _load()),
            "one vote p99 ms": (float(np.percentile(vote_ms, 99)), _load()),
            "answer p99 ms @50/s": await _steady(core, texts, 50.0, f"s50-{n}"),
            "answer p99 ms @250/s": await _steady(core, texts, 250.0, f"s250-{n}"),
            "burst commands/s": await _burst(core, texts),
            f"first counts read ms ({len(counts):,} songs)": first_read,
        }
        await history.close()
        return figures
    finally:
        await engine.dispose()


def print_table(engine: str, results: dict[int, dict[str, tuple[float, str]]]) -> None:
    """One markdown table: a row per figure, a column per N (value, load average), ratio to the smallest N."""
    sizes = sorted(results)
    base = sizes[0]
    head = " | ".join(f"N = {n:,} (load)" for n in sizes)
    ratios = "".join(f" ratio N = {n:,} / {base:,} |" for n in sizes[1:])
    print(f"\n{engine}\n\n| figure | {head} |{ratios}")
    print("|---" * (2 * len(sizes)) + "|")
    names = list(results[base])
    for i, name in enumerate(names):
        cells = []
        for n in sizes:
            value, load = list(results[n].values())[i]
            cells.append(f"{value:,.1f} ({load})")
        base_value = list(results[base].values())[i][0]
        ratio = [f"{list(results[n].values())[i][0] / base_value:.2f}" if base_value else "–" for n in sizes[1:]]
        label = name.split(" (")[0] if name.startswith("first counts read") else name
        print(f"| {label} | " + " | ".join(cells + ratio) + " |")


def run_history(
    sizes: list[int], library_of: Callable, korean_ids: list[int], texts: list[str], postgres: bool = True
) -> None:
    """The tables for SQLite and (when its binaries are installed) PostgreSQL."""
    with ExitStack() as stack:
        engines: list[tuple[str, Iterator[str]]] = []
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        engines.append(("SQLite (WAL, temporary file)", (f"sqlite+aiosqlite:///{folder}/bot-{n}.db" for n in sizes)))
        if postgres:
            from bot.storage.scratch_postgres import private_server

            server = stack.enter_context(private_server())
            engines.append(("PostgreSQL (private server)", (asyncio.run(server.take_database()) for _ in sizes)))
        for name, urls in engines:
            results = {}
            for n, url in zip(sizes, urls):
                started = time.perf_counter()
                results[n] = asyncio.run(measure_one(url, folder, library_of, korean_ids, texts, n))
                print(f"{name}: N = {n:,} measured in {time.perf_counter() - started:.0f} s (load {_load()})", flush=True)
            print_table(name, results)


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
