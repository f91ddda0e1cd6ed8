"""A failed write names its SQL in the log, never the values: what a person typed and who they are."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from bot.app.config import load_settings
from bot.app.logs import configure_logging
from bot.chat.core import KpopCore
from bot.chat.replies import AnswerKind, Sender

PERSON = Sender("test", "person-4711-private", "chat-0815-private")


async def test_a_failing_write_logs_no_query_text_and_no_person(
    core: KpopCore, caplog: pytest.LogCaptureFixture, restored_logging: None
) -> None:
    async with core.history.engine.begin() as conn:
        await conn.execute(text("drop table recommendation_picks"))
        await conn.execute(text("drop table recommendations"))
    # as the bot runs with --verbose: debug for its own loggers and the chatty libraries
    configure_logging(load_settings(KPOP_LOG_LEVEL="DEBUG"), verbose=True)
    logging.getLogger().addHandler(caplog.handler)

    answer = await core.recommend(PERSON, "Blinding Lights")

    assert answer.kind == AnswerKind.PICKS and answer.recommendation_id is None  # the write did fail
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert failures and any(r.exc_info or "recommendations" in r.getMessage() for r in failures)
    logged = caplog.text + "".join(logging.Formatter().formatException(r.exc_info) for r in failures if r.exc_info)
    for private in ("Blinding Lights", PERSON.user_id, PERSON.chat_id):
        assert private not in logged
