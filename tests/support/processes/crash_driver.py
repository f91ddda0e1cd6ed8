"""A bot process for tests/bot/storage/test_crash.py to kill: a real core answering and voting flat out.

Run as ``python -m tests.support.processes.crash_driver DATABASE_URL DATA_DIR``. The process opens
the database (migrating it, and saving the test catalogue's build when there is
none), prints ``ready``, then runs a burst that only ends when it is killed:
many people at once, each asking for picks and voting 👍 or 👎 on every answer.
After each vote the core acknowledged (``KpopCore.vote`` returned its thanks,
so the vote is committed) it prints one line ``ack USER RECOMMENDATION VOTE``
and flushes, so the killer knows exactly which votes were promised. A safety
limit ends the burst after ``MAX_SECONDS`` should the killer itself die.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import time
from pathlib import Path

from bot.app.config import load_settings
from bot.app.runtime import new_core
from bot.chat.core import KpopCore
from bot.chat.library import Library
from bot.chat.replies import AnswerKind, Sender
from bot.storage.catalogue_store import load_build, save_build
from bot.storage.engine import open_database
from bot.storage.history import History
from recommender.catalogue.catalogue import ImportReport
from recommender.ranking.neighbours import build_tables
from tests.support.fixtures.core import small_catalogue

PLATFORM = "crash"
PEOPLE = 40
QUERIES = ("Blinding Lights", "Taylor Swift", "Shape of You", "Bad Guy", "Starboy", "Perfect")
MAX_SECONDS = 120.0


async def burst(core: KpopCore) -> None:
    deadline = time.monotonic() + MAX_SECONDS

    async def person(i: int) -> None:
        rng = random.Random(i)
        for round_ in itertools.count():
            if time.monotonic() > deadline:
                return
            # a new person every few rounds: someone who disliked every song would get no more picks
            sender = Sender(PLATFORM, f"person-{i}-{round_ // 4}", f"chat-{i % 7}")
            answer = await core.recommend(sender, rng.choice(QUERIES))
            if answer.recommendation_id is None:  # not recorded (or no picks): nothing to vote on
                await asyncio.sleep(0)
                continue
            vote = rng.choice((1, -1))
            thanks = await core.vote(sender, answer.recommendation_id, vote)
            if thanks.kind == AnswerKind.INFO:
                sys.stdout.write(f"ack {sender.user_id} {answer.recommendation_id} {vote}\n")
                sys.stdout.flush()

    await asyncio.gather(*(person(i) for i in range(PEOPLE)))


async def main(url: str, data_dir: Path) -> None:
    settings = load_settings(
        KPOP_DATA_DIR=data_dir, KPOP_DATABASE_URL=url, KPOP_EXPERIMENT=False, KPOP_RATE_LIMIT_COUNT=1_000_000
    )
    engine = await open_database(url)
    try:
        stored = await load_build(engine)
        if stored is None:
            catalogue = small_catalogue()
            tables = build_tables(catalogue, "global", k_songs=20, k_artists=20)
            await save_build(engine, catalogue, tables, sources=["test"], report=ImportReport())
            stored = await load_build(engine)
            assert stored is not None
        history = History(engine)
        print("ready", flush=True)
        await burst(new_core(Library.from_build(stored), history, settings))
        await history.close()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
