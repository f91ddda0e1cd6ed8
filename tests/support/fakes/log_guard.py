"""Fail tests on ERROR log records, because the chat libraries log handler crashes instead of raising.

python-telegram-bot (without an error handler) and discord.py catch exceptions from handlers and
only log them, so a crashing handler would otherwise leave a green test that merely waited in vain.
"""

from __future__ import annotations

import logging


class ErrorLogGuard(logging.Handler):
    """Collects ERROR-and-above records; ``unexpected`` are those no ``allow()`` pattern covers."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._allowed: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def allow(self, substring: str) -> None:
        """Accept ERROR records whose message contains ``substring`` (for tests of error paths)."""
        self._allowed.append(substring)

    @property
    def unexpected(self) -> list[logging.LogRecord]:
        return [
            record
            for record in self.records
            if not any(allowed in record.getMessage() for allowed in self._allowed)
        ]

    def report(self) -> str:
        """The unexpected records with their tracebacks, for the failure message."""
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        return "\n".join(formatter.format(record) for record in self.unexpected)
