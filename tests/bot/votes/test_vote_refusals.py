"""Votes that can never be saved are refused plainly, not thanked and not met with "try again"."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.chat.core import KpopCore
from bot.chat.replies import AnswerKind, Sender
from bot.storage.models import Feedback

ALICE = Sender("test", "alice", "chat-1")
BOB = Sender("test", "bob", "chat-1")


async def stored_votes(core: KpopCore) -> int:
    async with core.history.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(Feedback)) or 0)


@pytest.mark.parametrize("rank", [10**6, -3, 4])
async def test_a_vote_on_a_pick_the_answer_never_had_is_refused(core: KpopCore, rank: int) -> None:
    answer = await core.recommend(ALICE, "Blinding Lights")
    assert answer.recommendation_id and len(answer.picks) == 3

    said = await core.vote(ALICE, answer.recommendation_id, 1, pick_rank=rank)

    assert said.kind == AnswerKind.ERROR and "no pick" in said.text and "try again" not in said.text
    assert await stored_votes(core) == 0
    assert (await core.vote(ALICE, answer.recommendation_id, 1, pick_rank=3)).kind == AnswerKind.INFO  # a real one is fine
    assert await stored_votes(core) == 1


async def test_a_vote_on_a_forgotten_answer_says_it_is_gone(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Blinding Lights")
    assert answer.recommendation_id
    await core.forget(ALICE)

    said = await core.vote(BOB, answer.recommendation_id, -1, pick_rank=1)

    assert said.kind == AnswerKind.ERROR and "can't find that answer" in said.text and "try again" not in said.text
    assert await stored_votes(core) == 0


async def test_one_refused_vote_does_not_sink_the_others_written_with_it(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Blinding Lights")
    assert answer.recommendation_id
    said = await asyncio.gather(
        core.vote(ALICE, answer.recommendation_id, 1, pick_rank=1),
        core.vote(BOB, answer.recommendation_id, 1, pick_rank=99),
        core.vote(BOB, answer.recommendation_id, -1, pick_rank=2),
    )
    assert [s.kind for s in said] == [AnswerKind.INFO, AnswerKind.ERROR, AnswerKind.INFO]
    assert await stored_votes(core) == 2
