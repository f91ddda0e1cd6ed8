"""All configuration, from environment variables (and an optional ``.env`` file).

One place lists every setting, validates it at start and says clearly what is
wrong. Tokens are ``SecretStr``: they never appear in ``repr``, logs or errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from bot.ops.stores.base import parse_store_url

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
    # s3://bucket/prefix[/<version>] or a directory: load this published build instead of building
    artifact: str | None = Field(default=None, alias="KPOP_ARTIFACT")
    query_max_chars: int = Field(default=100, ge=10, le=1000, alias="KPOP_QUERY_MAX_CHARS")
    picks_per_answer: int = Field(default=3, ge=1, le=10, alias="KPOP_PICKS")
    rate_limit_count: int = Field(default=10, ge=1, alias="KPOP_RATE_LIMIT_COUNT")
    rate_limit_seconds: float = Field(default=12.0, gt=0, alias="KPOP_RATE_LIMIT_SECONDS")
    log_level: str = Field(default="INFO", alias="KPOP_LOG_LEVEL")
    log_format: str = Field(default="text", pattern="^(text|json)$", alias="KPOP_LOG_FORMAT")

    owner_ids: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="KPOP_OWNER_IDS")

    # Look unknown songs and links up in public music services (Deezer search, oEmbed), see bot.chat.live_lookup
    live_lookup: bool = Field(default=False, alias="KPOP_LIVE_LOOKUP")
    live_lookup_per_minute: int = Field(default=30, ge=1, alias="KPOP_LIVE_LOOKUP_PER_MINUTE")

    # -1 (deep cuts: lesser-known acts) .. 0 (fame ignored) .. 1 (familiar: fame as tuned), see recommender.ranking.blend
    familiarity: float = Field(default=1.0, ge=-1.0, le=1.0, alias="KPOP_FAMILIARITY")

    experiment: bool = Field(default=True, alias="KPOP_EXPERIMENT")
    random_share: float = Field(default=0.1, ge=0.0, le=1.0, alias="KPOP_RANDOM_SHARE")
    experiment_salt: str = Field(default="kpop-bot-ab-1", min_length=1, alias="KPOP_EXPERIMENT_SALT")

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    discord_guild_id: int | None = Field(default=None, alias="DISCORD_GUILD_ID")
    # A number, or "auto" for the count Discord recommends; either runs discord.py's AutoShardedBot.
    discord_shard_count: Annotated[int, Field(ge=1)] | Literal["auto"] | None = Field(
        default=None, alias="DISCORD_SHARD_COUNT"
    )
    # The shards this process serves, when several processes share DISCORD_SHARD_COUNT shards.
    discord_shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="DISCORD_SHARD_IDS")

    telegram_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_url: str | None = Field(default=None, pattern=r"^https?://", alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_webhook_listen: str = Field(default="0.0.0.0", alias="TELEGRAM_WEBHOOK_LISTEN")
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535, alias="PORT")

    @field_validator("sources", "owner_ids", "discord_shard_ids", mode="before")
    @classmethod
    def _lists(cls, value: object) -> list[str]:
        return _split_list(value)

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, ids: list[int], info: ValidationInfo) -> list[int]:
        count = info.data.get("discord_shard_count")
        if ids and not isinstance(count, int):
            raise ValueError("needs a numeric DISCORD_SHARD_COUNT (the number of shards over all processes)")
        if ids and isinstance(count, int) and not all(0 <= i < count for i in ids):
            raise ValueError(f"each shard id must lie between 0 and DISCORD_SHARD_COUNT - 1 ({count - 1})")
        return ids

    @field_validator("owner_ids")
    @classmethod
    def _owners(cls, value: list[str]) -> list[str]:
        for owner in value:
            platform, _, user = owner.partition(":")
            if not platform or not user:
                raise ValueError("each owner is platform:user_id, e.g. discord:1234,telegram:5678")
        return value

    @field_validator("artifact")
    @classmethod
    def _artifact(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_store_url(value)  # a ValueError says what is wrong with it
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @property
    def downloads_dir(self) -> Path:
        """Where downloaded catalogue sources are cached."""
        return self.data_dir / "downloads"

    @property
    def artifact_dir(self) -> Path:
        """Where published artifacts are staged and downloaded (one folder per version)."""
        return self.data_dir / "artifacts"

    @property
    def previous_build_dir(self) -> Path:
        """Where ``kpop-bot build`` keeps the build it replaced, for ``kpop-bot build --rollback``."""
        return self.data_dir / "previous-build"

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
