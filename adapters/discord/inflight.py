"""Handlers at work, counted, so that a shutdown lets them finish before the connection closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["InFlight"]


class InFlight:
    """A count of running handlers and a way to wait until it is zero.

    discord.py does not wait for event handlers when the client closes: an answer half sent at
    SIGTERM would be cut off, leaving the person with "The application did not respond".
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        """Count the body as running."""
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def drained(self, timeout: float) -> bool:
        """Wait until nothing runs, at most ``timeout`` seconds; False when something still does."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
