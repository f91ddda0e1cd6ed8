"""What a fake server saw, in order, plus a way for a test to wait for the next matching item.

Fake servers answer the code under test from their own tasks, so a test cannot simply look at a list
right after it triggered something: the request may still be on its way. ``Recorder.wait_for`` closes
that gap without sleeps, and it *consumes* what it returns, so two successive waits for "a message was
sent" return two different messages instead of the same one twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Waiter(Generic[T]):
    predicate: Callable[[T], bool]
    future: asyncio.Future[T]


class Recorder(Generic[T]):
    """An append-only log with awaitable, consuming look-ups.

    ``describe`` turns an item into one line for the timeout message, so a failing test shows what the
    fake did see instead of only what it did not.
    """

    def __init__(self, describe: Callable[[T], str]) -> None:
        self._describe = describe
        self._items: list[T] = []
        self._consumed: set[int] = set()
        self._waiters: list[_Waiter[T]] = []

    @property
    def items(self) -> list[T]:
        """Everything recorded so far, oldest first (a copy: the log itself is append-only)."""
        return list(self._items)

    def append(self, item: T) -> None:
        """Record ``item`` and hand it to the oldest waiter whose predicate accepts it, if any."""
        index = len(self._items)
        self._items.append(item)
        for waiter in self._waiters:
            if not waiter.future.done() and waiter.predicate(item):
                self._consumed.add(index)
                waiter.future.set_result(item)
                break
        self._waiters = [waiter for waiter in self._waiters if not waiter.future.done()]

    def take(self, predicate: Callable[[T], bool]) -> T | None:
        """Consume and return the oldest unconsumed item that matches, or None without waiting."""
        for index, item in enumerate(self._items):
            if index not in self._consumed and predicate(item):
                self._consumed.add(index)
                return item
        return None

    async def wait_for(self, predicate: Callable[[T], bool], *, timeout: float, what: str) -> T:
        """Consume the oldest unconsumed matching item, waiting up to ``timeout`` seconds for one.

        Raises AssertionError (so pytest shows it as a plain test failure) naming ``what`` was
        expected and listing everything recorded, when nothing matches in time.
        """
        found = self.take(predicate)
        if found is not None:
            return found
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(_Waiter(predicate, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            seen = "\n".join(f"  {self._describe(item)}" for item in self._items) or "  (nothing)"
            raise AssertionError(f"no {what} within {timeout:g}s; recorded so far:\n{seen}") from None
        finally:
            self._waiters = [waiter for waiter in self._waiters if waiter.future is not future]
