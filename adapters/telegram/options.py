"""What the Telegram adapter needs to know of the configuration: its token and, optionally, a webhook."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

__all__ = ["TelegramOptions"]


@dataclass(frozen=True)
class TelegramOptions:
    token: SecretStr
    webhook_url: str | None  # None: long polling
    webhook_secret: SecretStr | None  # None: one derived from the token and the URL (see webhook.py)
    webhook_listen: str
    webhook_port: int
