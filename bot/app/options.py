"""The settings turned into each part's own options: the build's, the chat core's and every platform adapter's.

Each part sees only what it needs (the core never sees a token), and no part
but ``bot.app`` reads :class:`~bot.app.config.Settings`.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.discord.options import DiscordOptions
from adapters.telegram.options import TelegramOptions
from bot.app.config import ConfigError, Settings
from bot.chat.experiment import Experiment
from bot.chat.options import ChatOptions
from bot.ops.build import BuildOptions, resolve_sources

__all__ = ["build_options", "chat_options", "discord_options", "telegram_options"]


def build_options(settings: Settings, *, sources: Sequence[str] | None = None, **flags: object) -> BuildOptions:
    """The build's parameters: ``sources`` given here win over ``KPOP_SOURCES``, then the public default catalogue.

    ``flags`` are the other :class:`~bot.ops.build.BuildOptions` fields (scaling, table sizes...).
    """
    return BuildOptions(
        sources=tuple(resolve_sources(sources or (), settings.sources)),
        downloads=settings.downloads_dir,
        keep_previous=settings.previous_build_dir,
        **flags,  # type: ignore[arg-type]
    )


def chat_options(settings: Settings) -> ChatOptions:
    return ChatOptions(
        picks_per_answer=settings.picks_per_answer,
        query_max_chars=settings.query_max_chars,
        rate_limit_count=settings.rate_limit_count,
        rate_limit_seconds=settings.rate_limit_seconds,
        experiment=Experiment(
            enabled=settings.experiment, random_share=settings.random_share, salt=settings.experiment_salt
        ),
        owner_ids=frozenset(settings.owner_ids),
    )


def discord_options(settings: Settings) -> DiscordOptions:
    if settings.discord_token is None:
        raise ConfigError("DISCORD_TOKEN is not set")
    return DiscordOptions(
        token=settings.discord_token,
        guild_id=settings.discord_guild_id,
        shard_count=settings.discord_shard_count,
        shard_ids=tuple(settings.discord_shard_ids),
    )


def telegram_options(settings: Settings) -> TelegramOptions:
    if settings.telegram_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    return TelegramOptions(
        token=settings.telegram_token,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=settings.telegram_webhook_secret,
        webhook_listen=settings.telegram_webhook_listen,
        webhook_port=settings.telegram_webhook_port,
    )
