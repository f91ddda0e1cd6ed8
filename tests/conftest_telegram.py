"""pytest plugin with the fixtures for Telegram end-to-end tests (registered in tests/conftest.py).

- ``fake_telegram``: a started :class:`~tests.fakes.telegram_api.FakeTelegram` on a random port.
- ``telegram_app_builder``: an ``ApplicationBuilder`` already pointed at it; add handlers, build.
- ``start_telegram_bot``: runs the real adapter (``adapters.telegram.serve``) against the fake
  over a real core (``make_core``), stopped like on SIGTERM at the end of the test.
- ``fail_on_error_logs`` (in tests/conftest.py) fails a test on any ERROR log record.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from telegram.request import HTTPXRequest

from adapters.telegram import serve
from adapters.telegram.retries import RetryingRateLimiter
from bot.core import KpopCore
from tests.conftest_core import CoreFactory
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_app import AnyApplicationBuilder, application_builder

_LOOPBACK = "127.0.0.1,localhost"
_PLAIN_HTTP = {"verify": False}
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




@dataclass
class RunningBot:
    """The real adapter (:func:`adapters.telegram.serve`) answering ``fake`` over ``core``."""

    fake: FakeTelegram
    core: KpopCore
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def shutdown(self) -> None:
        """Set the stop event like SIGTERM does and wait until serve() has returned."""
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=5)


BotStarter = Callable[..., Awaitable[RunningBot]]


@pytest.fixture
async def start_telegram_bot(
    fake_telegram: FakeTelegram, make_core: CoreFactory, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotStarter]:
    """``await start_telegram_bot(**settings)`` runs the adapter against the fake until the test ends.

    Settings are environment names (``KPOP_RATE_LIMIT_COUNT=2``, ``TELEGRAM_WEBHOOK_URL=...``);
    ``core=`` reuses a core. Server errors are retried after 10 ms instead of a second, and the
    HTTP clients skip loading CA certificates (a tenth of a second each) as the fake is plain HTTP.
    """
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # what serve() sets, undone after the test
    running: list[RunningBot] = []

    async def start(core: KpopCore | None = None, **settings: object) -> RunningBot:
        core = core or await make_core(TELEGRAM_BOT_TOKEN=fake_telegram.token, **settings)
        stop = asyncio.Event()
        task = asyncio.create_task(
            serve(
                core,
                core.settings,
                stop,
                base_url=fake_telegram.base_url,
                base_file_url=fake_telegram.base_file_url,
                rate_limiter=RetryingRateLimiter(first_delay=0.01),
                request=HTTPXRequest(httpx_kwargs=_PLAIN_HTTP),
                get_updates_request=HTTPXRequest(httpx_kwargs=_PLAIN_HTTP),
            )
        )
        bot = RunningBot(fake_telegram, core, stop, task)
        running.append(bot)
        return bot

    yield start
    for bot in running:
        if not bot.task.done():
            await bot.shutdown()
