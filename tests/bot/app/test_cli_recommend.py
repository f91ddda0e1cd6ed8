"""``kpop-bot recommend`` for scripts and ``kpop-bot chat`` in a terminal, end to end on a small built catalogue."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.terminal import GREETING, chat
from bot.app.cli import main
from bot.chat.core import KpopCore
from bot.storage.models import Recommendation
from recommender.catalogue.synthetic import make_catalogue
from tests.support.fixtures.catalogue import CsvWriter, command_line_catalogue
from tests.support.fixtures.core import CoreFactory

KOREAN = [("IU", "Blueming"), ("IU", "Palette"), ("BTS", "Dynamite"), ("BTS", "Butter"), ("TWICE", "Fancy"),
          ("TWICE", "Feel Special"), ("Red Velvet", "Psycho"), ("ITZY", "Dalla Dalla")]
WESTERN = [("The Weeknd", "Blinding Lights"), ("The Weeknd", "Starboy"), ("Adele", "Hello")]


@pytest.fixture
def source(csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN)


def _recommend(capsys: pytest.CaptureFixture[str], source: Path, *args: str) -> list[dict[str, object]]:
    assert main(["recommend", "--source", str(source), "--no-progress", "--json", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_each_call_answers_a_new_person_the_same_way_and_stores_nothing(
    source: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = _recommend(capsys, source, "Blinding Lights")
    again = _recommend(capsys, source, "Blinding Lights")
    assert first == again and len(first) == 1 and first[0]["picks"]
    as_ann = _recommend(capsys, source, "--as", "ann", "Blinding Lights")
    later = _recommend(capsys, source, "--as", "ann", "Blinding Lights")
    shown = {p["title"] for p in as_ann[0]["picks"]}  # type: ignore[union-attr]
    assert shown and not shown & {p["title"] for p in later[0]["picks"]}  # type: ignore[union-attr]


def test_standard_input_gets_one_json_object_per_line_after_one_start(
    source: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = ["Blinding Lights", "", "zzqx vvkj", "Adele", *["Starboy"] * 30]  # more than the rate limit allows
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(queries) + "\n"))
    answers = _recommend(capsys, source, "-")
    assert len(answers) == len(queries) - 1  # the empty line is skipped
    assert [a["kind"] for a in answers[:3]] == ["picks", "not_found", "picks"]
    assert answers[0]["match"] == {"kind": "song", "title": "Blinding Lights", "artist": "The Weeknd", "korean": False}
    assert all(a["kind"] == "picks" and a["picks"] == answers[3]["picks"] for a in answers[3:])


async def _converse(core: KpopCore, lines: list[str]) -> str:
    out = io.StringIO()
    await chat(core, io.StringIO("\n".join(lines) + "\n"), out, user_id="ann")
    return out.getvalue()


async def test_the_terminal_takes_numbers_and_commands_without_a_slash(make_core: CoreFactory) -> None:
    core = await make_core(make_catalogue([
        ("Blinding Lights", "The Weeknd", False, 95.0), ("Blinded by the Light", "Manfred Mann", False, 60.0),
        ("Help", "10cm", True, 55.0), ("Dynamite", "BTS", True, 88.0), ("Butter", "BTS", True, 86.0),
        ("Psycho", "Red Velvet", True, 80.0), ("Fancy", "TWICE", True, 82.0),
    ]))
    said = await _converse(core, ["blinding", "1", "more", "help", "forget", "quit"])
    assert said.startswith(GREETING) and "a number to pick" in GREETING and "'forget'" in GREETING
    replies = said.split("you> ")[1:]
    assert "Did you mean:" in replies[0] and "1. Blinding Lights" in replies[0]
    assert replies[1].startswith("bot> If you like Blinding Lights \u2014 The Weeknd, try:")  # 1 picked the choice
    assert replies[2].startswith("bot> If you like Blinding Lights") and "\n     4. " in replies[2]  # the next picks
    assert "I turn western music" in replies[3]  # help, not the song "Help"
    assert "I deleted" in replies[4]
    async with core.history.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Recommendation))).scalar_one() == 0


async def test_lines_typed_while_starting_do_not_trip_the_rate_limit(make_core: CoreFactory) -> None:
    core = await make_core(KPOP_RATE_LIMIT_COUNT=2)
    said = await asyncio.wait_for(_converse(core, ["Blinding Lights"] * 6 + ["quit"]), 30)
    assert said.count("If you like Blinding Lights") == 6 and "a lot of requests" not in said
