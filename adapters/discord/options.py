"""What the Discord adapter needs to know of the configuration: its token, server and shards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import SecretStr

__all__ = ["DiscordOptions"]


@dataclass(frozen=True)
class DiscordOptions:
    token: SecretStr
    guild_id: int | None  # a development server to sync the commands to at once; None: globally
    # A number of shards, or "auto" for the count Discord recommends; either runs AutoShardedBot.
    shard_count: int | Literal["auto"] | None
    shard_ids: Sequence[int]  # the shards this process serves, when several processes share the shards
