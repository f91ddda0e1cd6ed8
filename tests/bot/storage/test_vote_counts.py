"""Running vote counts (bot.storage.vote_counts) stay equal to a count from scratch, on SQLite and PostgreSQL.

Counts move in each vote's own transaction; these tests drive many concurrent
writers with random votes, changes, retractions and a forgotten person, and
then compare the tables with what the vote rows imply, computed here in Python,
and with :func:`~bot.storage.vote_counts.recount`.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.answer_log import AnswerRecord, PickRecord
from bot.storage.engine import create_engine, migrate, open_database
from bot.storage.history import History
from bot.storage.models import Feedback, PersonSongVote, Recommendation, RecommendationPick, SongVoteCount, utcnow
from bot.storage.vote_counts import SongVotes, recount

SONGS = [f"song-{n}" for n in range(8)]  # few songs, so answers and people overlap on them
PEOPLE = [f"person-{n}" for n in range(6)]


async def snapshot(engine: AsyncEngine) -> tuple[dict[str, SongVotes], dict[tuple[str, str, int], int]]:
    """The counts tables as stored: per song (zero rows left out), and per (song, person, sign)."""
    async with engine.connect() as conn:
        songs = {
            key: SongVotes(up, down)
            for key, up, down in await conn.execute(select(SongVoteCount.song_key, SongVoteCount.up, SongVoteCount.down))
            if up or down
        }
        people = {
            (key, user, vote): n
            for key, user, vote, n in await conn.execute(
                select(PersonSongVote.song_key, PersonSongVote.user_id, PersonSongVote.vote, PersonSongVote.votes)
            )
        }
    return songs, people


async def from_scratch(engine: AsyncEngine) -> tuple[dict[str, SongVotes], dict[tuple[str, str, int], int]]:
    """What the vote rows imply, counted here without SQL aggregation."""
    async with engine.connect() as conn:
        picks: dict[int, dict[int, str]] = defaultdict(dict)
        for rec, rank, key in await conn.execute(
            select(RecommendationPick.recommendation_id, RecommendationPick.rank, RecommendationPick.song_key)
        ):
            picks[rec][rank] = key
        votes = list(await conn.execute(select(Feedback.user_id, Feedback.recommendation_id, Feedback.pick_rank, Feedback.vote)))
    people: dict[tuple[str, str, int], int] = defaultdict(int)
    for user, rec, rank, vote in votes:
        for r, key in picks[rec].items():
            if vote and (rank == 0 or rank == r):
                people[(key, user, vote)] += 1
    songs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, _, vote in people:
        songs[key][0 if vote > 0 else 1] += 1
    return {key: SongVotes(*ud) for key, ud in songs.items()}, dict(people)


async def record_answers(history: History, rng: random.Random, n: int) -> list[int]:
    ids = []
    for i in range(n):
        keys = rng.sample(SONGS, 3)
        picks = [PickRecord(rank, key, key, "artist", 0.1) for rank, key in enumerate(keys, start=1)]
        answer = AnswerRecord("test", rng.choice(PEOPLE), "chat", f"q{i}", "song", 1, "label", "model", picks)
        ids.append(await history.answers.record(answer))
    return ids


async def test_concurrent_votes_changes_and_removals_leave_counts_equal_to_a_recount(any_database_url: str) -> None:
    rng = random.Random(15)
    engine = await open_database(any_database_url)
    other = create_engine(any_database_url)  # a second process's pool and writer
    first, second = History(engine), History(other)
    try:
        answers = await record_answers(first, rng, 12)

        async def voter(history: History, seed: int) -> None:
            r = random.Random(seed)
            for _ in range(40):
                person, answer, rank = r.choice(PEOPLE), r.choice(answers), r.randint(0, 3)
                if r.random() < 0.2:
                    await history.votes.retract("test", person, answer, rank, r.choice((-1, 1)))
                else:
                    await history.votes.vote("test", person, answer, rank, r.choice((-1, 0, 1, 1)))

        await asyncio.gather(*(voter(h, seed) for seed, h in enumerate([first, second] * 4)))
        counted = await snapshot(engine)
        assert counted == await from_scratch(engine)
        assert counted[0], "the random mix left no votes: the test would prove nothing"

        await first.forget("test", PEOPLE[0])
        assert await snapshot(engine) == await from_scratch(engine)
        async with engine.begin() as conn:
            await conn.run_sync(recount)
        assert await snapshot(engine) == await from_scratch(engine)
    finally:
        await first.close()
        await second.close()
        await other.dispose()
        await engine.dispose()


async def test_migration_0008_backfills_the_counts_from_votes_stored_at_0006(any_database_url: str) -> None:
    engine = create_engine(any_database_url)
    try:
        await migrate(engine, "0006")
        now = utcnow()
        async with engine.begin() as conn:
            await conn.execute(insert(Recommendation), [
                {"id": rec, "platform": "test", "user_id": "asker", "chat_id": "c", "query": "q", "match_kind": "song",
                 "match_id": 1, "match_label": "l", "page_offset": 0, "arm": "model", "created_at": now}
                for rec in (1, 2)
            ])  # fmt: skip
            await conn.execute(insert(RecommendationPick), [
                {"recommendation_id": rec, "rank": rank, "song_key": key, "title": key, "artist": "a", "distance": 0.1}
                for rec, keys in ((1, ["a", "b"]), (2, ["b", "c"]))
                for rank, key in enumerate(keys, start=1)
            ])  # fmt: skip
            await conn.execute(insert(Feedback), [
                {"platform": "test", "user_id": user, "recommendation_id": rec, "pick_rank": rank, "vote": vote,
                 "created_at": now, "updated_at": now}
                for user, rec, rank, vote in [
                    ("ann", 1, 0, -1),  # a and b down
                    ("ann", 2, 1, -1),  # b down again: ann still counts once for b
                    ("bob", 2, 0, 1),  # b and c up
                    ("cat", 1, 2, 1),  # b up
                ]
            ])  # fmt: skip
        await migrate(engine)
        songs, people = await snapshot(engine)
        assert songs == {"a": SongVotes(0, 1), "b": SongVotes(2, 1), "c": SongVotes(1, 0)}
        assert (songs, people) == await from_scratch(engine)
        assert people[("b", "ann", -1)] == 2
    finally:
        await engine.dispose()
