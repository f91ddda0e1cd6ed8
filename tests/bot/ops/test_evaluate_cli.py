"""``kpop-bot evaluate`` end to end: build on first run, match a playlist file, print the table or JSON."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.ops.evaluate import evaluate_files
from bot.ops.build import BuildOptions
from bot.storage.catalogue_store import BuildInfo, StoredBuild
from recommender.ranking.neighbours import build_tables
from recommender.offline.rankers import MostPopular
from recommender.catalogue.sources import load_catalogue
from tests.support.fixtures.catalogue import CsvWriter, command_line_catalogue, track_id

RANKERS = ("audio KNN (global)", "audio KNN (per-side)", "random", "most popular", "most listened",
           "audio similarity", "popularity", "genre bridge", "co-listening", "blend")
KOREAN = [("IU", "Blueming"), ("IU", "Palette"), ("BTS", "Dynamite"), ("BTS", "Butter"), ("TWICE", "Fancy")]
WESTERN = [("The Weeknd", "Blinding Lights"), ("The Weeknd", "Starboy"), ("Adele", "Hello")]


@pytest.fixture
def setup(csvs: CsvWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A catalogue folder and a playlist file; the bot's state goes to a fresh folder."""
    folder = command_line_catalogue(csvs, tmp_path / "state", monkeypatch, KOREAN, WESTERN)
    playlists = tmp_path / "playlists.csv"
    playlists.write_text(
        "listener,playlist_name,track_name,artist_name,track_uri\n"
        f"ann,mix,Blinding Lights,The Weeknd,spotify:track:{track_id(10)}\n"
        "ann,mix,Starboy,the weeknd,\n"
        f"ann,mix,Blueming,IU,spotify:track:{track_id(0)}\n"
        "ann,mix,Some B-side,BTS,\n"
        "bob,mix,Hello,Adele,\n"
        "bob,mix,Fancy,TWICE,\n"
        "bob,mix,Unknown,Nobody,\n"
        "bob,mix,,,\n",
        encoding="utf-8",
    )
    return folder, playlists


def test_json_report(setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    source, playlists = setup
    assert main(["evaluate", "--source", str(source), "--playlists", str(playlists), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["build"]["counts"]["korean_songs"] == 5
    assert report["colistening_fitted_on"] == "build"
    assert (report["seed"], report["resamples"]) == (0, 2000)
    (file,) = report["files"]
    assert file["file"] == "playlists.csv"
    assert file["rejected"] == [{"line": 9, "reason": "missing track name and no Spotify id"}]
    assert file["matched"] == {"rows": 7, "by_id": 2, "by_name": 3, "artist_only": 1, "unmatched": 1}
    assert file["playlists"] == 2  # ann's and bob's "mix" are two playlists
    assert file["usable"] == {"song": {"playlists": 2, "queries": 3},
                              "artist": {"playlists": 2, "queries": 2},
                              "song-artist": {"playlists": 2, "queries": 3}}
    results = file["results"]
    assert {(r["recommender"], r["level"], r["k"]) for r in results} == {
        (name, level, k)
        for name in RANKERS
        for level in ("song", "artist", "song-artist")
        for k in (1, 3, 10)
    }
    assert "blend: the signals weigh the same (the build is not tuned; see kpop-bot tune)" in file["notes"]
    for r in results:
        assert 0.0 <= r["ci_low"] <= r["hit_rate"] <= r["ci_high"] <= 1.0
        assert r["draws"] == (2000 if r["recommender"] == "random" else 1)  # few queries: the most draws
    # three Korean artists: any ten artist picks hold the one each playlist plays
    assert all(r["hit_rate"] == 1.0 for r in results if r["level"] == "artist" and r["k"] == 10)
    # the best-known Korean acts are the whole catalogue here, so the long tail has nothing left to hit
    assert set(report["head_acts"]) == {"IU", "BTS", "TWICE"}
    assert all(r["queries"] == 0 and r["hit_rate"] is None for r in file["long_tail_results"])
    assert {(d["baseline"], d["k"]) for d in file["versus"]["all"]} == {
        (name, 10) for name in ("most popular", "most listened", "audio similarity", "popularity", "genre bridge",
                                "co-listening")}
    assert {d["baseline"] for d in file["versus"]["long tail"]} == {"most popular", "most listened"}
    (blend,) = [d for d in report["diversity"] if d["recommender"] == "blend"]
    assert blend["queries"] == 2 and blend["distinct_acts"] == 3  # two western artists, three Korean acts
    assert {d["recommender"] for d in report["diversity"]} == set(RANKERS) - {"random"}
    assert any(t["goal"].startswith("distinct Korean acts") and t["met"] is False for t in report["targets"])
    assert any(t["goal"] == "artist hit@10 not below co-listening alone by more than the paired interval"
               for t in report["targets"])


def test_text_report_for_one_level_and_chosen_ks(setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    source, playlists = setup
    argv = ["evaluate", "--source", str(source), "--playlists", str(playlists), "--level", "song-artist", "--k", "2,1"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert "== playlists.csv ==" in first
    assert "matched: 2 by Spotify id, 3 by title and artist (71% of rows); 1 more by artist only; 1 unmatched" in first
    assert "rejected: line 9: missing track name and no Spotify id" in first
    assert "random: the expected rate, averaged over this many draws per query: song-artist 2,000" in first
    header = next(line for line in first.splitlines() if line.startswith("level"))
    assert header.split() == ["level", "recommender", "hit@1", "hit@2"]
    table = [line for line in first.splitlines() if line.startswith("song-artist")]
    assert [line.split("  ")[1].strip() for line in table] == list(RANKERS)
    # the second run reads the stored build instead of building again, and answers the same
    assert main(argv) == 0
    assert capsys.readouterr().out == first


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--k", str(BuildOptions.k_artists + 1)],
         f"k={BuildOptions.k_artists + 1} is more than the {BuildOptions.k_artists} neighbours the stored build "
         "keeps per artist"),
        (["--playlists", "missing.csv"], "cannot read playlists from missing.csv"),
    ],
)
def test_problems_people_can_fix_are_one_line_and_exit_2(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    source, playlists = setup
    assert main(["evaluate", "--source", str(source), "--playlists", str(playlists), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kpop-bot: ") and message in err


def test_co_listening_is_fitted_on_the_build_unless_cross_validation_is_asked_for(
        setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three listeners play The Weeknd with TWICE: only fitted on the file does co-listening know it."""
    source, _ = setup
    playlists = tmp_path / "weeknd.csv"
    playlists.write_text("listener,playlist_name,track_name,artist_name\n" + "".join(
        f"{who},mix,Blinding Lights,The Weeknd\n{who},mix,Fancy,TWICE\n" for who in ("ann", "bob", "cy")),
        encoding="utf-8")

    def colistening_hit_at_1(*extra: str) -> tuple[str, float]:
        argv = ["evaluate", "--source", str(source), "--playlists", str(playlists), "--level", "artist", "--k", "1",
                "--json", *extra]
        assert main(argv) == 0
        report = json.loads(capsys.readouterr().out)
        (rate,) = [r["hit_rate"] for r in report["files"][0]["results"] if r["recommender"] == "co-listening"]
        return report["colistening_fitted_on"], rate

    assert colistening_hit_at_1("--cross-validate") == ("build+file", 1.0)
    fitted_on, honest = colistening_hit_at_1()
    assert fitted_on == "build" and honest < 1.0


def test_markdown_prints_the_readme_tables(setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    source, playlists = setup
    assert main(["evaluate", "--source", str(source), "--playlists", str(playlists), "--markdown",
                 "--diversity-artists", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Co-listening fitted on: **build**.")
    assert "| recommender | hit@1 | hit@3 | hit@10 | long-tail hit@3 | long-tail hit@10 |" in out
    assert "top-3 Korean acts for the 1 best-known western artists" in out
    assert "| 1 best-known western artists | distinct Korean acts in the top-3 lists >= 150 | 3 | missed |" in out


def test_bad_k_lists_are_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0,3", "a", ""):
        with pytest.raises(SystemExit) as exc:
            main(["evaluate", "--playlists", "x.csv", "--k", bad])
        assert exc.value.code == 2
        assert "--k" in capsys.readouterr().err


def test_other_rankers_plug_into_the_file_evaluation(setup: tuple[Path, Path]) -> None:
    """What a new recommender needs to be compared on playlist files: implement Ranker, pass it in."""
    source, playlists = setup
    catalogue, report = load_catalogue([source])
    tables = build_tables(catalogue)
    info = BuildInfo(id=7, created_at=datetime.now(), scaling="global", sources=[str(source)],
                     counts=catalogue.counts(), rejected=report.counts_by_reason())
    build = StoredBuild(info, catalogue, tables)
    result = evaluate_files(build, [playlists], levels=["artist"], ks=[1], rankers=[MostPopular(catalogue)])
    (file,) = result.files
    assert [(r.ranker, r.level, r.k) for r in file.rates] == [("most popular", "artist", 1)]
    assert result.build.id == 7
