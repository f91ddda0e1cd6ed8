"""Forgetting a person: everything they typed goes, wherever it was copied, and however late it was written."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sqlalchemy import select

from bot.chat.core import KpopCore
from bot.chat.replies import AnswerKind, Sender
from bot.storage.models import Recommendation

ALICE = Sender("test", "alice", "chat-1")
BOB = Sender("test", "bob", "chat-1")
CAROL = Sender("test", "carol", "chat-2")
TYPED = "blinding lights"


async def stored(core: KpopCore) -> list[tuple[str, str, str]]:
    async with core.history.engine.connect() as conn:
        rows = await conn.execute(select(Recommendation.user_id, Recommendation.chat_id, Recommendation.query))
        return sorted(tuple(row) for row in rows)  # type: ignore[misc]


async def test_a_more_on_their_answer_keeps_no_copy_of_what_they_typed(core: KpopCore) -> None:
    mine = await core.recommend(ALICE, TYPED)
    assert mine.kind == AnswerKind.PICKS and mine.recommendation_id
    bobs_more = await core.more(BOB, mine.recommendation_id)  # Bob pages on from Alice's answer
    assert bobs_more.kind == AnswerKind.PICKS
    await core.recommend(CAROL, TYPED)  # the same words typed in another chat are Carol's own
    assert (await stored(core)).count(("bob", "chat-1", TYPED)) == 1

    await core.forget(ALICE)

    rows = await stored(core)
    assert [r for r in rows if r[0] == "alice"] == []
    assert ("bob", "chat-1", TYPED) not in rows
    assert ("bob", "chat-1", "Blinding Lights — The Weeknd") in rows  # Bob keeps his page, in the catalogue's words
    assert ("carol", "chat-2", TYPED) in rows


async def test_an_answer_still_being_written_is_forgotten_too(
    core: KpopCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = core.history.writer
    queued = asyncio.Event()
    submit = writer.submit

    async def noting_submit(*args: Any, **kwargs: Any) -> None:
        queued.set()
        await submit(*args, **kwargs)

    monkeypatch.setattr(writer, "submit", noting_submit)
    for attempt in range(10):
        sender = Sender("test", f"hasty-{attempt}", "chat-3")
        queued.clear()
        answering = asyncio.create_task(core.recommend(sender, TYPED))
        await queued.wait()  # the answer is being written, not yet committed
        forgotten = await core.forget(sender)
        assert (await answering).kind == AnswerKind.PICKS and forgotten.kind == AnswerKind.INFO
        assert "deleted 4 rows" in forgotten.text  # the answer and its three picks
        assert [r for r in await stored(core) if r[0] == sender.user_id] == []
