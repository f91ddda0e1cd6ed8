"""A full run at DEBUG never writes a token or the webhook secret to the log.

Both adapters run on one core the way ``kpop-bot run`` runs them
(``serve_until_stopped``, stopped by SIGTERM), against the fake Discord and the
fake Telegram (in webhook mode, so the secret is in play), with logging set up
by ``configure_logging`` in its most verbose form. The run goes through the
usual exchanges and the unusual ones: flood control (429), a server error
(500) and a handler that raises. Libraries do log request URLs, and Telegram's
carry the token, so the test also checks that the log is full of the run
(answers, retries, the failure and redacted URLs): an empty or muted log would
pass the "no token" half trivially.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from adapters.telegram.retries import RetryingRateLimiter
from bot.app.config import Settings
from bot.chat.core import KpopCore
from bot.app.logs import REDACTED, configure_logging, secrets_of
from bot.chat.replies import Answer, Sender
from bot.app.runtime import platform_services, serve_until_stopped
from tests.support.fixtures.core import CoreFactory, core_settings
from tests.support.discord import CALLBACK, invoke, picks_for
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.telegram_api import FakeTelegram, with_params
from tests.support.fakes.telegram_updates import DEFAULT_USER, callback_query_update, command_update, private_chat
from tests.support.telegram import votes, wait_until_listening

WEBHOOK_SECRET = "hook-Secret_never-logged-4711"
TIMEOUT = 10.0
FAILING_QUERY = "make the handler fail"


def fail_on(core: KpopCore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the core raise for ``FAILING_QUERY`` (a bug in a handler, as far as the adapters know)."""
    recommend = core.recommend

    async def failing(sender: Sender, query: str) -> Answer:
        if query == FAILING_QUERY:
            raise RuntimeError("a handler failed on purpose")
        return await recommend(sender, query)

    monkeypatch.setattr(core, "recommend", failing)


def services_against_fakes(settings: Settings, core: KpopCore, telegram: FakeTelegram) -> dict[str, Any]:
    """``platform_services`` as ``kpop-bot run`` gets them, pointed at the fakes."""
    services: dict[str, Any] = platform_services(settings, core)
    assert set(services) == {"discord", "telegram"}
    services["discord"] = partial(services["discord"], guild_ready_timeout=0.05)
    plain = {"verify": False}  # the fake is plain HTTP: skip loading CA certificates
    services["telegram"] = partial(
        services["telegram"],
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        rate_limiter=RetryingRateLimiter(first_delay=0.01),
        request=HTTPXRequest(httpx_kwargs=plain),
        get_updates_request=HTTPXRequest(httpx_kwargs=plain),
    )
    return services


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not await condition():
            await asyncio.sleep(0.01)


async def voted(core: KpopCore, user_id: str) -> bool:
    return any(user == user_id for user, *_ in await votes(core))


async def discord_exchanges(fake: FakeDiscord, core: KpopCore) -> None:
    fake.fail_next("POST", CALLBACK, 429, retry_after=0.05)
    message = await picks_for(fake, "Blinding Lights")
    await fake.dispatch("MESSAGE_REACTION_ADD", fake.reaction_add(message, "👍"))
    await until(lambda: voted(core, fake.user["id"]))
    _, failed = await invoke(fake, "kpop", {"query": FAILING_QUERY})
    assert failed.status == 200  # the person got an apology, not silence


async def telegram_exchanges(fake: FakeTelegram, core: KpopCore, port: int) -> None:
    await wait_until_listening(port, timeout=TIMEOUT)
    chat = private_chat()
    fake.fail_next("sendMessage", 429, retry_after=0.05)
    fake.fail_next("sendMessage", 500)
    assert await fake.post_webhook(command_update("kpop", "Shape of You", chat=chat)) == 200
    sent = await fake.wait_for_call("sendMessage", lambda call: call.ok, timeout=TIMEOUT)
    up = sent.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    pressed = fake.push_update(callback_query_update(up, message=sent.result))
    assert await fake.post_webhook(pressed) == 200
    await fake.wait_for_call(
        "answerCallbackQuery", with_params(callback_query_id=pressed["callback_query"]["id"]), timeout=TIMEOUT
    )
    await until(lambda: voted(core, str(DEFAULT_USER["id"])))
    assert await fake.post_webhook(command_update("kpop", FAILING_QUERY, chat=chat)) == 200
    await fake.wait_for_calls("sendMessage", 2, lambda call: call.ok, timeout=TIMEOUT)


@pytest.mark.usefixtures("restored_logging")
async def test_a_full_run_at_debug_level_never_logs_a_token_or_the_webhook_secret(
    make_core: CoreFactory,
    fake_discord: FakeDiscord,
    fake_telegram: FakeTelegram,
    unused_tcp_port: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # what serve() sets, undone after the test
    environment: dict[str, object] = {
        "DISCORD_TOKEN": fake_discord.token,
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{unused_tcp_port}/hooks/telegram",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "PORT": unused_tcp_port,
    }
    settings = core_settings(tmp_path, **environment)
    core = await make_core(**environment)
    fail_on(core, monkeypatch)
    secrets = secrets_of(settings)
    assert sorted(secrets) == sorted([fake_discord.token, fake_telegram.token, WEBHOOK_SECRET])
    log = io.StringIO()
    configure_logging(settings, verbose=True, stream=log)

    run = asyncio.create_task(serve_until_stopped(services_against_fakes(settings, core, fake_telegram)))
    await fake_telegram.wait_for_call("setWebhook", timeout=TIMEOUT)
    registered = fake_telegram.calls("setWebhook")[0].params["secret_token"]
    await asyncio.gather(
        discord_exchanges(fake_discord, core), telegram_exchanges(fake_telegram, core, unused_tcp_port)
    )
    os.kill(os.getpid(), signal.SIGTERM)  # how a Procfile runner stops the worker
    await asyncio.wait_for(run, TIMEOUT)

    text = log.getvalue()
    assert registered == WEBHOOK_SECRET  # the secret really was sent to Telegram during the run
    for secret in secrets:
        assert secret not in text, "a secret reached the log"
    for expected in (
        "starting the discord adapter",
        "starting the telegram adapter",
        "is answering (webhook)",
        "answer picks on discord",
        "answer picks on telegram",
        "a handler failed on purpose",  # the failing handler's traceback
        "429",  # flood control was logged and waited out
        REDACTED,  # request URLs with the token were logged, redacted
    ):
        assert expected in text, f"the log lacks {expected!r}"
