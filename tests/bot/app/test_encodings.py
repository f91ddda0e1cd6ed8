"""Text that cannot be encoded never crashes the bot: lone surrogates from a client, invalid UTF-8 on a
strict terminal. It is replaced (U+FFFD) and the conversation goes on, nothing before or after it lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.discord import render as discord_render
from adapters.telegram.render import answer_html
from bot.chat.core import KpopCore
from bot.chat.replies import AnswerKind, Sender
from bot.storage.models import Recommendation
from tests.conftest import REPO_ROOT
from tests.support.fixtures.catalogue import CsvWriter, command_line_catalogue

ALICE = Sender("test", "alice", "chat-1")
KOREAN = [("IU", "Blueming"), ("BTS", "Dynamite"), ("TWICE", "Fancy"), ("Red Velvet", "Psycho")]
WESTERN = [("The Weeknd", "Blinding Lights"), ("The Weeknd", "Starboy"), ("Adele", "Hello")]


async def test_a_lone_surrogate_in_a_query_is_replaced_and_the_answer_saved(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "Blinding Lights\ud800")
    assert answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None
    async with core.history.engine.connect() as conn:
        stored = await conn.scalar(select(Recommendation.query).where(Recommendation.id == answer.recommendation_id))
    assert stored == "Blinding Lights\ufffd"


async def test_a_not_found_echo_of_a_lone_surrogate_renders_on_both_platforms(core: KpopCore) -> None:
    answer = await core.recommend(ALICE, "zqxj\udc80vvw")
    assert answer.kind != AnswerKind.PICKS
    answer_html(answer).encode("utf-8")
    rendered = discord_render.render(answer)
    json.dumps(rendered.embed.to_dict() if rendered.embed else rendered.content, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def strict_env(csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    source = command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPOP_", "DISCORD_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(REPO_ROOT), PYTHONIOENCODING="utf-8:strict", LC_ALL="C.UTF-8",
               KPOP_DATA_DIR=str(tmp_path / "state"), KPOP_SOURCES=str(source))
    return env


def kpop_bot(env: dict[str, str], *args: bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, input=stdin, capture_output=True,
                          cwd=REPO_ROOT, timeout=120)


def test_recommend_with_invalid_utf8_in_its_argument(strict_env: dict[str, str]) -> None:
    done = kpop_bot(strict_env, b"recommend", b"--no-progress", b"--as", b"ann\xff", b"Blinding Lights\xff")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert "Blinding Lights".encode() in done.stdout


def test_chat_with_invalid_utf8_on_standard_input_loses_no_line(strict_env: dict[str, str]) -> None:
    lines = b"Blinding Lights\n\xff\xfe\xc3(\n\xe2\x82 Hello\nStarboy\nquit\n"
    done = kpop_bot(strict_env, b"chat", b"--no-progress", stdin=lines)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    said = done.stdout.decode()
    assert said.index("Blinding Lights") < said.index("Starboy")  # the lines before and after the bad ones
