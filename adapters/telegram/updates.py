"""How updates are taken in: each at most once, one person's in order, different people's at once.

Telegram confirms an update only with the next ``getUpdates`` offset (or the
webhook's 200), so after a crash between handling and confirming it delivers
the update again. :func:`claim_handler` runs before every other handler and
drops an update already claimed (:class:`~bot.chat.updates.HandledUpdates`).

:class:`PerPersonOrder` lets updates from different people run concurrently,
so one slow chat (a flood-limited group, a slow reply) does not hold up the
rest, while one person's updates keep their order: a 👍 quickly changed to 👎
must end as 👎. A person's queued updates wait for their turn without taking
one of the slots that bound how many updates run at once, so a flood from one
person cannot fill them and hold up everyone else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor, ContextTypes, TypeHandler

from bot.chat.updates import HandledUpdates

__all__ = ["PLATFORM", "claim_handler", "PerPersonOrder", "person_of"]

log = logging.getLogger(__name__)
PLATFORM = "telegram"
#: What PTB's own bound is set to (see :class:`PerPersonOrder`): more updates than can ever be queued.
_NO_BOUND = 2**31


def claim_handler(updates: HandledUpdates) -> TypeHandler[Update, Any, None]:
    """A handler for group -1 (before all others) that stops updates already handled."""

    async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await updates.claim(PLATFORM, update.update_id):
            log.info("update %s was delivered again; it was handled before, so it is skipped", update.update_id)
            raise ApplicationHandlerStop

    return TypeHandler(Update, claim)


def person_of(update: object) -> int | None:
    """Whose update this is (a user, else a chat); None when it is nobody's in particular."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class _Turns:
    """One person's lock and how many of their updates hold or wait for it."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holders = 0


class PerPersonOrder(BaseUpdateProcessor):
    """Concurrent across people (up to ``max_concurrent_updates`` running), in arrival order per person.

    PTB starts a task per update in arrival order and ``asyncio.Lock`` wakes
    waiters first-come first-served, so a person's updates run one at a time
    in the order Telegram sent them. A person's lock lives only while they
    have updates in hand.

    PTB's ``process_update`` takes one of its slots *before* calling here, so
    an update waiting for its person's turn would hold one: a hundred commands
    from one group member would take every slot while they wait for each
    other. PTB's bound is therefore left open and the real one is taken here,
    once it is the update's turn: only updates that can run hold a slot.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(_NO_BOUND)
        self._running = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._turns: dict[int, _Turns] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = person_of(update)
        if person is None:
            async with self._running:
                await coroutine
            return
        turns = self._turns.setdefault(person, _Turns())
        turns.holders += 1
        try:
            async with turns.lock, self._running:
                await coroutine
        finally:
            turns.holders -= 1
            if not turns.holders:
                del self._turns[person]

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per person as updates come."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the updates in hand before shutting down."""
