"""Where "more" goes on from: after the last page of a match shown to that person in that chat.

Numbering from the pressed answer alone would number every "more" on it 4-6: pressed twice, or on an
older page, or twice at once (two quick clicks), the person would get pages numbered alike, and the
two at once the same picks. So a "more" pages on from the furthest page already shown to them there,
and "more"s of one person, chat and match take turns: the second one starts once the first is
recorded, after its picks. Turns are kept per process, which is where one chat's clicks arrive.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.chat.replies import Sender
from bot.storage.answer_log import AnswerLog, ShownAnswer

__all__ = ["Pages"]

log = logging.getLogger(__name__)


class Pages:
    """Turns at paging, over one answer log."""

    def __init__(self, answers: AnswerLog) -> None:
        self._answers = answers
        self._turns: weakref.WeakValueDictionary[tuple[str, str, str, str, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @asynccontextmanager
    async def turn(self, sender: Sender, shown: ShownAnswer) -> AsyncIterator[int]:
        """Wait for this person's turn at paging on from ``shown``; the offset to number the next
        page from. Record that page before leaving the block."""
        key = (sender.platform, sender.chat_id, sender.user_id, shown.match_kind, shown.match_id)
        lock = self._turns.get(key)
        if lock is None:
            lock = self._turns[key] = asyncio.Lock()
        async with lock:
            try:
                offset = await self._answers.pages_end(shown, sender.platform, sender.user_id, sender.chat_id)
            except Exception:
                log.warning("could not read where the pages of an answer end", exc_info=True)
                offset = shown.page_offset + shown.pick_count
            yield offset
