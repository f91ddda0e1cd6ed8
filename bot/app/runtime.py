"""Putting the pieces together: database, catalogue build, library and core.

``open_core`` is what every command that answers people uses: it migrates the
database, loads the active build (building one first if there is none, or
taking the published artifact ``KPOP_ARTIFACT`` names) and hands back a ready
:class:`~bot.chat.core.KpopCore`, closing the database on exit.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ops.artifacts import ArtifactError, ArtifactLocation, Published, prune_cache, publish, read_artifact
from bot.app.config import Settings
from bot.chat.core import KpopCore
from bot.chat.library import Library
from bot.storage.catalogue_store import StoredBuild, active_artifact, load_build, mark_artifact, save_build
from bot.storage.engine import open_database
from bot.storage.history import History
from recommender.catalogue.catalogue import ImportReport
from recommender.catalogue.csvfile import CsvFileError, read_header
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.listening import read_playlist_data
from recommender.catalogue.playlist_files import holds_playlists
from recommender.catalogue.sources import default_sources, load_catalogue
from recommender.catalogue.sources import resolve_sources as source_files

__all__ = [
    "BuildOptions",
    "resolve_sources",
    "build_and_save",
    "artifact_cache",
    "activate_artifact",
    "publish_build",
    "load_or_build",
    "open_core",
    "settle_memory",
    "Service",
    "platform_services",
    "serve_until_stopped",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    sources: Sequence[str] = ()
    scaling: str = "global"
    k_songs: int = 100
    k_artists: int = 200
    progress: bool = False
    playlists: Sequence[str] = ()  # playlist files for co-listening besides those among the sources


def resolve_sources(settings: Settings, given: Sequence[str] = ()) -> list[str]:
    """Explicit sources win, then ``KPOP_SOURCES``, then the public default catalogue."""
    if given:
        return list(given)
    if settings.sources:
        return list(settings.sources)
    return [source.url for source in default_sources()]


def playlist_files(sources: Sequence[str], extra: Sequence[str], cache_dir: Path) -> list[Path]:
    """Files among the sources whose header has playlist columns, then the ``extra`` playlist files.

    Sources are resolved as the catalogue resolves them (URLs come from the
    download cache), so a listener export or a song file that names the
    playlist of each track lands in the playlist data without being named twice.
    """
    found = []
    for path in source_files(sources, cache_dir=cache_dir):
        try:
            header = read_header(path)
        except (CsvFileError, OSError):
            continue  # the catalogue import reports unreadable files
        if holds_playlists(header):
            found.append(path)
    seen = {path.resolve() for path in found}
    return [*found, *(Path(p) for p in extra if Path(p).resolve() not in seen)]


async def build_and_save(
    engine: AsyncEngine, settings: Settings, options: BuildOptions
) -> tuple[StoredBuild, ImportReport]:
    """Import, clean, build neighbour tables, read the playlist data and store them as the active build.

    The CPU-heavy steps run in a worker thread so a running bot keeps answering.
    Raises :class:`~recommender.catalogue.playlist_files.PlaylistFileError` for an unusable ``--playlists`` file.
    """
    sources = resolve_sources(settings, options.sources)
    cache_dir = settings.data_dir / "downloads"
    catalogue, report = await asyncio.to_thread(
        load_catalogue, sources, progress=options.progress, cache_dir=cache_dir
    )
    files = await asyncio.to_thread(playlist_files, sources, options.playlists, cache_dir)
    playlists, notes = await asyncio.to_thread(read_playlist_data, files, catalogue)
    report.notes.extend(notes)
    tables = await asyncio.to_thread(
        build_tables, catalogue, options.scaling, options.k_songs, options.k_artists  # type: ignore[arg-type]
    )
    await save_build(engine, catalogue, tables, sources=sources, report=report, playlists=playlists)
    stored = await load_build(engine)
    assert stored is not None, "a build just saved must load"
    return stored, report


async def load_or_build(engine: AsyncEngine, settings: Settings, options: BuildOptions | None = None) -> StoredBuild:
    """The active build; on first run (none stored yet) one is built and stored first."""
    stored = await load_build(engine)
    if stored is None:
        log.info("no catalogue built yet: building it now (first run)")
        stored, _ = await build_and_save(engine, settings, options or BuildOptions())
    return stored


def artifact_cache(settings: Settings) -> Path:
    """Where published artifacts are staged and downloaded (one folder per version)."""
    return settings.data_dir / "artifacts"


async def activate_artifact(engine: AsyncEngine, settings: Settings, url: str) -> StoredBuild:
    """Make the artifact at ``url`` the active build, downloading and verifying it unless it already is.

    A restart with the same version costs one small read of the pointer; a new
    version is downloaded into the cache, verified file by file and stored in
    the database as the active build, with the artifact's build time and
    version so every worker's database describes it the same way.
    """
    location = await asyncio.to_thread(ArtifactLocation.open, url)
    version = await asyncio.to_thread(location.resolve)
    if await active_artifact(engine) != version:
        log.info("loading artifact %s", version)
        folder = await asyncio.to_thread(location.fetch, version, artifact_cache(settings))
        artifact = await asyncio.to_thread(read_artifact, folder, version)
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
        )
        await asyncio.to_thread(prune_cache, artifact_cache(settings), version)
    stored = await load_build(engine)
    if stored is None or stored.info.artifact != version:
        raise ArtifactError(f"artifact {version} was stored but another build is active: did a kpop-bot build run meanwhile?")
    return stored


async def publish_build(settings: Settings, target: str, options: BuildOptions) -> Published:
    """Publish the database's active build to ``target`` (building one first if there is none)."""
    engine = await open_database(settings.resolved_database_url)
    try:
        stored = await load_or_build(engine, settings, options)
        published = await asyncio.to_thread(publish, stored, target, artifact_cache(settings))
        await mark_artifact(engine, stored.info.id, published.manifest.version)
        return published
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_core(settings: Settings, options: BuildOptions | None = None) -> AsyncIterator[KpopCore]:
    """A ready core over the configured database.

    With ``KPOP_ARTIFACT`` set, the published artifact is the catalogue and
    nothing is built; otherwise the active build is loaded, built on first run.
    """
    engine = await open_database(settings.resolved_database_url)
    try:
        if settings.artifact is not None:
            stored = await activate_artifact(engine, settings, settings.artifact)
        else:
            stored = await load_or_build(engine, settings, options)
        library = await asyncio.to_thread(Library.from_build, stored, familiarity=settings.familiarity)
        history = History(engine)
        try:
            yield KpopCore(library, history, settings)
        finally:
            await history.close()
    finally:
        await engine.dispose()


#: A platform adapter's entry point: serve until ``stop`` is set, then shut down gracefully.
Service = Callable[[KpopCore, Settings, asyncio.Event], Awaitable[None]]


def platform_services(settings: Settings) -> dict[str, Service]:
    """The adapters whose token is configured (imported only when needed)."""
    services: dict[str, Service] = {}
    if settings.discord_token is not None:
        from adapters.discord import serve as serve_discord

        services["discord"] = serve_discord
    if settings.telegram_token is not None:
        from adapters.telegram import serve as serve_telegram

        services["telegram"] = serve_telegram
    return services


def settle_memory() -> None:
    """Take what is loaded now out of the garbage collector's sight, once, before serving.

    The catalogue, its tables and the matcher are a few hundred thousand objects that live as
    long as the process; each full collection would walk them all, pausing answers for tens of
    milliseconds. Collected first, so no garbage is frozen with them.
    """
    gc.collect()
    gc.freeze()


async def serve_until_stopped(core: KpopCore, settings: Settings, services: dict[str, Service]) -> None:
    """Run every adapter on one core until SIGTERM or SIGINT, then let each finish its work.

    A Procfile worker gets SIGTERM on deploys and restarts; each adapter then
    stops taking new events, finishes the ones in flight and returns, and the
    database closes after all of them. If one adapter fails, the others are
    stopped and the error propagates (the process manager restarts the worker).
    """
    settle_memory()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with asyncio.TaskGroup() as group:
            for name, serve in services.items():
                log.info("starting the %s adapter", name)
                group.create_task(serve(core, settings, stop), name=f"adapter-{name}")
    except ExceptionGroup as failed:
        if len(failed.exceptions) == 1:
            # One adapter failed (the usual case): raise its own error, e.g. a ConfigError about a
            # refused token, which the command line shows as one line instead of a group traceback.
            raise failed.exceptions[0] from None
        raise
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
