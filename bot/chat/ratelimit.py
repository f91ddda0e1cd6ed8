"""A per-person sliding-window rate limit, the same on every platform."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter", "LOCAL_PLATFORMS"]

#: Platforms where the one person asking is the machine's own user (the terminal chat, a script):
#: the rate limit protects a shared bot from floods, and would only stall lines typed ahead or a
#: script's thousands of queries.
LOCAL_PLATFORMS = frozenset({"terminal", "cli"})


class RateLimiter:
    """At most ``count`` actions per ``seconds`` for each key.

    Memory stays bounded: a key's window is dropped once it empties, and the
    whole map is swept every so often so one-off users do not accumulate.
    """

    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count = count
        self.seconds = seconds
        self.clock = clock
        self._windows: dict[object, deque[float]] = {}
        self._last_sweep = clock()

    def allow(self, key: object) -> float:
        """0.0 when allowed (and counted), else seconds to wait before trying again."""
        now = self.clock()
        if now - self._last_sweep > self.seconds:
            self._sweep(now)
        window = self._windows.setdefault(key, deque())
        while window and now - window[0] >= self.seconds:
            window.popleft()
        if len(window) >= self.count:
            return self.seconds - (now - window[0])
        window.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        stale = [k for k, w in self._windows.items() if not w or now - w[-1] >= self.seconds]
        for k in stale:
            del self._windows[k]
        self._last_sweep = now
