"""Logs: JSON when asked, tokens never, queries only by their length."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.app.config import load_settings
from bot.chat.core import KpopCore
from bot.app.logs import REDACTED, configure_logging
from bot.chat.replies import Sender

TOKEN = "123456:AAF-secret-token-value"


def test_tokens_are_redacted_everywhere(restored_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(load_settings(TELEGRAM_BOT_TOKEN=TOKEN, KPOP_LOG_LEVEL="DEBUG"), stream=stream)
    log = logging.getLogger("httpx.fake")
    log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise RuntimeError(f"bad token {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("failed with %s", TOKEN)
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count(REDACTED) >= 3  # message, argument and traceback


def test_json_lines(restored_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(load_settings(KPOP_LOG_FORMAT="json"), stream=stream)
    logging.getLogger("bot.test").info("hello %s", "world", extra={"query_chars": 5})
    record = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert record["message"] == "hello world" and record["level"] == "INFO" and record["query_chars"] == 5


async def test_answers_are_logged_by_query_length_not_text(core: KpopCore, restored_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(load_settings(KPOP_LOG_FORMAT="json"), stream=stream)
    await core.recommend(Sender("test", "u", "c"), "Blinding Lights")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    answers = [line for line in lines if line.get("answer_kind")]
    assert answers and answers[-1]["query_chars"] == len("Blinding Lights")
    assert "Blinding" not in stream.getvalue()


def test_a_secret_of_any_length_is_redacted(restored_logging: None) -> None:
    """The webhook check refuses short secrets at start, but a log line written before it must not leak one."""
    stream = io.StringIO()
    configure_logging(load_settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_SECRET="Zq7x5"), stream=stream)
    logging.getLogger("bot.test").warning("webhook secret Zq7x5 refused")
    assert "Zq7x5" not in stream.getvalue() and REDACTED in stream.getvalue()
