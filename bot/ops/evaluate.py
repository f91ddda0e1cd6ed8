"""``kpop-bot evaluate``: score the stored build's recommenders on playlist files.

The stored build gives the catalogue and the neighbour tables of one scaling;
the tables of every other scaling are built in memory with the same widths, so
each scaling is compared on the same catalogue. Each playlist file is matched
and scored on its own (files from different people and sources answer
different questions), and the report says how many rows matched and how many
playlists and queries each level could use, so a rate is never read without
its sample size.

The blended ranking is scored with the build's stored weights (equal until
tuned), and each of its signals alone. Their co-listening, and the
most-listened baseline, are fitted on the **build's** playlist data only, as
the bot knows it when a stranger asks, leaving out each listener's playlists
when scoring that listener (``colistening_fitted_on="build"``). With
``cross_validate`` the file's other listeners are added to the fit
(``"build+file"``): the older protocol, which on a new population leaks that
population's taste into the score. When the weights were tuned on the same
file the report says so: those figures are then optimistic, and ``kpop-bot
tune`` prints the cross-validated ones.

Beside hit rates, each file gets long-tail hit rates at the artist level
(hits on the best-known Korean acts do not count) and the blend's paired
difference from both popularity baselines; the report gets the
beyond-accuracy figures of every ranker over the build's best-known western
artists (:mod:`recommender.offline.beyond_accuracy`). A playlist "file" may
also be a Last.fm (HetRec) folder: every user's top artists are one
playlist of that user, scored leaving the user out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from bot.storage.catalogue_store import BuildInfo, StoredBuild
from recommender.ranking.blend import Blend, BlendWeights, HybridModel
from recommender.catalogue.catalogue import Rejection
from recommender.catalogue.catalogue import ImportReport
from recommender.catalogue.lastfm import is_lastfm_folder, lastfm_matches, read_lastfm
from recommender.offline.beyond_accuracy import Diversity, diversity_of, head_acts, long_tail, song_diversity_of
from recommender.offline.evaluation import (
    RESAMPLES,
    EvaluationSet,
    HitRate,
    RateDifference,
    evaluate,
    listener_hits,
    paired_difference,
)
from recommender.catalogue.features import SCALINGS, Scaling
from recommender.ranking.neighbours import NeighbourTables, build_tables
from recommender.catalogue.listening import PlaylistArtists
from recommender.catalogue.playlist_files import MatchCounts, MatchedPlaylists, PlaylistMatcher, read_playlists
from recommender.offline.rankers import (
    SIGNAL_NAMES,
    MostListened,
    MostPopular,
    Ranker,
    hybrid_rankers,
    standard_rankers,
)

__all__ = [
    "EvaluationError",
    "FileResult",
    "EvaluationReport",
    "tables_for_every_scaling",
    "blend_of",
    "model_for",
    "evaluate_files",
    "EvaluatedInput",
    "read_inputs",
    "FITTED_ON_BUILD",
    "FITTED_ON_BUILD_AND_FILE",
]

#: What co-listening was fitted on: the build's playlist data alone, or also the evaluated file's other listeners.
FITTED_ON_BUILD, FITTED_ON_BUILD_AND_FILE = "build", "build+file"
#: The cut-off of the blend's paired comparisons (the issue's artist-level hit@10).
COMPARED_AT = 10
#: The popularity baselines the blend is compared with, beside each of its signals alone.
BASELINES = (MostPopular.name, MostListened.name)


class EvaluationError(Exception):
    """An evaluation that cannot run as asked (e.g. k beyond the stored tables)."""


@dataclass(frozen=True)
class FileResult:
    """Everything the report says about one playlist file."""

    name: str
    columns: dict[str, str]
    rows_read: int
    rejections: list[Rejection]
    notes: list[str]
    matched: MatchCounts
    playlists: int  # playlists with at least one row matched to the catalogue
    coverage: dict[str, tuple[int, int]]  # level -> (usable playlists, queries)
    rates: list[HitRate]
    long_tail: list[HitRate]  # artist level, hits on the head acts not counted ([] without the artist level)
    # "all" -> blend minus each popularity baseline and each signal alone; "long tail" -> minus each baseline
    versus: dict[str, list[RateDifference]]


@dataclass(frozen=True)
class EvaluationReport:
    """One run: which build, how intervals were drawn, and a result per playlist file."""

    build: BuildInfo
    seed: int
    resamples: int
    files: list[FileResult]
    colistening_fitted_on: str  # FITTED_ON_BUILD or FITTED_ON_BUILD_AND_FILE
    diversity: list[Diversity]  # every non-random ranker over the build's best-known western artists
    song_diversity: list[Diversity]  # the same over its most popular western songs
    head: list[str]  # the Korean acts the long-tail rates do not count


def tables_for_every_scaling(build: StoredBuild) -> list[NeighbourTables]:
    """The stored tables, plus tables of every other scaling built in memory at the same widths."""
    stored = build.tables
    widths = stored.songs.neighbours.shape[1], stored.artists.neighbours.shape[1]
    return [
        stored if scaling == stored.scaling else build_tables(build.catalogue, cast(Scaling, scaling), *widths)
        for scaling in SCALINGS
    ]


def blend_of(build: StoredBuild, familiarity: float = 1.0) -> Blend:
    """The blend the bot answers with: the build's tuned weights, equal until tuned."""
    return Blend(build.blend.weights if build.blend is not None else BlendWeights(), familiarity)


def fit_data(build: StoredBuild, matched: Sequence[MatchedPlaylists]) -> PlaylistArtists:
    """The build's playlist data and these playlist files' playlists.

    A playlist both in the build and in a file (same listener and name) counts once.
    """
    return PlaylistArtists.concat([build.playlists, *(PlaylistArtists.from_matches(m) for m in matched)])


def model_for(build: StoredBuild, matched: Sequence[MatchedPlaylists]) -> HybridModel:
    """The build's signals, co-listening fitted on :func:`fit_data`."""
    return HybridModel(build.catalogue, build.tables, fit_data(build, matched), tags=build.tags)


@dataclass(frozen=True)
class EvaluatedInput:
    """One evaluated input read and matched: a playlist CSV, or a Last.fm folder."""

    name: str
    columns: dict[str, str]
    report: ImportReport
    matched: MatchedPlaylists


def read_inputs(build: StoredBuild, paths: Sequence[Path]) -> list[EvaluatedInput]:
    """Every input read and matched to the build's catalogue: a playlist CSV, or a Last.fm folder (one playlist
    per user). Each is checked before any slow part; raises :class:`PlaylistFileError` for an unusable one.
    """
    matcher = PlaylistMatcher(build.catalogue)
    inputs = []
    for path in paths:
        if is_lastfm_folder(Path(path)):
            data = read_lastfm(Path(path))
            columns = {"listener": "userID", "artist": "artists.dat name"}
            inputs.append(EvaluatedInput(data.name, columns, data.report, lastfm_matches(data, build.catalogue)))
        else:
            playlists = read_playlists(path)
            inputs.append(EvaluatedInput(playlists.name, playlists.columns, playlists.report, matcher.match(playlists)))
    return inputs


def _blend_note(build: StoredBuild, name: str) -> str:
    if build.blend is None:
        return "blend: the signals weigh the same (the build is not tuned; see kpop-bot tune)"
    weights = ", ".join(f"{signal} {value:.2f}" for signal, value in build.blend.weights.normalised().as_dict().items())
    note = f"blend: {weights}, tuned on {', '.join(build.blend.tuned_on)}"
    if name in build.blend.tuned_on:
        note += ("; tuned on this very file, so its blend figures are optimistic "
                 "(kpop-bot tune prints cross-validated ones)")
    return note


def _check_k(build: StoredBuild, ks: Sequence[int], levels: Sequence[str]) -> None:
    widths = {"songs": build.tables.songs.neighbours.shape[1], "artists": build.tables.artists.neighbours.shape[1]}
    for kind in sorted({"artists" if level == "artist" else "songs" for level in levels}):
        if max(ks) > widths[kind]:
            raise EvaluationError(
                f"k={max(ks)} is more than the {widths[kind]} neighbours the stored build keeps per "
                f"{kind[:-1]}; rebuild with `kpop-bot build --k-{kind} {max(ks)}` or ask for a smaller k"
            )


def _versus(evaluation: EvaluationSet, rankers: Sequence[Ranker], seed: int,
            against: Sequence[str]) -> list[RateDifference]:
    """The blend minus each ranker named in ``against`` at artist hit@10, on the same queries, paired."""
    by_name = {r.name: r for r in rankers}
    if "blend" not in by_name:
        return []
    blend = listener_hits(evaluation, by_name["blend"], "artist", (COMPARED_AT,))
    return [
        difference
        for name in against if name in by_name
        for difference in paired_difference(blend, listener_hits(evaluation, by_name[name], "artist", (COMPARED_AT,)),
                                            resamples=RESAMPLES, seed=seed)
    ]


def evaluate_files(
    build: StoredBuild,
    paths: Sequence[Path],
    *,
    levels: Sequence[str],
    ks: Sequence[int],
    seed: int = 0,
    rankers: Sequence[Ranker] | None = None,
    familiarity: float = 1.0,
    cross_validate: bool = False,
    diversity_queries: int = 300,
) -> EvaluationReport:
    """Read, match and score every playlist file (or Last.fm folder) against the build (CPU-bound: run it in a thread).

    ``rankers`` defaults to audio KNN under every scaling, random, most-popular and most-listened
    picks, each signal of the blend alone and the blend (at ``familiarity``), made afresh for each
    file so that a file's random figures do not depend on the files before it. Co-listening and the
    most-listened picks are fitted on the build's playlist data, with ``cross_validate`` also on the
    file's (each listener left out when scored).
    Raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError` for an unusable file.
    """
    _check_k(build, ks, levels)
    inputs = read_inputs(build, paths)
    catalogue = build.catalogue
    tables = tables_for_every_scaling(build) if rankers is None else []
    head = head_acts(catalogue)

    def default_rankers(matched: Sequence[MatchedPlaylists]) -> list[Ranker]:
        fitted = fit_data(build, matched)
        model = HybridModel(catalogue, build.tables, fitted, tags=build.tags)
        return [*standard_rankers(catalogue, tables, seed=seed), MostListened(catalogue, fitted),
                *hybrid_rankers(model, blend_of(build, familiarity))]

    results = []
    for given in inputs:
        scored = rankers if rankers is not None else default_rankers([given.matched] if cross_validate else [])
        evaluation = EvaluationSet.from_matches(given.matched, catalogue)
        tail = long_tail(evaluation, head)
        results.append(
            FileResult(
                name=given.name,
                columns=given.columns,
                rows_read=given.report.rows_read,
                rejections=given.report.rejections,
                notes=[*given.report.notes, *([_blend_note(build, given.name)] if rankers is None else [])],
                matched=given.matched.counts(),
                playlists=len(evaluation.playlists),
                coverage={level: evaluation.coverage(level) for level in levels},
                rates=evaluate(evaluation, scored, levels=levels, ks=ks, resamples=RESAMPLES, seed=seed),
                long_tail=(evaluate(tail, scored, levels=["artist"], ks=ks, resamples=RESAMPLES, seed=seed)
                           if "artist" in levels else []),
                versus=({"all": _versus(evaluation, scored, seed, [*BASELINES, *SIGNAL_NAMES.values()]),
                         "long tail": _versus(tail, scored, seed, BASELINES)} if "artist" in levels else {}),
            )
        )
    on_build = rankers if rankers is not None else default_rankers([])
    return EvaluationReport(
        build.info, seed, RESAMPLES, results,
        colistening_fitted_on=FITTED_ON_BUILD_AND_FILE if cross_validate else FITTED_ON_BUILD,
        diversity=diversity_of(on_build, catalogue, queries=diversity_queries),
        song_diversity=song_diversity_of(on_build, catalogue, queries=diversity_queries),
        head=[catalogue.artist_name(int(a)) for a in head],
    )
