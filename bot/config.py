"""All configuration, from environment variables (and an optional ``.env`` file).

One place lists every setting, validates it at start and says clearly what is
wrong. Tokens are ``SecretStr``: they never appear in ``repr``, logs or errors.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

__all__ = ["Settings", "ConfigError", "load_settings", "default_data_dir"]

APP_NAME = "kpop-bot"


def default_data_dir() -> Path:
    """Where the database and downloaded catalogues live unless configured."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class ConfigError(Exception):
    """A missing or malformed setting, with a message fit to show the operator."""


def _split_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value]  # type: ignore[union-attr]


class Settings(BaseSettings):
    """Every environment variable the bot reads. The README's table mirrors this class."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default_factory=default_data_dir, alias="KPOP_DATA_DIR")
    database_url: str | None = Field(default=None, alias="KPOP_DATABASE_URL")
    sources: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="KPOP_SOURCES")
    query_max_chars: int = Field(default=100, ge=10, le=1000, alias="KPOP_QUERY_MAX_CHARS")
    picks_per_answer: int = Field(default=3, ge=1, le=10, alias="KPOP_PICKS")
    rate_limit_count: int = Field(default=10, ge=1, alias="KPOP_RATE_LIMIT_COUNT")
    rate_limit_seconds: float = Field(default=12.0, gt=0, alias="KPOP_RATE_LIMIT_SECONDS")
    log_level: str = Field(default="INFO", alias="KPOP_LOG_LEVEL")
    log_format: str = Field(default="text", pattern="^(text|json)$", alias="KPOP_LOG_FORMAT")

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    telegram_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, value: object) -> list[str]:
        return _split_list(value)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'kpop-bot.db'}"


def load_settings(**overrides: object) -> Settings:
    """Read the environment; turn pydantic's errors into one readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = err["loc"][0] if err["loc"] else "?"
            # never echo the value: it may be a token
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
