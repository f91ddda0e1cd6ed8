"""Fixtures shared by every test module."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.conftest_discord"]


@pytest.fixture
def fail_on_error_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test when anything was logged at ERROR or above during its setup, run or teardown.

    Chat libraries catch what a handler raises and only log it ("Ignoring exception in command tree"),
    so a crashing handler would otherwise look like a bot that merely stayed silent.
    """
    yield
    errors = [
        record
        for when in ("setup", "call", "teardown")
        for record in caplog.get_records(when)
        if record.levelno >= logging.ERROR
    ]
    if errors:
        pytest.fail("ERROR logged during the test:\n" + "\n".join(f"{r.name}: {r.getMessage()}" for r in errors))
