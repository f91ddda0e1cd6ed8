"""The Procfile runs under a real Procfile runner (honcho, from PyPI), as a platform would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fixtures.catalogue import CsvWriter, tt_row

from tests.conftest import REPO_ROOT as REPO


@pytest.fixture
def environment(tmp_path: Path, csvs: CsvWriter) -> dict[str, str]:
    """A process environment with ``kpop-bot`` on PATH (this checkout) and a tiny catalogue."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "kpop-bot"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n')
    shim.chmod(0o755)
    csvs.write(
        "songs.csv",
        "tidytuesday",
        [tt_row(1, "Blinding Lights", "The Weeknd"), tt_row(2, "Dynamite", "BTS"), tt_row(3, "Fancy", "TWICE")],
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPOP_", "DISCORD_", "TELEGRAM_"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO),
        KPOP_DATA_DIR=str(tmp_path / "data"),
        KPOP_SOURCES=str(csvs.folder),
    )
    return env


def honcho(env: dict[str, str], process: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "honcho", "-f", str(REPO / "Procfile"), "-d", str(REPO), "start", process],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_release_then_worker(environment: dict[str, str], tmp_path: Path) -> None:
    release = honcho(environment, "release")
    assert release.returncode == 0, release.stdout + release.stderr
    assert "up to date" in release.stdout
    assert (tmp_path / "data" / "kpop-bot.db").exists()

    # no platform token: the worker serves the terminal, builds the catalogue on first start,
    # and ends cleanly when its input closes
    worker = honcho(environment, "worker")
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert "starting the terminal chat" in worker.stdout
    assert "bye!" in worker.stdout
