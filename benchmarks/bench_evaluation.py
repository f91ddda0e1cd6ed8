"""Offline evaluation speed: batched rankers against asking the bot's recommender query by query.

Run: ``python -m benchmarks bench_evaluation``. A synthetic catalogue the size
of the shared one (30,000 western and 12,000 Korean songs, 1,300 Korean
artists) and 500 synthetic mixed playlists of 60 tracks, ten per listener
(about 20,000 western song queries, more than the TidyTuesday file's 2,145).
Timed, best of :data:`REPEATS`:

* :func:`recommender.offline.evaluation.query_hits` with the blend
  (:class:`~recommender.offline.rankers.HybridRanker`, co-listening fitted on the
  playlists) at k=10, against the obvious loop: ``Recommender.for_song(q,
  count=10)`` for every query (it also writes reasons, which the loop cannot
  skip) and a set look-up per pick. The loop runs on a sample and is
  extrapolated; its hits are checked equal to the batched ones on that sample.
* :class:`~recommender.offline.rankers.RandomPicks` with as many draws per query as
  the evaluation asks (:func:`~recommender.offline.evaluation.draws_for`), against
  ``Recommender.random`` called that many times per query, likewise sampled.

Goal: the whole evaluation of one file (every ranker, every level; the blend
and its signals leaving each of the 50 listeners out in turn) in a few
seconds to tens of seconds, and the batched path at least 20x faster than the loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd


from recommender.ranking.blend import Blend, HybridModel
from recommender.catalogue.catalogue import Catalogue
from recommender.offline.evaluation import EvaluationSet, draws_for, evaluate, query_hits
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.playlist_files import MatchedPlaylists
from recommender.catalogue.synthetic import uneven_catalogue
from recommender.offline.rankers import HybridRanker, RandomPicks, hybrid_rankers, standard_rankers
from recommender.ranking.picks import Recommender

SEED = 20240607
N_WESTERN, N_KOREAN = 30_000, 12_000
WESTERN_ARTISTS, KOREAN_ARTISTS = 10_000, 1_300
N_PLAYLISTS, TRACKS, KOREAN_SHARE, PER_LISTENER = 500, 60, 0.3, 10
LOOP_SAMPLE = 400
REPEATS = 3


def synthetic_playlists(catalogue: Catalogue, rng: np.random.Generator) -> MatchedPlaylists:
    n_korean = int(TRACKS * KOREAN_SHARE)
    western = rng.integers(0, N_WESTERN, (N_PLAYLISTS, TRACKS - n_korean))
    korean = rng.integers(N_WESTERN, N_WESTERN + N_KOREAN, (N_PLAYLISTS, n_korean))
    song_id = np.hstack([western, korean]).ravel()
    playlist = np.repeat(np.arange(N_PLAYLISTS), TRACKS)
    rows = pd.DataFrame({
        "listener": (playlist // PER_LISTENER).astype(str),
        "playlist": playlist.astype(str),
        "song_id": song_id,
        "artist_id": catalogue.songs["artist_id"].to_numpy()[song_id],
        "how": "id",
    })
    return MatchedPlaylists("synthetic", rows)


def best_of(func: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def loop_hits(evaluation: EvaluationSet, pick: Callable[[int], list[int]], sample: np.ndarray) -> np.ndarray:
    """Hit@10 per sampled song query, one call per query, as a straightforward script would do."""
    playlist, items = evaluation.queries("song")
    korean = evaluation.songs.where(evaluation.songs.korean)
    members = pd.Series(korean.item).groupby(korean.playlist).apply(set).to_dict()
    return np.array([any(s in members[playlist[i]] for s in pick(int(items[i]))) for i in sample], dtype=float)


def main() -> None:
    rng = np.random.default_rng(SEED)
    catalogue = uneven_catalogue(rng, N_WESTERN, N_KOREAN, WESTERN_ARTISTS, KOREAN_ARTISTS)
    tables = build_tables(catalogue, "global", k_songs=100, k_artists=200)
    matched = synthetic_playlists(catalogue, rng)
    evaluation = EvaluationSet.from_matches(matched, catalogue)
    model = HybridModel(catalogue, tables, PlaylistArtists.from_matches(matched))
    _, items = evaluation.queries("song")
    sample = np.sort(rng.choice(len(items), LOOP_SAMPLE, replace=False))
    scale = len(items) / LOOP_SAMPLE
    bot = Recommender(catalogue, tables, model=model, blend=Blend())
    print(f"{len(catalogue.songs):,} songs; {N_PLAYLISTS} playlists; {len(items):,} song queries, "
          f"{evaluation.coverage('artist')[1]:,} artist queries (best of {REPEATS})")

    blend = HybridRanker(model, Blend())
    batched = best_of(lambda: query_hits(evaluation, blend, "song", (10,)))
    hits = query_hits(evaluation, blend, "song", (10,)).hits[sample, 0]
    looped = best_of(lambda: loop_hits(evaluation, lambda q: [c.song_id for c in bot.for_song(q, count=10)], sample))
    same = np.array_equal(hits, loop_hits(evaluation, lambda q: [c.song_id for c in bot.for_song(q, count=10)],
                                          sample))
    print(f"blend, song level, k=10:  batched {batched:6.2f} s   per-query loop {looped * scale:7.1f} s "
          f"(extrapolated from {LOOP_SAMPLE})   {looped * scale / batched:6.0f}x   same hits on the sample: {same}")

    random_picks = RandomPicks(catalogue, seed=SEED)
    draws = draws_for(len(items))
    batched = best_of(lambda: query_hits(evaluation, random_picks, "song", (10,)))
    generator = np.random.default_rng(SEED)
    few = sample[: LOOP_SAMPLE // 4]
    looped = best_of(lambda: [
        loop_hits(evaluation, lambda q: [c.song_id for c in bot.random(generator, count=10)], few)
        for _ in range(draws)
    ]) * len(items) / len(few)
    print(f"random, {draws} draws per query:  batched {batched:6.2f} s   per-query loop {looped:7.1f} s "
          f"(extrapolated from {len(few)})   {looped / batched:6.0f}x")

    rankers = standard_rankers(catalogue, [tables], seed=SEED)
    whole = best_of(lambda: evaluate(evaluation, rankers, resamples=2000))
    print(f"evaluation without the blend (3 levels x {len(rankers)} rankers x k=1,3,10, 2,000 resamples): "
          f"{whole:.2f} s (goal: a few seconds)")
    fitted = hybrid_rankers(model, Blend())
    with_blend = best_of(lambda: evaluate(evaluation, fitted, resamples=2000))
    print(f"the blend and each signal, each of {N_PLAYLISTS // PER_LISTENER} listeners left out in turn "
          f"(3 levels x {len(fitted)} rankers): {with_blend:.2f} s (goal: tens of seconds at most)")
