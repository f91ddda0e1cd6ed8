"""Previews (inline mode): picks offered while typing, never recorded, with their own rate limit."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.chat.core import KpopCore
from bot.chat.replies import AnswerKind, Sender
from bot.storage.models import Recommendation
from tests.support.fixtures.core import CoreFactory

ALICE = Sender("test", "alice", "inline")


async def recommendations(core: KpopCore) -> int:
    async with core.history.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(Recommendation))).scalar_one()


async def test_a_confident_match_previews_one_answer_and_records_nothing(core: KpopCore) -> None:
    [answer] = await core.preview(ALICE, "blinding lights")
    assert answer.kind == AnswerKind.PICKS
    assert answer.match is not None and answer.match.title == "Blinding Lights"
    assert len(answer.picks) == 3 and answer.recommendation_id is None
    assert await recommendations(core) == 0


async def test_an_unsure_match_previews_each_choice(core: KpopCore) -> None:
    asked = await core.recommend(ALICE, "Stai")
    assert asked.kind == AnswerKind.DID_YOU_MEAN
    previews = await core.preview(ALICE, "Stai")
    assert [a.kind for a in previews] == [AnswerKind.PICKS] * len(asked.suggestions)
    assert [a.match for a in previews] == list(asked.suggestions)
    assert all(a.picks and a.query == "Stai" for a in previews)


async def test_nothing_to_preview_says_why(core: KpopCore) -> None:
    [missing] = await core.preview(ALICE, "qwertyuiop zxcvbnm")
    assert missing.kind == AnswerKind.NOT_FOUND
    [empty] = await core.preview(ALICE, "\u200b ")
    assert empty.kind == AnswerKind.ERROR


async def test_previews_have_a_rate_limit_of_their_own(make_core: CoreFactory) -> None:
    core = await make_core(KPOP_RATE_LIMIT_COUNT=2)
    for _ in range(2):
        assert (await core.preview(ALICE, "blinding lights"))[0].kind == AnswerKind.PICKS
    [limited] = await core.preview(ALICE, "blinding lights")
    assert limited.kind == AnswerKind.RATE_LIMITED
    assert (await core.recommend(ALICE, "blinding lights")).kind == AnswerKind.PICKS  # commands unaffected
