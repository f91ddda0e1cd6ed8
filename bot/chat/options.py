"""What the conversation needs to know of the configuration, and nothing more (no tokens).

``bot.app`` builds :class:`ChatOptions` from the settings; the core and its
services read only this.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.chat.experiment import Experiment

__all__ = ["ChatOptions"]


@dataclass(frozen=True)
class ChatOptions:
    picks_per_answer: int
    query_max_chars: int  # longer queries are cut, with a note saying so
    rate_limit_count: int  # commands a person may send per window
    rate_limit_seconds: float
    experiment: Experiment
    owner_ids: Collection[str]  # "platform:user_id" of the people who may see the statistics

    def is_owner(self, platform: str, user_id: str) -> bool:
        return f"{platform}:{user_id}" in self.owner_ids
