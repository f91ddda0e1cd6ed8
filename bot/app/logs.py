"""Logging for a bot that runs unattended: one place decides format, level and redaction.

* ``KPOP_LOG_FORMAT=json`` writes one JSON object a line (for log collectors);
  ``text`` is for people.
* Every record passes a redaction filter that replaces the configured tokens
  wherever they appear. Our own code never logs them, but libraries do log
  URLs, and Telegram's Bot API puts the token in every URL.
* What people typed is not logged at info level: answers are logged with the
  query's length, the kind of answer and how long it took.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

from bot.app.config import Settings

__all__ = ["RedactSecrets", "configure_logging", "secrets_of", "set_library_levels"]

REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose info-level chatter is one line per HTTP request.
NOISY = ("httpx", "httpcore", "discord.http", "discord.gateway", "alembic", "urllib3", "werkzeug")
# Libraries whose debug records hold credentials or people's words (botocore prints signed
# requests, session token included; aiosqlite every statement with its values): never below
# info, even with --verbose.
NEVER_DEBUG = ("botocore", "boto3", "s3transfer", "aiosqlite")


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings that must never reach a log."""
    values = [settings.discord_token, settings.telegram_token, settings.telegram_webhook_secret]
    return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


class RedactSecrets(logging.Filter):
    """Replace secret values in a record's message, arguments and exception text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Every secret whatever its length (the configuration refuses short ones, so a short
        # one here is a test's or a library's); longest first, so one containing another is
        # replaced whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def configure_logging(
    settings: Settings, *, verbose: bool = False, interactive: bool = False, stream=None  # type: ignore[no-untyped-def]
) -> logging.Handler:
    """Install one handler on the root logger; returns it (tests read from its stream).

    ``interactive`` commands (a terminal chat, one-off commands) log warnings
    and errors only, unless ``KPOP_LOG_LEVEL`` was set explicitly: info lines
    would interleave with the conversation.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = settings.log_level
    if interactive and "log_level" not in settings.model_fields_set:
        level = "WARNING"
    root.setLevel(logging.DEBUG if verbose else level)
    set_library_levels(verbose=verbose)
    return handler


def set_library_levels(*, verbose: bool) -> None:
    """Chatty libraries log warnings only; with ``verbose`` more, but credential-bearing ones never debug."""
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in NEVER_DEBUG:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
