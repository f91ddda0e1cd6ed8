"""Glue between python-telegram-bot and the fake Bot API: a preconfigured builder and run helpers.

``run_polling``/``run_webhook`` on the Application block and install signal handlers, so tests
drive the async pieces themselves: initialize, start the updater, start the application, and stop
in reverse order. These context managers do exactly that and always stop cleanly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder, Updater

from tests.support.fakes.telegram_api import FakeTelegram

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyApplicationBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]


def application_builder(fake: FakeTelegram) -> AnyApplicationBuilder:
    """An ApplicationBuilder whose bot talks to ``fake`` (token, API URL and file URL set)."""
    return ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url)


def polling(
    app: AnyApplication, *, allowed_updates: Sequence[str] | None = None, timeout: int = 10
) -> AbstractAsyncContextManager[AnyApplication]:
    """Run ``app`` with long polling for the duration of the block.

    ``allowed_updates`` defaults to None like PTB's start_polling, which means Telegram's default
    set: reactions are NOT delivered unless asked for. The poll ``timeout`` costs nothing: the
    fake answers as soon as an update arrives and wakes parked polls when stopping.
    """
    return _running(
        app, lambda updater: updater.start_polling(allowed_updates=allowed_updates, timeout=timeout)
    )


def webhook(
    app: AnyApplication,
    *,
    port: int,
    url_path: str = "telegram",
    secret_token: str | None = None,
    allowed_updates: Sequence[str] | None = None,
) -> AbstractAsyncContextManager[AnyApplication]:
    """Run ``app`` with PTB's built-in webhook server on 127.0.0.1:``port`` for the block.

    PTB registers ``http://127.0.0.1:<port>/<url_path>`` with setWebhook, so
    ``fake.post_webhook(update)`` reaches it without further configuration.
    """
    return _running(
        app,
        lambda updater: updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path=url_path,
            secret_token=secret_token,
            allowed_updates=allowed_updates,
        ),
    )


@asynccontextmanager
async def _running(
    app: AnyApplication, start_updater: Callable[[Updater], Awaitable[object]]
) -> AsyncIterator[AnyApplication]:
    async with app:
        if app.updater is None:
            raise ValueError("build the Application with an Updater (the builder's default)")
        await start_updater(app.updater)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
