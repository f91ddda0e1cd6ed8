"""Keeping replies from being lost to Telegram's flood control and server errors.

PTB's :class:`~telegram.ext.AIORateLimiter` keeps within Telegram's limits (30
messages a second, 20 a minute per group) and retries a ``RetryAfter`` (429)
after the wait Telegram asks for, but only when given ``max_retries``: its
default of 0 gives up at once. It never retries a 5xx answer or a connection
that could not be made; PTB raises a bare ``NetworkError`` for both, and
:class:`RetryingRateLimiter` retries those with exponential backoff.

Not retried: ``BadRequest`` (a ``NetworkError`` subclass) fails the same way
again, and ``TimedOut`` (another one) may have reached Telegram already, so
repeating it could send the same reply twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError
from telegram.ext import AIORateLimiter

__all__ = ["RetryingRateLimiter"]

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    """:class:`AIORateLimiter` with flood-control retries on, plus retries of server errors."""

    def __init__(
        self,
        *,
        max_retries: int = 3,
        server_error_retries: int = 3,
        first_delay: float = 1.0,
        **limits: Any,
    ) -> None:
        super().__init__(max_retries=max_retries, **limits)
        self.server_error_retries = server_error_retries
        self.first_delay = first_delay

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        delay = self.first_delay
        for attempt in range(self.server_error_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if type(exc) is not NetworkError or attempt == self.server_error_retries:
                    raise
                log.warning("Telegram %s failed (%s); retrying in %.2f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")
