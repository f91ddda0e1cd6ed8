"""Building the python-telegram-bot Application and running it until told to stop.

``kpop-bot run`` awaits :func:`serve` with an event it sets on SIGTERM/SIGINT.
PTB's ``run_polling``/``run_webhook`` are not used: they install their own
signal handlers and own the event loop. :func:`serve` drives the same async
lifecycle by hand: initialise (``getMe``), register the command list, start
long polling or the webhook server, and on ``stop`` stop taking updates,
finish those in hand and shut down; the runtime then closes the database.

Long polling is the default. With ``TELEGRAM_WEBHOOK_URL`` set, the bot's
webhook server (:mod:`adapters.telegram.webhook`) listens on
``TELEGRAM_WEBHOOK_LISTEN:PORT`` at the URL's path and accepts only requests
carrying the secret token: ``TELEGRAM_WEBHOOK_SECRET``, or one derived from the
bot token and the URL, the same in every process serving that webhook.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from adapters.errors import PlatformConfigError
from adapters.telegram.handlers import add_handlers
from adapters.telegram.options import TelegramOptions
from adapters.telegram.retries import RetryingRateLimiter
from adapters.telegram.updates import PerPersonOrder
from adapters.telegram.webhook import WebhookConfig, WebhookServer, derived_secret, valid_secret
from bot.chat.core import KpopCore
from bot.chat.updates import HandledUpdates

__all__ = ["ALLOWED_UPDATES", "COMMANDS", "webhook_config", "build_application", "serve"]

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

#: The updates the bot asks Telegram for. Reactions are opt-in on Telegram's side: without
#: "message_reaction" here they are never delivered. Edited messages are left out on purpose.
ALLOWED_UPDATES = ("message", "callback_query", "inline_query", "message_reaction")
#: The command menu Telegram's apps show (``setMyCommands``).
COMMANDS = (
    BotCommand("kpop", "K-pop picks for a song or artist you like"),
    BotCommand("more", "More picks after my last answer"),
    BotCommand("forget", "Delete everything I stored about you"),
    BotCommand("help", "What I do and how to use me"),
)
MAX_CONCURRENT_UPDATES = 64


def webhook_config(options: TelegramOptions) -> WebhookConfig | None:
    """The webhook to run, or None for long polling; a bad secret is a :class:`PlatformConfigError`."""
    if not options.webhook_url:
        return None
    if options.webhook_secret is None:
        secret = derived_secret(options.token.get_secret_value(), options.webhook_url)
        log.info("no TELEGRAM_WEBHOOK_SECRET set: using one derived from the bot token and the URL")
    else:
        secret = options.webhook_secret.get_secret_value()
        if not valid_secret(secret):
            raise PlatformConfigError(
                "TELEGRAM_WEBHOOK_SECRET must be 16 to 256 characters from A-Z, a-z, 0-9, _ and -"
            )
    return WebhookConfig(
        url=options.webhook_url,
        url_path=urlsplit(options.webhook_url).path.strip("/"),
        secret_token=secret,
        listen=options.webhook_listen,
        port=options.webhook_port,
    )


def build_application(
    core: KpopCore, updates: HandledUpdates, options: TelegramOptions, **builder_options: Any
) -> AnyApplication:
    """The Application with every handler, not yet started.

    ``builder_options`` call the ``ApplicationBuilder`` method of that name
    after the defaults here, e.g. ``base_url=...`` to point the bot at a test
    server or ``rate_limiter=...`` to retry sooner.
    """
    builder = (
        ApplicationBuilder()
        .token(options.token.get_secret_value())
        .rate_limiter(RetryingRateLimiter())
        .concurrent_updates(PerPersonOrder(MAX_CONCURRENT_UPDATES))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,  # a question deleted meanwhile still gets its answer
            )
        )
    )
    for name, value in builder_options.items():
        getattr(builder, name)(value)
    app = builder.build()
    add_handlers(app, core, updates)
    return app


async def serve(
    core: KpopCore, updates: HandledUpdates, options: TelegramOptions, stop: asyncio.Event, **builder_options: Any
) -> None:
    """Answer Telegram until ``stop`` is set, then finish the updates in hand and return.

    PTB warns on every flood-control error that its time periods will become
    ``timedelta``s; the bot reads none of them, so it opts in to that future
    (``PTB_TIMEDELTA``) unless the environment already decided.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    webhook = webhook_config(options)
    app = build_application(core, updates, options, **builder_options)
    receiver = WebhookServer(webhook, app.bot, app.update_queue) if webhook else None
    await _initialize(app)
    try:
        await _register_commands(app)
        if receiver is not None:
            await receiver.start(ALLOWED_UPDATES)
        else:
            assert app.updater is not None, "the builder makes an Updater unless told not to"
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await app.start()
        log.info("Telegram: @%s is answering (%s)", app.bot.username, "webhook" if webhook else "long polling")
        await stop.wait()
        log.info("Telegram: stopping; finishing the updates in hand")
    finally:
        if receiver is not None:
            await receiver.stop()  # no new updates
        if app.updater is not None and app.updater.running:
            await app.updater.stop()  # no new updates; the ones fetched are confirmed
        if app.running:
            await app.stop()  # handles what is queued and waits for what is in flight
        await app.shutdown()


async def _initialize(app: AnyApplication) -> None:
    """``getMe`` and friends; a rejected token becomes a readable :class:`PlatformConfigError`."""
    try:
        await app.initialize()
    except BaseException as exc:
        await app.bot.shutdown()  # a failed initialize leaves the bot's HTTP clients open
        if isinstance(exc, InvalidToken):
            raise PlatformConfigError(f"Telegram rejected TELEGRAM_BOT_TOKEN ({exc}); check it with @BotFather") from exc
        raise


async def _register_commands(app: AnyApplication) -> None:
    """The command menu is a convenience: failing to set it is logged, not fatal."""
    try:
        await app.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        log.warning("could not register the Telegram command list: %s", exc)
