"""Each platform update handled at most once, for platforms that deliver again (Telegram).

A platform delivers an update again when the bot stopped between handling it
and confirming it; the adapter claims each update before handling it and
skips it when the claim fails. A service of its own, handed to the adapters
that need it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from bot.storage.models import utcnow
from bot.storage.update_ledger import UpdateLedger

__all__ = ["UPDATE_RETENTION", "UPDATE_PRUNE_SECONDS", "HandledUpdates"]

log = logging.getLogger(__name__)
#: How long a handled update is remembered. Telegram keeps an unconfirmed update for 24 hours;
#: the margin covers clock skew and a bot that was down for a while.
UPDATE_RETENTION = timedelta(hours=48)
UPDATE_PRUNE_SECONDS = 3600.0


class HandledUpdates:
    """Claims of updates in the database's ledger, with old claims pruned hourly."""

    def __init__(self, ledger: UpdateLedger, clock: Callable[[], float] = time.monotonic) -> None:
        self.ledger = ledger
        self._clock = clock
        self._pruned_at = -UPDATE_PRUNE_SECONDS

    async def claim(self, platform: str, update_id: int | str) -> bool:
        """True the first time a platform update is seen, False when it comes again.

        Claims are kept for ``UPDATE_RETENTION``. When the database cannot be
        reached the update is handled anyway: an answer matters more than the
        rare duplicate that could then follow.
        """
        await self._prune()
        try:
            return await self.ledger.claim(platform, str(update_id))
        except Exception:
            log.warning("could not record %s update %s; handling it anyway", platform, update_id, exc_info=True)
            return True

    async def _prune(self) -> None:
        now = self._clock()
        if now - self._pruned_at < UPDATE_PRUNE_SECONDS:
            return
        self._pruned_at = now  # also on failure: a sick database is not asked on every update
        try:
            await self.ledger.prune(utcnow() - UPDATE_RETENTION)
        except Exception:
            log.warning("could not prune handled updates", exc_info=True)
