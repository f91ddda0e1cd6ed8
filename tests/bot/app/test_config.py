"""Configuration is validated at start, with messages that name the variable and never echo a secret."""

from __future__ import annotations

import pytest

from bot.app.config import ConfigError, load_settings


def test_defaults_are_usable(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env
    settings = load_settings(KPOP_DATA_DIR=tmp_path)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'kpop-bot.db'}"
    assert settings.picks_per_answer == 3 and settings.experiment and settings.random_share == 0.1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KPOP_PICKS", "many", "KPOP_PICKS"),
        ("KPOP_RANDOM_SHARE", "1.5", "KPOP_RANDOM_SHARE"),
        ("KPOP_LOG_FORMAT", "xml", "KPOP_LOG_FORMAT"),
        ("KPOP_OWNER_IDS", "12345", "platform:user_id"),
        ("TELEGRAM_WEBHOOK_URL", "ftp://example.org", "TELEGRAM_WEBHOOK_URL"),
        ("PORT", "0", "PORT"),
    ],
)
def test_malformed_values_are_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings()
    assert str(caught.value).startswith("invalid configuration:")


def test_secrets_never_appear_in_errors_or_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-discord-token")
    monkeypatch.setenv("KPOP_PICKS", "oops")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "super-secret" not in str(caught.value)
    monkeypatch.delenv("KPOP_PICKS")
    settings = load_settings()
    assert "super-secret" not in repr(settings) and "super-secret" not in str(settings.model_dump())
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "super-secret-discord-token"
