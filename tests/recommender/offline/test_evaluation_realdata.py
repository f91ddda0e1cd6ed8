"""The offline evaluation on real listeners' playlists: structure and plausible ranges, not tuned values."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from recommender.offline.evaluation import LEVELS, EvaluationSet, HitRate, evaluate
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.playlist_files import PlaylistMatcher, read_playlists
from recommender.offline.rankers import standard_rankers
from recommender.catalogue.sources import load_catalogue

pytestmark = pytest.mark.realdata

LISTENERS = "listener_playlists_spotify_exports.csv"


@pytest.fixture(scope="module")
def run(shared_data_dir: Path) -> tuple[EvaluationSet, list[HitRate], dict[str, int]]:
    start = time.perf_counter()
    catalogue, _ = load_catalogue([shared_data_dir])
    tables = [build_tables(catalogue, scaling) for scaling in ("global", "per-side")]
    loaded = time.perf_counter()
    matched = PlaylistMatcher(catalogue).match(read_playlists(shared_data_dir / LISTENERS))
    evaluation = EvaluationSet.from_matches(matched, catalogue)
    rates = evaluate(evaluation, standard_rankers(catalogue, tables, seed=0))
    done = time.perf_counter()
    print(f"\ncatalogue and tables {loaded - start:.1f} s, matching and evaluation {done - loaded:.1f} s")
    print(matched.counts())
    for r in rates:
        print(f"{r.level:12} {r.ranker:22} @{r.k:<2} {r.rate:.3f} [{r.low:.3f}, {r.high:.3f}]")
    counts = matched.counts()
    return evaluation, rates, {"found": counts.by_id + counts.by_name, "rows": counts.rows,
                               "artist_only": counts.artist_only}


def test_enough_of_the_listener_file_matches(run: tuple[EvaluationSet, list[HitRate], dict[str, int]]) -> None:
    evaluation, _, counts = run
    assert counts["rows"] == 1_552
    # The data README finds features for about 540 rows by id or exact title+artist.
    assert counts["found"] >= 450
    assert counts["artist_only"] > 0
    # Three listeners; the README counts 22 playlists mixing Korean and western tracks.
    assert set(evaluation.playlists["listener"]) == {"jihyebaee", "phuonggiant161", "wardanamade"}
    for level in LEVELS:
        playlists, queries = evaluation.coverage(level)
        assert 10 <= playlists <= 22, level
        assert queries >= 80, level


def test_rates_are_well_formed_for_every_ranker_level_and_k(
    run: tuple[EvaluationSet, list[HitRate], dict[str, int]],
) -> None:
    _, rates, _ = run
    names = {"audio KNN (global)", "audio KNN (per-side)", "random", "most popular"}
    assert {(r.ranker, r.level, r.k) for r in rates} == {(n, lv, k) for n in names for lv in LEVELS for k in (1, 3, 10)}
    by_key = {(r.ranker, r.level, r.k): r for r in rates}
    for r in rates:
        assert 0.0 <= r.low <= r.rate <= r.high <= 1.0
        if r.k > 1:
            previous = by_key[(r.ranker, r.level, 1 if r.k == 3 else 3)]
            assert r.rate >= previous.rate  # more picks never hit less
    # Chance level: ten random songs out of ~12,000 Korean ones rarely include a song of the playlist.
    assert by_key[("random", "song", 10)].rate < 0.05
    # A hit on the artist of a picked song is at least as likely as on the song itself.
    for name in names:
        assert by_key[(name, "song-artist", 10)].rate >= by_key[(name, "song", 10)].rate
