"""Receiving updates by webhook: Telegram POSTs each one to the bot's URL with a secret token.

The secret is ``TELEGRAM_WEBHOOK_SECRET`` when set. Otherwise it is derived from the bot token and
the webhook URL (an HMAC, so it reveals nothing of the token): every process serving the same bot at
the same URL derives the same one. A random secret per start would break as soon as two processes
serve the webhook (several replicas, or a rolling deploy): each start's ``setWebhook`` would replace
the others' secret, and they would refuse Telegram's requests with 403 until it gave up.

The server is a small aiohttp app rather than PTB's built-in one, which compares the secret with
``!=`` (its time depends on how much of a guess is right) and logs wrong guesses in full; here the
comparison takes constant time and nothing of the header is logged. Accepted updates go into the
Application's update queue, exactly where PTB's own server puts them. TLS is left to the proxy in
front, as on every platform that routes HTTPS to a ``PORT``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Bot, Update

__all__ = ["WebhookConfig", "WebhookServer", "derived_secret", "valid_secret", "SECRET_HEADER"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What Telegram accepts as a secret token (1-256 of these characters), from 16 on: a short one can be
# guessed, and a secret a few characters long is a word that turns up in ordinary log lines.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram sends updates (``url``) and where this process listens for them."""

    url: str
    url_path: str
    secret_token: str
    listen: str
    port: int


def valid_secret(secret: str) -> bool:
    return _SECRET.fullmatch(secret) is not None


def derived_secret(bot_token: str, url: str) -> str:
    """The secret every process of one bot at one URL agrees on: 43 characters Telegram accepts."""
    digest = hmac.new(bot_token.encode(), b"kpop-bot telegram webhook\n" + url.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class WebhookServer:
    """Listens on ``config.listen:port`` at ``config.url_path``, then registers ``config.url``."""

    def __init__(self, config: WebhookConfig, bot: Bot, updates: asyncio.Queue[Any]) -> None:
        self._config = config
        self._bot = bot
        self._updates = updates
        self._secret = config.secret_token.encode()
        self._runner: web.AppRunner | None = None

    async def start(self, allowed_updates: tuple[str, ...]) -> None:
        """Listen first, so Telegram's first request finds the server, then call ``setWebhook``."""
        app = web.Application()
        path = "/" + self._config.url_path
        app.router.add_post(path, self._receive)
        if path != "/":
            app.router.add_post(path + "/", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._config.listen, self._config.port).start()
        await self._bot.set_webhook(
            url=self._config.url, secret_token=self._config.secret_token, allowed_updates=allowed_updates
        )

    async def stop(self) -> None:
        """Stop taking requests; the webhook stays registered for the next start."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self._bot)
        except Exception:  # not JSON, or not an update: nothing Telegram itself would send
            log.warning("a webhook request with the right secret carried no readable update")
            return web.Response(status=400)
        await self._updates.put(update)
        return web.Response(status=200)
