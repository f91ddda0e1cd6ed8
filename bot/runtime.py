"""Putting the pieces together: database, catalogue build, library and core.

``open_core`` is what every command that answers people uses: it migrates the
database, loads the active build (building one first if there is none) and
hands back a ready :class:`~bot.core.KpopCore`, closing the database on exit.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core import KpopCore
from bot.library import Library
from bot.storage.catalogue_store import StoredBuild, load_build, save_build
from bot.storage.engine import open_database
from bot.storage.history import History
from recommender.catalogue import ImportReport
from recommender.neighbours import build_tables
from recommender.sources import default_sources, load_catalogue

__all__ = [
    "BuildOptions",
    "resolve_sources",
    "build_and_save",
    "open_core",
    "Service",
    "platform_services",
    "serve_until_stopped",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    sources: Sequence[str] = ()
    scaling: str = "global"
    k_songs: int = 50
    k_artists: int = 50
    progress: bool = False


def resolve_sources(settings: Settings, given: Sequence[str] = ()) -> list[str]:
    """Explicit sources win, then ``KPOP_SOURCES``, then the public default catalogue."""
    if given:
        return list(given)
    if settings.sources:
        return list(settings.sources)
    return [source.url for source in default_sources()]


async def build_and_save(
    engine: AsyncEngine, settings: Settings, options: BuildOptions
) -> tuple[StoredBuild, ImportReport]:
    """Import, clean, build neighbour tables and store them as the active build.

    The CPU-heavy steps run in a worker thread so a running bot keeps answering.
    """
    sources = resolve_sources(settings, options.sources)
    cache_dir = settings.data_dir / "downloads"
    catalogue, report = await asyncio.to_thread(
        load_catalogue, sources, progress=options.progress, cache_dir=cache_dir
    )
    tables = await asyncio.to_thread(
        build_tables, catalogue, options.scaling, options.k_songs, options.k_artists  # type: ignore[arg-type]
    )
    await save_build(engine, catalogue, tables, sources=sources, report=report)
    stored = await load_build(engine)
    assert stored is not None, "a build just saved must load"
    return stored, report


@asynccontextmanager
async def open_core(settings: Settings, options: BuildOptions | None = None) -> AsyncIterator[KpopCore]:
    """A ready core over the configured database; builds the catalogue on first run."""
    engine = await open_database(settings.resolved_database_url)
    try:
        stored = await load_build(engine)
        if stored is None:
            log.info("no catalogue built yet: building it now (first run)")
            stored, _ = await build_and_save(engine, settings, options or BuildOptions())
        library = await asyncio.to_thread(Library.from_build, stored)
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


async def serve_until_stopped(core: KpopCore, settings: Settings, services: dict[str, Service]) -> None:
    """Run every adapter on one core until SIGTERM or SIGINT, then let each finish its work.

    A Procfile worker gets SIGTERM on deploys and restarts; each adapter then
    stops taking new events, finishes the ones in flight and returns, and the
    database closes after all of them. If one adapter fails, the others are
    stopped and the error propagates (the process manager restarts the worker).
    """
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
