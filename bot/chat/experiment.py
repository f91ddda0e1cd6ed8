"""The A/B test: which people get the recommender and which get random picks.

Assignment is a salted hash of platform and user id, so a person stays in one
arm across restarts, processes and platforms' reconnects without storing
anything, and changing the salt starts a fresh experiment. The arm is stored
with every recommendation, which is all the report needs.

The terminal chat (and ``kpop-bot recommend``) is never in the random arm: the
person there is trying the bot or running it, not a participant, and random
picks would only tell them the bot is broken.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.chat.ratelimit import LOCAL_PLATFORMS

__all__ = ["ARM_RECOMMENDER", "ARM_RANDOM", "ARMS", "Experiment", "assign_arm"]

ARM_RECOMMENDER = "knn"  # the recommender's arm; the name predates the hybrid ranker and stays for stored data
ARM_RANDOM = "random"
ARMS = (ARM_RECOMMENDER, ARM_RANDOM)


def _unit_interval(salt: str, platform: str, user_id: str) -> float:
    digest = hashlib.sha256(f"{salt}\x1f{platform}\x1f{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_arm(platform: str, user_id: str, *, salt: str, random_share: float, enabled: bool = True) -> str:
    """The arm of one person: ``random`` for a ``random_share`` of people on a chat platform, else ``knn``."""
    if not enabled or random_share <= 0.0 or platform in LOCAL_PLATFORMS:
        return ARM_RECOMMENDER
    return ARM_RANDOM if _unit_interval(salt, platform, user_id) < random_share else ARM_RECOMMENDER


@dataclass(frozen=True)
class Experiment:
    """The experiment as configured: on or off, the random arm's share of people, the salt."""

    enabled: bool
    random_share: float
    salt: str

    def arm(self, platform: str, user_id: str) -> str:
        """The arm of one person (see :func:`assign_arm`)."""
        return assign_arm(platform, user_id, salt=self.salt, random_share=self.random_share, enabled=self.enabled)
