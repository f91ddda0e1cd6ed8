"""A bad catalogue never silently replaces a good build, and the build before is one command away."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.app.config import load_settings
from bot.app.runtime import open_core
from bot.app.options import build_options
from bot.chat.replies import AnswerKind, Sender
from bot.ops.build_checks import SHRINK_LIMIT, refusal
from tests.support.artifacts import cli_env
from tests.support.fixtures.catalogue import CsvWriter, track_id, tt_row

KOREAN = [("BTS", "Dynamite"), ("IU", "Blueming"), ("TWICE", "Fancy"), ("Red Velvet", "Psycho"),
          ("ITZY", "Dalla Dalla"), ("SEVENTEEN", "Hot")]
WESTERN = [("The Weeknd", "Blinding Lights"), ("Adele", "Hello"), ("Ed Sheeran", "Shape of You"),
           ("Dua Lipa", "Levitating")]


def good_sources(csvs: CsvWriter, folder: str, korean=KOREAN, western=WESTERN) -> Path:  # type: ignore[no-untyped-def]
    writer = CsvWriter(csvs.folder / folder)
    writer.write("kpop.csv", "jcgnacpil", [
        {"artist": artist, "track": title, "id": track_id(i), "energy": f"0.{i + 1}"}
        for i, (artist, title) in enumerate(korean)
    ])
    writer.write("western.csv", "tidytuesday", [
        tt_row(50 + i, title, artist, energy=f"0.{i + 2}") for i, (artist, title) in enumerate(western)
    ])
    return writer.folder


def build(*args: str) -> int:
    return main(["build", "--no-progress", *args])


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    cli_env(monkeypatch, folder)
    monkeypatch.delenv("KPOP_SOURCES", raising=False)
    return folder


def active_titles(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["recommend", "--json", "Blinding Lights"]) == 0
    return capsys.readouterr().out


def test_29_rows_sharing_one_track_id_are_refused_and_the_good_build_stays(
    state: Path, csvs: CsvWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build("--source", str(good_sources(csvs, "good"))) == 0
    capsys.readouterr()
    before = active_titles(capsys)
    dup = CsvWriter(csvs.folder / "dup").write(
        "dup_ids.csv", "tidytuesday", [tt_row(7, f"Song {n}", f"Artist {n}") for n in range(29)]
    )

    assert build("--source", str(dup)) == 2
    said = capsys.readouterr()
    assert "build refused: the new build has 0 Korean songs" in said.err and "--force" in said.err
    assert said.err.count("\n") == 1  # one clear line, no traceback
    assert active_titles(capsys) == before


def test_a_file_of_nan_and_inf_is_refused(state: Path, csvs: CsvWriter, capsys: pytest.CaptureFixture[str]) -> None:
    assert build("--source", str(good_sources(csvs, "good"))) == 0
    broken = ("nan", "inf", "-inf", "NaN", "Infinity")
    rows = [  # NaN and infinities scattered over the columns; the rows they spare hold no Korean song
        tt_row(100 + i, f"Song {i}", f"Band {i % 3}",
               **({("energy", "tempo", "danceability", "valence", "loudness")[i % 5]: broken[i % 5]} if i % 2 else {}))
        for i in range(10)
    ]
    source = CsvWriter(csvs.folder / "nan").write("scattered.csv", "tidytuesday", rows)

    assert build("--source", str(source)) == 2
    assert "build refused" in capsys.readouterr().err


def test_force_makes_a_refused_build_active(state: Path, csvs: CsvWriter, capsys: pytest.CaptureFixture[str]) -> None:
    assert build("--source", str(good_sources(csvs, "good"))) == 0
    small = good_sources(csvs, "small", korean=KOREAN[:1], western=WESTERN[:1])
    assert build("--source", str(small)) == 2
    assert f"under {SHRINK_LIMIT:.0%} of the active build's 10" in capsys.readouterr().err
    assert build("--source", str(small), "--force") == 0
    assert "2 songs (1 Korean" in capsys.readouterr().out


def test_refusal_reasons() -> None:
    counts = {"songs": 10, "korean_songs": 4, "korean_artists": 2}
    assert refusal(counts, None) is None
    assert refusal(counts, {"songs": 20}) is None  # exactly half is kept
    assert "under 50%" in (refusal(counts, {"songs": 21}) or "")
    assert "0 Korean artists" in (refusal({**counts, "korean_artists": 0}, None) or "")


async def _first_pick(state: Path) -> str:
    settings = load_settings()
    async with open_core(settings, build_options(settings)) as core:
        answer = await core.recommend(Sender("test", "u", "c"), "Blinding Lights")
    assert answer.kind == AnswerKind.PICKS
    return answer.picks[0].artist


def test_rollback_brings_back_the_replaced_build_and_can_itself_be_undone(
    state: Path, csvs: CsvWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = [("aespa", "Next Level"), ("NewJeans", "Ditto"), ("LE SSERAFIM", "Antifragile"), ("IVE", "Eleven"),
             ("ENHYPEN", "Drunk-Dazed"), ("TXT", "Sugar Rush Ride")]
    assert build("--source", str(good_sources(csvs, "first"))) == 0
    assert build("--source", str(good_sources(csvs, "second", korean=newer))) == 0
    assert asyncio.run(_first_pick(state)) in {artist for artist, _ in newer}

    assert build("--rollback") == 0
    assert "rolled back to the build of" in capsys.readouterr().out
    assert asyncio.run(_first_pick(state)) in {artist for artist, _ in KOREAN}  # a restarted core answers from it
    assert build("--rollback") == 0  # and back again
    assert asyncio.run(_first_pick(state)) in {artist for artist, _ in newer}


def test_rollback_with_nothing_kept_says_so(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build("--rollback") == 2
    assert "nothing to roll back to" in capsys.readouterr().err
