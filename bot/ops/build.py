"""Where a database's active build comes from: imported from catalogue sources, or a published artifact.

Every step takes what it needs as parameters (the sources, the folders it
caches in, the table sizes), never the bot's configuration: the command line
and the runtime (``bot.app``) resolve those once from the settings, and
benchmarks and tests call the very same code with their own.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from bot.ops.artifacts.files import Artifact, read_artifact
from bot.ops.artifacts.location import ArtifactLocation, Published, prune_cache, publish
from bot.ops.artifacts.manifest import ArtifactError
from bot.ops.build_checks import BuildRefused, refusal
from bot.ops.previous_build import keep, read_kept
from bot.storage.catalogue_store import (
    StoredBuild,
    active_artifact,
    load_build,
    load_build_header,
    mark_artifact,
    save_build,
)
from recommender.catalogue.catalogue import ImportReport
from recommender.catalogue.csvfile import CsvFileError, read_header
from recommender.catalogue.lastfm import find_lastfm_folders, read_lastfm_folders
from recommender.catalogue.listening import PlaylistArtists, read_playlist_data
from recommender.catalogue.playlist_files import holds_playlists
from recommender.catalogue.sources import default_sources, load_catalogue
from recommender.catalogue.sources import resolve_sources as source_files
from recommender.ranking.neighbours import build_tables

__all__ = [
    "BuildOptions",
    "resolve_sources",
    "playlist_files",
    "build_and_save",
    "load_or_build",
    "activate_artifact",
    "publish_build",
    "rollback",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    """What a build is made from and how (``kpop-bot build``'s flags)."""

    sources: Sequence[str] = ()  # catalogue CSVs, folders or URLs; none: the public default catalogue
    scaling: str = "global"
    k_songs: int = 100
    k_artists: int = 200
    progress: bool = False
    playlists: Sequence[str] = ()  # playlist files for co-listening besides those among the sources
    downloads: Path | None = None  # where downloaded sources are cached (None: the user cache folder)
    force: bool = False  # make the build active even when build_checks refuses it
    keep_previous: Path | None = None  # where the replaced build is kept for --rollback (None: not kept)


def resolve_sources(*choices: Sequence[str]) -> list[str]:
    """The first non-empty list of sources (e.g. the command line's, then ``KPOP_SOURCES``), else the public default."""
    for sources in choices:
        if sources:
            return list(sources)
    return [source.url for source in default_sources()]


def playlist_files(sources: Sequence[str], extra: Sequence[str], downloads: Path | None) -> list[Path]:
    """Files among the sources whose header has playlist columns, then the ``extra`` playlist files.

    Sources are resolved as the catalogue resolves them (URLs come from the
    download cache), so a listener export or a song file that names the
    playlist of each track lands in the playlist data without being named twice.
    """
    found = []
    for path in source_files(sources, cache_dir=downloads):
        try:
            header = read_header(path)
        except (CsvFileError, OSError):
            continue  # the catalogue import reports unreadable files
        if holds_playlists(header):
            found.append(path)
    seen = {path.resolve() for path in found}
    return [*found, *(Path(p) for p in extra if Path(p).resolve() not in seen)]


async def build_and_save(engine: AsyncEngine, options: BuildOptions) -> tuple[StoredBuild, ImportReport]:
    """Import, clean, build neighbour tables, read the playlist data and store them as the active build.

    Playlist data comes from playlist files among the sources and ``options.playlists``, and from
    Last.fm (HetRec) folders among local source folders, which also give the artists' tags.

    The CPU-heavy steps run in a worker thread so a running bot keeps answering.
    Raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError` for an unusable ``--playlists`` file.
    """
    sources = resolve_sources(options.sources)
    # The steps take seconds each; a first start would otherwise sit silent for half a minute.
    with tqdm(total=4, desc="building the catalogue", unit="step", disable=not options.progress,
              file=sys.stderr, bar_format="{desc}: step {n}/{total} ({elapsed}){postfix}") as steps:
        steps.set_postfix_str("importing songs")
        catalogue, report = await asyncio.to_thread(
            load_catalogue, sources, progress=options.progress, cache_dir=options.downloads
        )
        active = await load_build_header(engine)
        why = refusal(catalogue.counts(), active[0].counts if active else None)
        if why and not options.force:
            raise BuildRefused(
                f"build refused: {why}. The active build is unchanged; check the sources, "
                "or run again with --force to use this build anyway"
            )
        steps.update()
        steps.set_postfix_str("reading playlists")
        files = await asyncio.to_thread(playlist_files, sources, options.playlists, options.downloads)
        playlists, notes = await asyncio.to_thread(read_playlist_data, files, catalogue)
        listeners, tags, lastfm_notes = await asyncio.to_thread(
            read_lastfm_folders, find_lastfm_folders(sources), catalogue)
        playlists = PlaylistArtists.concat([playlists, listeners])
        report.notes.extend([*notes, *lastfm_notes])
        steps.update()
        steps.set_postfix_str("finding neighbours")
        tables = await asyncio.to_thread(
            build_tables, catalogue, options.scaling, options.k_songs, options.k_artists  # type: ignore[arg-type]
        )
        steps.update()
        steps.set_postfix_str("storing the build")
        if active is not None and options.keep_previous is not None:
            await _keep_active(engine, options.keep_previous)
        await save_build(engine, catalogue, tables, sources=sources, report=report, playlists=playlists, tags=tags)
        stored = await load_build(engine)
        steps.update()
    assert stored is not None, "a build just saved must load"
    return stored, report


async def load_or_build(engine: AsyncEngine, options: BuildOptions) -> StoredBuild:
    """The active build; on first run (none stored yet) one is built with ``options`` and stored first."""
    stored = await load_build(engine)
    if stored is None:
        log.info("no catalogue built yet: building it now (first run)")
        stored, _ = await build_and_save(engine, options)
    return stored


async def activate_artifact(engine: AsyncEngine, url: str, cache: Path) -> StoredBuild:
    """Make the artifact at ``url`` the active build, downloading and verifying it unless it already is.

    A restart with the same version costs one small read of the pointer; a new
    version is downloaded into ``cache`` (one folder per version), verified
    file by file and stored in the database as the active build, with the
    artifact's build time and version so every worker's database describes it
    the same way.
    """
    location = await asyncio.to_thread(ArtifactLocation.open, url)
    version = await asyncio.to_thread(location.resolve)
    if await active_artifact(engine) != version:
        log.info("loading artifact %s", version)
        folder = await asyncio.to_thread(location.fetch, version, cache)
        artifact = await asyncio.to_thread(read_artifact, folder, version)
        await _save_artifact(engine, artifact, version)
        await asyncio.to_thread(prune_cache, cache, version)
    stored = await load_build(engine)
    if stored is None or stored.info.artifact != version:
        raise ArtifactError(f"artifact {version} was stored but another build is active: did a kpop-bot build run meanwhile?")
    return stored


async def rollback(engine: AsyncEngine, kept: Path) -> StoredBuild:
    """Make the build kept in ``kept`` active again, keeping the one it replaces there in its place."""
    artifact = await asyncio.to_thread(read_kept, kept)
    if artifact is None:
        raise BuildRefused(f"no earlier build is kept in {kept}: nothing to roll back to")
    current = await load_build(engine)
    await _save_artifact(engine, artifact, None)
    if current is not None:
        await asyncio.to_thread(keep, current, kept)
    stored = await load_build(engine)
    assert stored is not None, "a build just saved must load"
    return stored


async def _keep_active(engine: AsyncEngine, folder: Path) -> None:
    active = await load_build(engine)
    if active is not None:
        await asyncio.to_thread(keep, active, folder)


async def _save_artifact(engine: AsyncEngine, artifact: Artifact, version: str | None) -> None:
    """Store a build read from artifact files as the active build, with its own build time."""
    manifest = artifact.manifest
    await save_build(
        engine,
        artifact.catalogue,
        artifact.tables,
        sources=manifest.sources,
        report=manifest.rejected,
        created_at=manifest.created_at,
        artifact=version,
        playlists=artifact.playlists,
        blend=manifest.blend,
        tags=artifact.tags,
    )


async def publish_build(engine: AsyncEngine, target: str, options: BuildOptions, cache: Path) -> Published:
    """Publish the database's active build to ``target`` (building one with ``options`` first if there is none).

    ``cache`` is where the version is staged before it is uploaded.
    """
    stored = await load_or_build(engine, options)
    published = await asyncio.to_thread(publish, stored, target, cache)
    await mark_artifact(engine, stored.info.id, published.manifest.version)
    return published
