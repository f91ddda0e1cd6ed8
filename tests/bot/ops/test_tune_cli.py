"""``kpop-bot tune`` end to end: build on first run, tune on a playlist file, store the weights the bot then uses."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.storage.catalogue_store import StoredBuild, load_build
from bot.storage.engine import open_database
from recommender.offline.tuning import weight_grid
from tests.support.fixtures.catalogue import CsvWriter, command_line_catalogue

KOREAN = [("IU", "Blueming"), ("BTS", "Dynamite"), ("BTS", "Butter"), ("TWICE", "Fancy"), ("aespa", "Next Level")]
WESTERN = [("The Weeknd", "Blinding Lights"), ("Adele", "Hello"), ("Taylor Swift", "Love Story")]


@pytest.fixture
def setup(csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A catalogue folder and three listeners' playlists; the bot's state goes to a fresh folder."""
    folder = command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN,
                                    popularity=[str(90 - 10 * i) for i in range(len(KOREAN))])
    playlists = tmp_path / "listeners.csv"
    playlists.write_text(
        "listener,playlist_name,track_name,artist_name\n"
        "ann,mix,Blinding Lights,The Weeknd\nann,mix,Next Level,aespa\n"
        "bob,mix,Hello,Adele\nbob,mix,Next Level,aespa\nbob,mix,Fancy,TWICE\n"
        "cid,mix,Love Story,Taylor Swift\ncid,mix,Next Level,aespa\ncid,other,Hello,Adele\ncid,other,Blueming,IU\n",
        encoding="utf-8",
    )
    return folder, playlists


def stored(tmp_path: Path) -> StoredBuild:
    async def load() -> StoredBuild:
        engine = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'state' / 'kpop-bot.db'}")
        try:
            build = await load_build(engine)
        finally:
            await engine.dispose()
        assert build is not None
        return build

    return asyncio.run(load())


def test_tune_prints_the_table_and_stores_weights_the_bot_then_uses(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, playlists = setup
    assert main(["tune", "--source", str(source), "--playlists", str(playlists)]) == 0
    out = capsys.readouterr().out
    assert "tuned catalogue build #1 on listeners.csv: 3 listeners with queries, 3 folds, 35 weight vectors" in out
    for ranker in ("random", "most popular", "audio KNN (global)", "audio similarity", "popularity", "genre bridge",
                   "co-listening", "blend"):
        assert any(line.startswith("artist") and f"  {ranker}  " in line for line in out.splitlines()), ranker
    assert "artist       hit@10 vs most popular" in out
    assert out.count("held out ") == 3
    build = stored(tmp_path)
    assert build.blend is not None and build.blend.tuned_on == ("listeners.csv",) and build.blend.listeners == 3
    assert build.blend.weights in weight_grid()
    assert f"stored weights: {', '.join(f'{s} {v:.2f}' for s, v in build.blend.weights.as_dict().items())}" in out
    # The next evaluation names the weights, and warns that this file tuned them.
    assert main(["evaluate", "--source", str(source), "--playlists", str(playlists), "--level", "artist"]) == 0
    assert "tuned on this very file, so its blend figures are optimistic" in capsys.readouterr().out


def test_json_report_and_a_file_too_small_to_tune(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, playlists = setup
    assert main(["tune", "--source", str(source), "--playlists", str(playlists), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tuned"]["tuned_on"] == ["listeners.csv"] and len(report["folds"]) == 3
    (file,) = report["files"]
    names = {r["recommender"] for r in file["results"]}
    assert {"blend", "co-listening", "most popular"} <= names
    assert {d["baseline"] for d in file["blend_minus"]} == {"most popular", "popularity", "audio KNN (global)"}

    one = tmp_path / "one.csv"
    one.write_text("listener,playlist_name,track_name,artist_name\nann,mix,Hello,Adele\nann,mix,Fancy,TWICE\n",
                   encoding="utf-8")
    assert main(["tune", "--source", str(source), "--playlists", str(one)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kpop-bot: ") and "at least 2 listeners with queries" in err
