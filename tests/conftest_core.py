"""A real core over a small catalogue and a fresh migrated SQLite file, for core and adapter tests.

A plugin of tests/conftest.py. The catalogue is made in code (no shared data):
a handful of well-known western and Korean songs with random features, so
tests can type real titles while staying independent of any data file.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.core import KpopCore
from bot.library import Library
from bot.storage.catalogue_store import load_build, save_build
from bot.storage.engine import open_database
from bot.storage.history import History
from recommender.catalogue import Catalogue, ImportReport
from recommender.neighbours import build_tables
from recommender.playlist_data import PlaylistArtists
from tests.factories import make_catalogue

WESTERN = [
    ("Blinding Lights", "The Weeknd", 95.0),
    ("Save Your Tears", "The Weeknd", 90.0),
    ("Starboy", "The Weeknd", 88.0),
    ("Shape of You", "Ed Sheeran", 94.0),
    ("Perfect", "Ed Sheeran", 89.0),
    ("Love Story", "Taylor Swift", 85.0),
    ("Anti-Hero", "Taylor Swift", 92.0),
    ("Stay", "Justin Bieber", 91.0),
    ("Stay", "Rihanna", 70.0),
    ("Bad Guy", "Billie Eilish", 90.0),
]
KOREAN = [
    ("Dynamite", "BTS", 90.0),
    ("Butter", "BTS", 88.0),
    ("Spring Day", "BTS", 80.0),
    ("How You Like That", "BLACKPINK", 89.0),
    ("Pink Venom", "BLACKPINK", 87.0),
    ("Psycho", "Red Velvet", 80.0),
    ("Fancy", "TWICE", 82.0),
    ("밤편지", "IU", 78.0),
    ("Hype Boy", "NewJeans", 86.0),
    ("ANTIFRAGILE", "LE SSERAFIM", 84.0),
    ("Next Level", "aespa", 83.0),
    ("Love Dive", "IVE", 85.0),
    ("God's Menu", "Stray Kids", 79.0),
    ("Lion Heart", "Girls' Generation", 70.0),
]
ALIASES = {"BTS": ["방탄소년단", "Bangtan Boys"], "IU": ["아이유"], "BLACKPINK": ["블랙핑크"]}

CoreFactory = Callable[..., Awaitable[KpopCore]]


def small_catalogue() -> Catalogue:
    rows = [(t, a, False, p) for t, a, p in WESTERN] + [(t, a, True, p) for t, a, p in KOREAN]
    return make_catalogue(rows, aliases=ALIASES, seed=7)


def core_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test core: its own SQLite file; the experiment off unless asked for."""
    values: dict[str, object] = {
        "KPOP_DATA_DIR": tmp_path,
        "KPOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "KPOP_EXPERIMENT": False,
    }
    values.update(overrides)
    return load_settings(**values)


async def _save_small_build(path: Path) -> None:
    engine = await open_database(f"sqlite+aiosqlite:///{path}")
    try:
        catalogue = small_catalogue()
        tables = build_tables(catalogue, "global", k_songs=20, k_artists=20)
        await save_build(engine, catalogue, tables, sources=["test"], report=ImportReport())
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def small_build_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding :func:`small_catalogue`'s build, made once per test session.

    Each default core starts from a copy: migrating and saving a build per test cost most of the
    time of the end-to-end adapter tests.
    """
    path = tmp_path_factory.mktemp("small-build") / "bot.db"
    asyncio.run(_save_small_build(path))
    return path


@pytest.fixture
async def make_core(tmp_path: Path, small_build_database: Path) -> AsyncIterator[CoreFactory]:
    """Call ``await make_core(database_url=..., **settings_overrides)`` for a ready core (SQLite in
    ``tmp_path`` unless a URL is given); everything closes after the test. A ``catalogue`` of the test's
    own may come with ``playlists`` (the build's co-listening data)."""
    async with AsyncExitStack() as stack:

        async def factory(
            catalogue: Catalogue | None = None,
            *,
            database_url: str | None = None,
            playlists: PlaylistArtists | None = None,
            **overrides: object,
        ) -> KpopCore:
            if database_url is not None:
                overrides["KPOP_DATABASE_URL"] = database_url
            settings = core_settings(tmp_path, **overrides)
            database = tmp_path / "bot.db"
            if database_url is None and catalogue is None and not database.exists():
                shutil.copyfile(small_build_database, database)
            engine = await open_database(settings.resolved_database_url)
            stack.push_async_callback(engine.dispose)
            if await load_build(engine) is None:
                catalogue = catalogue if catalogue is not None else small_catalogue()
                tables = build_tables(catalogue, "global", k_songs=20, k_artists=20)
                await save_build(engine, catalogue, tables, sources=["test"], report=ImportReport(),
                                 playlists=playlists)
            stored = await load_build(engine)
            assert stored is not None
            history = History(engine)
            stack.push_async_callback(history.close)
            return KpopCore(Library.from_build(stored, familiarity=settings.familiarity), history, settings)

        yield factory


@pytest.fixture
async def core(make_core: CoreFactory) -> KpopCore:
    """A core over :func:`small_catalogue` with default settings (experiment off)."""
    return await make_core()
