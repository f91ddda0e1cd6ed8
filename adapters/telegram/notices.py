"""Telling a group member "slow down" once, not once per refused command.

Telegram lets a bot send a group about 20 messages a minute. Someone who fires off a hundred commands
would otherwise have each refusal answered there, spending the group's allowance on notices nobody
needs and keeping everyone's real answers waiting behind them. So in a group a person is told once;
further refusals stay silent until one of their commands is answered again, which starts afresh. In
private chats every refusal is answered: it costs nobody else anything.
"""

from __future__ import annotations

from cachetools import LRUCache

from bot.chat.replies import Answer, AnswerKind, Sender

__all__ = ["RefusalNotices"]


class RefusalNotices:
    """Remembers who has been told, for up to ``capacity`` people (the longest untouched go first)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._told: LRUCache[tuple[str, str], bool] = LRUCache(maxsize=capacity)

    def worth_sending(self, who: Sender, answer: Answer, *, in_group: bool) -> bool:
        """Whether ``answer`` to ``who`` should be sent at all."""
        key = (who.chat_id, who.user_id)
        if answer.kind != AnswerKind.RATE_LIMITED:
            self._told.pop(key, None)
            return True
        if not in_group:
            return True
        if key in self._told:
            return False
        self._told[key] = True
        return True
