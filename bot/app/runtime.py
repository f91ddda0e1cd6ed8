"""Putting the pieces together for the commands that answer people: database, build, library and core.

``open_core`` migrates the database, loads the active build (building one
first if there is none, or taking the published artifact ``KPOP_ARTIFACT``
names) and hands back a ready :class:`~bot.chat.core.KpopCore`, closing the
database on exit; ``serve_until_stopped`` runs the platform adapters on it.
How a build is made or fetched is :mod:`bot.ops.build`'s business, and what
each part is told of the settings is :mod:`bot.app.options`'.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

import bot.ops.report as report
from bot.app.config import Settings
from bot.app.library_cache import keep_fitted, load_library
from bot.app.options import build_options, chat_options, discord_options, telegram_options
from bot.chat.completion import Completion
from bot.chat.core import KpopCore
from bot.chat.library import Library
from bot.chat.live_lookup import LiveLookup
from bot.chat.updates import HandledUpdates
from bot.ops.build import BuildOptions, activate_artifact, load_or_build
from bot.storage.engine import database
from bot.storage.history import History

__all__ = [
    "new_core",
    "open_core",
    "settle_memory",
    "Service",
    "configured_platforms",
    "platform_services",
    "serve_until_stopped",
]

log = logging.getLogger(__name__)


def new_core(library: Library, history: History, settings: Settings, lookup: LiveLookup | None = None) -> KpopCore:
    """The core over a loaded library and a history, with its options and the report as its statistics."""
    return KpopCore(library, history, chat_options(settings), stats=partial(report.summary, history.engine),
                    lookup=lookup)


@asynccontextmanager
async def open_core(settings: Settings, options: BuildOptions | None = None) -> AsyncIterator[KpopCore]:
    """A ready core over the configured database.

    With ``KPOP_ARTIFACT`` set, the published artifact is the catalogue and
    nothing is built; otherwise the active build is loaded, built on first run.
    A build fitted before by this code is loaded as fitted (:mod:`bot.app.library_cache`).
    """
    async with database(settings.resolved_database_url) as engine:
        if settings.artifact is not None:
            await activate_artifact(engine, settings.artifact, settings.artifact_dir)
        library = await load_library(engine, settings.data_dir, settings.familiarity)
        if library is None:
            stored = await load_or_build(engine, options or build_options(settings))
            library = await keep_fitted(stored, settings.data_dir, settings.familiarity)
        history = History(engine)
        lookup = (LiveLookup(library.matcher, per_minute=settings.live_lookup_per_minute)
                  if settings.live_lookup else None)
        try:
            yield new_core(library, history, settings, lookup)
        finally:
            if lookup is not None:
                await lookup.close()
            await history.close()


#: A platform adapter at work: serve until the event is set, then shut down gracefully.
Service = Callable[[asyncio.Event], Awaitable[None]]


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms whose token is set: what ``kpop-bot run`` serves."""
    tokens = {"discord": settings.discord_token, "telegram": settings.telegram_token}
    return [name for name, token in tokens.items() if token is not None]


def platform_services(settings: Settings, core: KpopCore) -> dict[str, Service]:
    """Each configured adapter over ``core``, handed its own options and the services it needs.

    Adapters are imported only when configured: a Telegram-only bot never loads discord.py.
    """
    services: dict[str, Service] = {}
    for name in configured_platforms(settings):
        if name == "discord":
            from adapters.discord import serve as serve_discord

            completion = Completion(core.library, core.options)
            services[name] = partial(serve_discord, core, completion, discord_options(settings))
        else:
            from adapters.telegram import serve as serve_telegram

            updates = HandledUpdates(core.history.updates)
            services[name] = partial(serve_telegram, core, updates, telegram_options(settings))
    return services


def settle_memory() -> None:
    """Take what is loaded now out of the garbage collector's sight, once, before serving.

    The catalogue, its tables and the matcher are a few hundred thousand objects that live as
    long as the process; each full collection would walk them all, pausing answers for tens of
    milliseconds. Collected first, so no garbage is frozen with them.
    """
    gc.collect()
    gc.freeze()


async def serve_until_stopped(services: dict[str, Service]) -> None:
    """Run every adapter until SIGTERM or SIGINT, then let each finish its work.

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
                group.create_task(serve(stop), name=f"adapter-{name}")
    except ExceptionGroup as failed:
        if len(failed.exceptions) == 1:
            # One adapter failed (the usual case): raise its own error, e.g. a refused token,
            # which the command line shows as one line instead of a group traceback.
            raise failed.exceptions[0] from None
        raise
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
