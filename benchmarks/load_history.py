"""``bench_load --history N[,N...]``: what a vote and an answer cost with N answers already stored and voted on.

For each N and each engine (a temporary SQLite file, and a private PostgreSQL
server), a fresh database is pre-filled with N answers of three picks, each
voted on once (bulk inserts in big batches, the running counts recomputed once
as migration 0008's backfill would, then a checkpoint), and the real core then
measures: one vote (median, p90, p99 over sequential votes), answers at a
steady 50 and 250 commands a second (p99 from when each was due), a burst of
commands with votes (all people at once: commands a second), and the first
read of everyone's counts. The smallest N is the baseline the others are
compared with (ratio columns); the load average is printed beside every figure
because the machine is shared.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from bot.app.config import load_settings
from bot.app.runtime import new_core
from bot.chat.core import KpopCore
from bot.chat.library import Library
from bot.chat.replies import AnswerKind, Sender
from bot.storage.engine import open_database
from bot.storage.history import History
from bot.storage.models import Feedback, Recommendation, RecommendationPick, utcnow
from bot.storage.vote_counts import read_changed, recount

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
