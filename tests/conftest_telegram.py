"""pytest plugin with the fixtures for Telegram end-to-end tests (registered in tests/conftest.py).

- ``fake_telegram``: a started :class:`~tests.fakes.telegram_api.FakeTelegram` on a random port.
- ``telegram_app_builder``: an ``ApplicationBuilder`` already pointed at it; add handlers, build.
- ``fail_on_error_logs`` (in tests/conftest.py) fails a test on any ERROR log record.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_app import AnyApplicationBuilder, application_builder

_LOOPBACK = "127.0.0.1,localhost"
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
async def fake_telegram(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    # httpx (PTB's transport) honours HTTP(S)_PROXY/ALL_PROXY, which would swallow every call to
    # the fake. Dropping them also keeps builds fast: httpx makes an SSL context per proxy. NO_PROXY
    # covers proxies a test sets itself. httpx reads all of these when the Application is built.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(name)
        monkeypatch.setenv(name, f"{current},{_LOOPBACK}" if current else _LOOPBACK)
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def telegram_app_builder(fake_telegram: FakeTelegram) -> AnyApplicationBuilder:
    return application_builder(fake_telegram)


