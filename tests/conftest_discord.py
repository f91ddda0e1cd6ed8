"""pytest fixtures for end-to-end tests against the fake Discord (registered from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started fake Discord on 127.0.0.1 with discord.py pointed at it; stopped after the test."""
    # discord.py ignores proxy variables, but other HTTP clients in the same test may not.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    async with FakeDiscord() as fake:
        fake.install(monkeypatch)
        yield fake
