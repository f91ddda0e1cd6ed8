"""The Telegram adapter's delivery: flood control and server errors retried, webhooks with a
secret token, startup errors an operator can read, and a graceful stop that finishes in-flight work."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from adapters.errors import PlatformConfigError
from adapters.telegram.handlers import APOLOGY
from adapters.telegram.webhook import derived_secret
from tests.support.fixtures.core import CoreFactory, core_settings
from tests.support.fixtures.telegram import BotStarter, serve_over
from tests.support.fakes.log_guard import ErrorLogGuard
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_updates import command_update, private_chat
from tests.support.telegram import recommendations, shown_text, start_webhook_bot

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


@pytest.mark.filterwarnings("error::telegram.warnings.PTBDeprecationWarning")  # serve() opts in to timedelta
async def test_flood_control_is_waited_out_and_the_reply_arrives(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot()
    chat = private_chat()
    fake_telegram.fail_next("sendMessage", 429, retry_after=0.05, times=2)
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", chat=chat))
    *refused, delivered = await fake_telegram.wait_for_calls("sendMessage", 3)

    assert [call.response["error_code"] for call in refused] == [429, 429]  # type: ignore[index]
    assert delivered.ok and delivered.params == refused[0].params
    assert [m["message_id"] for m in fake_telegram.sent_messages(chat["id"])] == [delivered.result["message_id"]]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried_and_the_reply_arrives(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    await start_telegram_bot()
    chat = private_chat()
    fake_telegram.fail_next("sendMessage", status, times=2)
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", chat=chat))
    calls = await fake_telegram.wait_for_calls("sendMessage", 3)

    assert [call.ok for call in calls] == [False, False, True]
    assert len(fake_telegram.sent_messages(chat["id"])) == 1
    assert caplog.text.count("Telegram sendMessage failed") == 2


async def test_a_bad_request_is_not_retried_and_the_person_hears_about_it(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, fail_on_error_logs: ErrorLogGuard
) -> None:
    fail_on_error_logs.allow("handling a Telegram update failed")
    await start_telegram_bot()
    chat = private_chat()
    fake_telegram.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", chat=chat))
    refused, apology = await fake_telegram.wait_for_calls("sendMessage", 2)

    assert not refused.ok and apology.params["text"] == APOLOGY
    [record] = fail_on_error_logs.records
    assert "can't parse entities" in str(record.exc_info[1]).lower()  # type: ignore[index]


async def test_a_blocked_bot_is_not_an_error(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.telegram")
    await start_telegram_bot()
    fake_telegram.fail_next("sendMessage", 403)
    fake_telegram.push_update(command_update("kpop", "Blinding Lights"))
    fake_telegram.push_update(command_update("help"))
    await fake_telegram.wait_for_calls("sendMessage", 2)
    assert "the bot was blocked or removed" in caplog.text


async def test_webhook_mode_accepts_only_the_secret_token(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/hooks/telegram"
    bot, registered = await start_webhook_bot(
        start_telegram_bot, unused_tcp_port, url, TELEGRAM_WEBHOOK_SECRET="s3cret-Token_1-long-enough"
    )
    chat = private_chat()

    assert await fake_telegram.post_webhook(command_update("kpop", "BTS", chat=chat), secret_token="wrong") == 403
    assert await fake_telegram.post_webhook(command_update("kpop", "BTS", chat=chat), secret_token=None) == 403
    assert await fake_telegram.post_webhook(command_update("kpop", "Blinding Lights", chat=chat)) == 200
    sent = await fake_telegram.wait_for_call("sendMessage")

    assert registered.params["url"] == f"http://127.0.0.1:{unused_tcp_port}/hooks/telegram"
    assert registered.params["secret_token"] == "s3cret-Token_1-long-enough"
    assert set(registered.params["allowed_updates"]) >= {"message", "callback_query", "inline_query", "message_reaction"}
    assert shown_text(sent.params["text"]).startswith("If you like Blinding Lights")
    await bot.shutdown()
    assert len(fake_telegram.calls("sendMessage")) == 1
    assert [r.query for r in await recommendations(bot.core)] == ["Blinding Lights"]
    assert fake_telegram.calls("getUpdates") == []


async def test_webhook_without_a_configured_secret_gets_one_derived_from_token_and_url(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/"
    _, registered = await start_webhook_bot(start_telegram_bot, unused_tcp_port, url)

    secret = registered.params["secret_token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret) and secret == derived_secret(fake_telegram.token, url)
    assert fake_telegram.token.split(":")[1] not in secret
    assert derived_secret(fake_telegram.token, url + "other") != secret  # another URL, another secret
    assert await fake_telegram.post_webhook(command_update("help"), secret_token="") == 403
    assert await fake_telegram.post_webhook(command_update("help"), secret_token=secret[:-1]) == 403
    assert await fake_telegram.post_webhook(command_update("help")) == 200  # with the registered secret
    await fake_telegram.wait_for_call("sendMessage")


@pytest.mark.parametrize("secret", ["not allowed!", "Zq7x5", "a" * 15, "a" * 257])
async def test_a_malformed_or_short_webhook_secret_stops_the_start_with_a_clear_error(
    make_core: CoreFactory, fake_telegram: FakeTelegram, tmp_path: Path, secret: str
) -> None:
    environment: dict[str, object] = {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram",
        "TELEGRAM_WEBHOOK_SECRET": secret,
    }
    core = await make_core(**environment)
    with pytest.raises(PlatformConfigError, match="TELEGRAM_WEBHOOK_SECRET must be"):
        await serve_over(core, core_settings(tmp_path, **environment), asyncio.Event(), base_url=fake_telegram.base_url)
    assert fake_telegram.calls() == []


async def test_a_rejected_token_stops_the_start_with_a_clear_error(
    make_core: CoreFactory, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    core = await make_core(TELEGRAM_BOT_TOKEN="1:not-the-token")
    settings = core_settings(tmp_path, TELEGRAM_BOT_TOKEN="1:not-the-token")
    with pytest.raises(PlatformConfigError, match="Telegram rejected TELEGRAM_BOT_TOKEN.*@BotFather"):
        await serve_over(core, settings, asyncio.Event(), base_url=fake_telegram.base_url)
    assert [call.method for call in fake_telegram.calls()] == ["getMe"]


async def test_stopping_finishes_the_update_in_flight(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    chat = private_chat()
    fake_telegram.fail_next("sendMessage", 429, retry_after=0.3)  # keeps the reply in flight a while
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", chat=chat))
    await fake_telegram.wait_for_call("sendMessage")  # refused: the limiter now waits to retry

    await bot.shutdown()  # as on SIGTERM, while the answer is still on its way

    [answer] = fake_telegram.sent_messages(chat["id"])
    [rec] = await recommendations(bot.core)
    assert rec.message_id == str(answer["message_id"])  # the whole handler ran, to the last write
    assert fake_telegram.calls("getUpdates")[-1].params.get("timeout") == 0  # offset confirmed on the way out
    assert [call.ok for call in fake_telegram.calls("sendMessage")] == [False, True]


async def test_replicas_without_a_configured_secret_all_accept_telegrams_requests(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, unused_tcp_port_factory: Callable[[], int]
) -> None:
    """Several processes behind one URL: each registers the webhook at start, and each must accept
    what Telegram sends with the secret the last one registered."""
    first_port, second_port = unused_tcp_port_factory(), unused_tcp_port_factory()
    url = f"http://127.0.0.1:{first_port}/hook"  # what the load balancer in front would answer
    for port in (first_port, second_port):  # two processes over one database
        await start_webhook_bot(start_telegram_bot, port, url)
    await fake_telegram.wait_for_calls("setWebhook", 2)  # each registered the webhook at its start

    statuses = [
        await fake_telegram.post_webhook(command_update("help"), url=f"http://127.0.0.1:{port}/hook")
        for port in (first_port, second_port)
    ]
    assert statuses == [200, 200]
    await fake_telegram.wait_for_calls("sendMessage", 2)


async def test_a_webhook_request_without_an_update_is_refused_and_the_next_one_served(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/hooks/telegram"
    _, registered = await start_webhook_bot(start_telegram_bot, unused_tcp_port, url)
    headers = {"X-Telegram-Bot-Api-Secret-Token": registered.params["secret_token"]}

    async with aiohttp.ClientSession() as session, session.post(url, data=b"not json", headers=headers) as bad:
        assert bad.status == 400
    assert await fake_telegram.post_webhook(command_update("help"), url=url + "/") == 200  # a trailing slash too
    await fake_telegram.wait_for_call("sendMessage")
