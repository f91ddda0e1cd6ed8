"""Running vote counts per song, moved in each vote's own transaction so reading them costs the same on day 300.

Counting everyone's votes from the ``feedback`` rows means joining every vote
ever given with the songs it reaches: it grew with history (1.8 s at 100,000
answers). Instead each vote's transaction moves two small tables:

* ``person_song_votes``: per (song, person, sign) how many of that person's
  votes reach the song (a vote on a whole answer reaches all its songs). A
  person counts once per song and sign, so only a count going 0 → 1 or 1 → 0
  moves the song's count;
* ``song_vote_counts``: the distinct people up and down per song, with the
  time it last changed, so a reader can fetch only what changed.

Both move in the same transaction as the vote rows, so they cannot drift from
them; :func:`recount` recomputes them from the vote rows (the migration's
backfill, forgetting a person, and the tests' check). Rows are written in key
order so that concurrent transactions lock shared rows in the same order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import Feedback, PersonSongVote, RecommendationPick, SongVoteCount, utcnow
from bot.storage.writer import dialect_insert

__all__ = ["CHANGE_OVERLAP", "SongVotes", "VoteChange", "apply_changes", "read_changed", "read_shown", "recount"]

#: A read "since" a time starts this much earlier, so a vote committed just after the last read
#: (its transaction took its time after stamping the row) or stamped by a process whose clock lags is not missed.
CHANGE_OVERLAP = timedelta(seconds=10)

#: (platform, user id, recommendation id, pick rank, old vote, new vote); a vote is -1, 0 (none) or +1.
VoteChange = tuple[str, str, int, int, int, int]


@dataclass(frozen=True)
class SongVotes:
    """Distinct people who voted a song up and down (each person counts once per song)."""

    up: int = 0
    down: int = 0


def apply_changes(conn: Connection, changes: Iterable[VoteChange]) -> None:
    """Move the counts by a batch of stored vote changes, inside the transaction that stored them."""
    moved = [c for c in changes if c[4] != c[5]]
    if not moved:
        return
    pick = RecommendationPick.__table__
    answers = sorted({c[2] for c in moved})
    songs_of: dict[int, dict[int, str]] = defaultdict(dict)
    for rec_id, rank, key in conn.execute(
        select(pick.c.recommendation_id, pick.c.rank, pick.c.song_key).where(pick.c.recommendation_id.in_(answers))
    ):
        songs_of[rec_id][rank] = key
    delta: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for platform, user_id, rec_id, rank, old, new in moved:
        picks = songs_of.get(rec_id, {})
        reached = set(picks.values()) if rank == 0 else {picks[rank]} if rank in picks else set()
        for song in reached:
            if old:
                delta[(song, platform, user_id, old)] -= 1
            if new:
                delta[(song, platform, user_id, new)] += 1
    rows = [
        {"song_key": s, "platform": p, "user_id": u, "vote": v, "votes": n}
        for (s, p, u, v), n in sorted(delta.items())
        if n
    ]
    if not rows:
        return
    upsert = dialect_insert(conn, PersonSongVote).values(rows)
    upsert = upsert.on_conflict_do_update(
        index_elements=["song_key", "platform", "user_id", "vote"],
        set_={"votes": PersonSongVote.__table__.c.votes + upsert.excluded.votes},
    ).returning(PersonSongVote.song_key, PersonSongVote.platform, PersonSongVote.user_id, PersonSongVote.vote, PersonSongVote.votes)
    people: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    gone = []
    for song, platform, user_id, vote, now in conn.execute(upsert):
        before = now - delta[(song, platform, user_id, vote)]
        step = (now > 0) - (before > 0)
        people[song][0 if vote > 0 else 1] += step
        if now <= 0:
            gone.append((song, platform, user_id, vote))
    if gone:
        psv = PersonSongVote.__table__
        conn.execute(delete(psv).where(tuple_(psv.c.song_key, psv.c.platform, psv.c.user_id, psv.c.vote).in_(gone)))
    _move_songs(conn, {song: (up, down) for song, (up, down) in people.items() if up or down})


def _move_songs(conn: Connection, steps: dict[str, tuple[int, int]]) -> None:
    """Add (up, down) steps to songs' counts, creating rows for songs counted the first time."""
    if not steps:
        return
    now = utcnow()
    rows = [{"song_key": s, "up": u, "down": d, "changed_at": now} for s, (u, d) in sorted(steps.items())]
    table = SongVoteCount.__table__
    upsert = dialect_insert(conn, SongVoteCount)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["song_key"],
            set_={
                "up": table.c.up + upsert.excluded.up,
                "down": table.c.down + upsert.excluded.down,
                "changed_at": upsert.excluded.changed_at,
            },
        ),
        rows,
    )


def votes_on_pick(pick):  # type: ignore[no-untyped-def]
    """Join condition: a vote on this pick itself, or on the whole answer that showed it."""
    return and_(
        Feedback.recommendation_id == pick.c.recommendation_id,
        or_(Feedback.pick_rank == 0, Feedback.pick_rank == pick.c.rank),
    )


def recount(conn: Connection, songs: Collection[str] | None = None) -> None:
    """Recompute the counts of ``songs`` (all when None) from the vote rows; songs left without votes count 0."""
    pick, psv, counts = RecommendationPick.__table__, PersonSongVote.__table__, SongVoteCount.__table__
    per_person = (
        select(pick.c.song_key, Feedback.platform, Feedback.user_id, Feedback.vote, func.count())
        .join(Feedback, votes_on_pick(pick))
        .where(Feedback.vote != 0)
        .group_by(pick.c.song_key, Feedback.platform, Feedback.user_id, Feedback.vote)
    )
    clear = delete(psv)
    totals = select(
        psv.c.song_key, func.sum(case((psv.c.vote > 0, 1), else_=0)), func.sum(case((psv.c.vote < 0, 1), else_=0))
    ).group_by(psv.c.song_key)
    if songs is not None:
        keys = bindparam("keys", sorted(songs), expanding=True)
        per_person = per_person.where(pick.c.song_key.in_(keys))
        clear = clear.where(psv.c.song_key.in_(keys))
        totals = totals.where(psv.c.song_key.in_(keys))
        known = set(songs)
    else:
        known = set(conn.execute(select(counts.c.song_key)).scalars())
    conn.execute(clear)
    conn.execute(psv.insert().from_select(["song_key", "platform", "user_id", "vote", "votes"], per_person))
    fresh = {song: (int(up), int(down)) for song, up, down in conn.execute(totals)}
    now = utcnow()
    rows = [
        {"song_key": s, "up": fresh.get(s, (0, 0))[0], "down": fresh.get(s, (0, 0))[1], "changed_at": now}
        for s in sorted(known | fresh.keys())
    ]
    if rows:
        upsert = dialect_insert(conn, SongVoteCount)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=["song_key"],
                set_={"up": upsert.excluded.up, "down": upsert.excluded.down, "changed_at": upsert.excluded.changed_at},
            ),
            rows,
        )


async def read_changed(engine: AsyncEngine, since: datetime | None) -> tuple[dict[str, SongVotes], datetime]:
    """The counts of songs changed since ``since`` (all songs when None), and the ``since`` of the next read.

    The next ``since`` is when this read started, less :data:`CHANGE_OVERLAP`.
    """
    started = utcnow()
    table = SongVoteCount.__table__
    stmt = select(table.c.song_key, table.c.up, table.c.down)
    if since is not None:
        stmt = stmt.where(table.c.changed_at >= since)
    async with engine.connect() as conn:
        counts = {key: SongVotes(int(up), int(down)) for key, up, down in await conn.execute(stmt)}
    return counts, started - CHANGE_OVERLAP


async def read_shown(engine: AsyncEngine, shown_in: Collection[int]) -> dict[str, SongVotes]:
    """The counts of every song the given answers showed, songs without votes included (as 0)."""
    pick, table = RecommendationPick.__table__, SongVoteCount.__table__
    stmt = (
        select(pick.c.song_key, table.c.up, table.c.down)
        .outerjoin(table, table.c.song_key == pick.c.song_key)
        .where(pick.c.recommendation_id.in_(list(shown_in)))
        .distinct()
    )
    async with engine.connect() as conn:
        return {key: SongVotes(int(up or 0), int(down or 0)) for key, up, down in await conn.execute(stmt)}
