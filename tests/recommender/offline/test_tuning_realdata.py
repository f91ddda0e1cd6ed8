"""Tuning on real listeners' playlists: the whole tune step on the shared data, its structure, and the blend
beating audio KNN at artist level on the same queries (no tuned figures asserted)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.ops.build import BuildOptions
from bot.storage.catalogue_store import BuildInfo, StoredBuild
from bot.ops.tune import TuneReport, tune_files
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.offline.evaluation import LEVELS
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.listening import read_playlist_data
from recommender.offline.tuning import weight_grid

pytestmark = pytest.mark.realdata

LISTENERS = "listener_playlists_spotify_exports.csv"
TIDYTUESDAY = "tidytuesday_spotify_songs_2020.csv"


@pytest.fixture(scope="module")
def report(real_catalogue: tuple[Catalogue, ImportReport], shared_data_dir: Path) -> TuneReport:
    """The build as ``kpop-bot build`` makes it from the shared data (its playlist files included), then tuned."""
    catalogue, imported = real_catalogue
    start = time.perf_counter()
    options = BuildOptions()
    tables = build_tables(catalogue, "global", options.k_songs, options.k_artists)
    playlists, _ = read_playlist_data([shared_data_dir / LISTENERS, shared_data_dir / TIDYTUESDAY], catalogue)
    info = BuildInfo(1, datetime.now(timezone.utc), "global", [str(shared_data_dir)], catalogue.counts(),
                     imported.counts_by_reason())
    build = StoredBuild(info, catalogue, tables, playlists)
    built = time.perf_counter()
    result = tune_files(build, [shared_data_dir / LISTENERS])
    done = time.perf_counter()
    print(f"\ntables and playlist data {built - start:.1f} s, tuning and scoring {done - built:.1f} s")
    assert done - start < 60
    return result


def test_tuning_leaves_each_listener_out_and_stores_a_grid_weight(report: TuneReport) -> None:
    assert len(report.folds) == 3
    held = sorted(key for fold in report.folds for key in fold.choice.held_out)
    assert held == ["listener:jihyebaee", "listener:phuonggiant161", "listener:wardanamade"]
    assert report.tuned.weights in weight_grid() and report.tuned.listeners == 3
    for fold in report.folds:
        assert fold.choice.weights in weight_grid()
        (rate, queries), = fold.hits.values()
        assert 0.0 <= rate <= 1.0 and queries > 0


def test_every_ranker_is_reported_at_every_level_and_k(report: TuneReport) -> None:
    (table,) = report.files
    names = {"random", "most popular", "audio KNN (global)", "audio similarity", "popularity", "genre bridge",
             "co-listening", "blend"}
    assert {(r.ranker, r.level, r.k) for r in table.rates} == {(n, lv, k) for n in names for lv in LEVELS
                                                                for k in (1, 3, 10)}
    for r in table.rates:
        assert 0.0 <= r.low <= r.rate <= r.high <= 1.0


def test_the_blend_beats_audio_knn_at_artist_level_by_more_than_the_interval(report: TuneReport) -> None:
    (table,) = report.files
    rate = {(r.ranker, r.level, r.k): r for r in table.rates}
    blend, audio = rate[("blend", "artist", 10)], rate[("audio KNN (global)", "artist", 10)]
    assert blend.rate > audio.rate
    (margin,) = [d for d in table.differences if (d.baseline, d.level, d.k) == ("audio KNN (global)", "artist", 10)]
    assert margin.low > 0  # the paired interval of the difference lies above zero
