"""A build reads Last.fm folders among its sources: listeners' baskets for co-listening, tags stored with the build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.ops.build import BuildOptions, build_and_save
from bot.storage.engine import open_database
from tests.support.fixtures.catalogue import CsvWriter, command_line_catalogue
from tests.support.fixtures.lastfm import write_folder

KOREAN = [("SHINee", "Ring Ding Dong"), ("2PM", "Again & Again"), ("Girls' Generation", "Gee")]
WESTERN = [("Metallica", "One"), ("Rainbow", "Since You Been Gone")]


async def test_the_default_build_takes_listeners_and_tags_from_a_last_fm_folder(
        csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN)
    write_folder(folder / "lastfm_hetrec2011_listeners")
    engine = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'kpop.db'}")
    try:
        stored, report = await build_and_save(engine, BuildOptions(sources=[str(folder)], k_songs=2, k_artists=2))
    finally:
        await engine.dispose()
    names = stored.catalogue.artists["name"].to_numpy()
    lastfm = stored.playlists.playlists["listener"].str.startswith("lastfm:").to_numpy()
    assert set(stored.playlists.playlists["listener"][lastfm]) == {"lastfm:10", "lastfm:11", "lastfm:12"}
    held = stored.playlists.pairs[lastfm[stored.playlists.pairs[:, 0]], 1]
    # 소녀시대 is Girls' Generation; the band Rainbow is western, as in the catalogue
    assert set(names[held]) == {"Metallica", "Rainbow", "SHINee", "2PM", "Girls' Generation"}
    assert {(names[a], t) for a, t, _ in stored.tags.itertuples(index=False)} >= {("Metallica", "metal")}
    assert any(note.startswith("lastfm_hetrec2011_listeners: read as Last.fm listening data") for note in report.notes)


def test_evaluate_scores_last_fm_users_leaving_each_out(
        csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN)
    # two metal fans who also play SHINee; a third plays 2PM: co-listening learns Metallica -> SHINee from each
    # other, never from the person scored
    lastfm = write_folder(tmp_path / "lastfm", plays=[
        ("20", "1", "50"), ("20", "5", "40"), ("21", "1", "70"), ("21", "5", "10"), ("22", "1", "9"), ("22", "4", "3"),
    ], tagged=[("20", "5", "2", "1", "1", "2010"), ("22", "4", "4", "1", "1", "2010")])  # k-pop, korean
    argv = ["evaluate", "--source", str(folder), "--playlists", str(lastfm), "--level", "artist", "--k", "1", "--json",
            "--diversity-artists", "2"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    (file,) = report["files"]
    assert file["file"] == "lastfm" and file["columns"] == {"listener": "userID", "artist": "artists.dat name"}
    assert file["usable"] == {"artist": {"playlists": 3, "queries": 3}}
    rate = {r["recommender"]: r["hit_rate"] for r in file["results"]}
    assert rate["co-listening"] == pytest.approx(2 / 3)  # the 2PM fan's taste is nobody else's
