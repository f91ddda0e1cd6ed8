"""Load: 10,000 /kpop commands from 1,000 simulated people, concurrently, each answer voted on.

Run: ``python -m benchmarks bench_load [--database-url URL]``. Goal on a 2-core
machine: at least 1,000 commands a second on SQLite (WAL), p99 under 20 ms,
and not one acknowledged vote missing from the database afterwards.

Every person sends ten commands one after another (a chat is sequential per
person) and votes 👍 or 👎 on each answer; all people run at once. Latency is
per command, from the text to the answer (the vote is timed apart). The
baseline measured in the same run is the core alone with storage writes
switched off (answers from memory only), so the ratio shows what storage costs.
The catalogue is the real shared data when present (``KPOP_SHARED_DATA`` or
``../shared/data``), else a synthetic one of the same size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable without installing it
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from bot.config import load_settings  # noqa: E402
from bot.core import KpopCore  # noqa: E402
from bot.library import Library  # noqa: E402
from bot.replies import AnswerKind, Sender  # noqa: E402
from bot.storage.catalogue_store import load_build, save_build  # noqa: E402
from bot.storage.engine import open_database  # noqa: E402
from bot.storage.history import History  # noqa: E402
from bot.storage.models import Feedback  # noqa: E402
from recommender.catalogue import Catalogue, ImportReport  # noqa: E402
from recommender.neighbours import build_tables  # noqa: E402
from recommender.sources import load_catalogue  # noqa: E402

PEOPLE = 1_000
COMMANDS_EACH = 10
REPO = Path(__file__).resolve().parents[1]


def catalogue() -> tuple[Catalogue, str]:
    shared = Path(os.environ.get("KPOP_SHARED_DATA", REPO.parent / "shared" / "data"))
    if shared.is_dir():
        return load_catalogue([shared])[0], f"real ({shared})"
    from benchmarks.bench_build import synthetic_catalogue

    return synthetic_catalogue(30_000, 12_000), "synthetic"


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


async def drive(core: KpopCore, texts: list[str], vote: bool) -> dict[str, float]:
    """Every person sends their commands in turn; all people at once. Returns figures."""
    latencies: list[float] = []
    vote_latencies: list[float] = []
    acknowledged: dict[tuple[str, int], int] = {}
    errors = 0

    async def person(index: int) -> None:
        nonlocal errors
        sender = Sender("load", f"person-{index}", f"chat-{index % 50}")
        rng = random.Random(index)
        for n in range(COMMANDS_EACH):
            started = time.perf_counter()
            answer = await core.handle_text(sender, "/kpop " + texts[index * COMMANDS_EACH + n])
            latencies.append(time.perf_counter() - started)
            if not vote or answer.kind != AnswerKind.PICKS or answer.recommendation_id is None:
                continue
            value = 1 if rng.random() < 0.6 else -1
            started = time.perf_counter()
            result = await core.vote(sender, answer.recommendation_id, value)
            vote_latencies.append(time.perf_counter() - started)
            if result.kind == AnswerKind.ERROR:
                errors += 1
            else:
                acknowledged[(sender.user_id, answer.recommendation_id)] = value

    started = time.perf_counter()
    await asyncio.gather(*(person(i) for i in range(PEOPLE)))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    figures = {
        "commands": float(len(latencies)),
        "seconds": elapsed,
        "commands_per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
    }
    if vote:
        vms = np.array(vote_latencies) * 1000
        figures |= {
            "votes_acknowledged": float(len(acknowledged)),
            "vote_errors": float(errors),
            "vote_p50_ms": float(np.percentile(vms, 50)) if len(vms) else 0.0,
            "vote_p99_ms": float(np.percentile(vms, 99)) if len(vms) else 0.0,
            "_acknowledged": acknowledged,  # type: ignore[dict-item]
        }
    return figures


class _MemoryOnly(History):
    """The baseline: the same core with every write skipped (answers from memory only)."""

    async def record(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
        return 0

    async def person(self, platform: str, user_id: str) -> tuple[set[str], dict[tuple[int, int], set[str]]]:
        return set(), {}


async def measure(database_url: str | None, folder: Path, cat: Catalogue) -> dict[str, float]:
    tables = build_tables(cat, "global", k_songs=50, k_artists=50)
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

        baseline = await drive(KpopCore(library, _MemoryOnly(engine), settings), texts, vote=False)

        async with engine.begin() as conn:  # start the measured run from an empty history
            for table in ("feedback", "recommendation_picks", "recommendations"):
                await conn.execute(text(f"delete from {table}"))
        history = History(engine)
        figures = await drive(KpopCore(library, history, settings), texts, vote=True)
        await history.close()
        acknowledged: dict[tuple[str, int], int] = figures.pop("_acknowledged")  # type: ignore[assignment]
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
    return figures | {
        "feedback_rows": float(rows),
        "lost_votes": float(lost),
        "baseline_commands_per_s": baseline["commands_per_s"],
        "baseline_p99_ms": baseline["p99_ms"],
        "storage_cost_ratio_p99": figures["p99_ms"] / baseline["p99_ms"],
    }


def run(database_url: str | None = None) -> dict[str, float]:
    cat, kind = catalogue()
    print(f"catalogue: {kind}, {len(cat.songs):,} songs")
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(measure(database_url, Path(folder), cat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="e.g. postgresql+asyncpg://...; default a temporary SQLite file")
    args = parser.parse_args(argv or [])
    figures = run(args.database_url)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}")
    verdict = {True: "met", False: "MISSED"}
    print(
        f"goal >= 1,000 commands/s: {verdict[figures['commands_per_s'] >= 1000]}; "
        f"goal p99 < 20 ms: {verdict[figures['p99_ms'] < 20]}; "
        f"goal no lost votes: {verdict[figures['lost_votes'] == 0 and figures['vote_errors'] == 0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
