"""Fixtures shared by every test module; the rest are plugins in ``tests/support/fixtures/`` (listed below)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.logs import NEVER_DEBUG, NOISY
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.sources import load_catalogue
from tests.support.fakes.log_guard import ErrorLogGuard

pytest_plugins = [
    "tests.support.fixtures.catalogue",
    "tests.support.fixtures.core",
    "tests.support.fixtures.database",
    "tests.support.fixtures.discord",
    "tests.support.fixtures.telegram",
]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The shared real data (``KPOP_SHARED_DATA``, default ``../shared/data``); skips when absent."""
    path = Path(os.environ.get("KPOP_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"real data directory {path} not found (set KPOP_SHARED_DATA to run realdata tests)")
    return path


@pytest.fixture(scope="session")
def real_catalogue(shared_data_dir: Path) -> tuple[Catalogue, ImportReport]:
    """The whole shared data directory imported once per test session (about 7 s)."""
    start = time.perf_counter()
    catalogue, report = load_catalogue([shared_data_dir])
    print(f"\nloaded {shared_data_dir} in {time.perf_counter() - start:.2f} s: {catalogue.counts()}")
    return catalogue, report


@pytest.fixture
def fail_on_error_logs() -> Iterator[ErrorLogGuard]:
    """Fail the test when anything was logged at ERROR or above during it.

    Chat libraries catch what a handler raises and only log it ("Ignoring exception in command
    tree", "No error handlers are registered"), so a crashing handler would otherwise look like a
    bot that merely stayed silent. ``guard.allow(substring)`` accepts an expected record.
    """
    guard = ErrorLogGuard()
    root = logging.getLogger()
    root.addHandler(guard)
    try:
        yield guard
    finally:
        root.removeHandler(guard)
    if guard.unexpected:
        pytest.fail(f"ERROR records were logged:\n{guard.report()}", pytrace=False)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """For tests that call ``configure_logging``: it replaces the root handlers (pytest's too) and sets
    library levels; put everything back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in (*NOISY, *NEVER_DEBUG)}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, library_level in libraries.items():
        logging.getLogger(name).setLevel(library_level)
