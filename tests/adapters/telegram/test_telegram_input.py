"""Hostile input through the Telegram adapter: HTML in queries and in the catalogue, invisible
characters, and queries far beyond the cap. The answer must show the text as typed, never markup."""

from __future__ import annotations

import pytest

from adapters.telegram.render import MAX_MESSAGE, utf16_length
from bot.chat.messages import HELP_TEXT
from tests.support.fixtures.core import KOREAN, WESTERN, CoreFactory
from tests.support.fixtures.telegram import BotStarter
from recommender.catalogue.synthetic import make_catalogue
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_updates import private_chat, text_update
from tests.support.telegram import recommendations, shown_text

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

INJECTION = '<b>x</b><a href="javascript:alert(1)">y</a> &amp; <script>'


async def ask(fake: FakeTelegram, text: str) -> str:
    """Send ``text`` in a private chat; the HTML of the bot's reply."""
    chat = private_chat()
    before = len(fake.sent_messages(chat["id"]))
    fake.push_update(text_update(text, chat=chat))
    calls = await fake.wait_for_calls("sendMessage", before + 1)
    return str(calls[-1].params["text"])


async def test_html_in_a_query_is_shown_escaped(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
    await start_telegram_bot()
    reply = await ask(fake_telegram, f"/kpop {INJECTION}")

    assert "&lt;b&gt;x&lt;/b&gt;&lt;a href=" in reply
    assert INJECTION in shown_text(reply)  # harmless markup (checked there), showing what was typed


async def test_html_in_catalogue_strings_is_shown_escaped(
    make_core: CoreFactory, start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    rows = [(t, a, False, p) for t, a, p in WESTERN] + [(t, a, True, p) for t, a, p in KOREAN]
    rows += [("Love <3 & <i>Hate</i>", "The <b>Tags</b>", False, 60.0), ("</b>Pop & Lock", "<a href=x>K</a>", True, 60.0)]
    core = await make_core(make_catalogue(rows, seed=7), TELEGRAM_BOT_TOKEN=fake_telegram.token, KPOP_PICKS=10)
    await start_telegram_bot(core=core)

    shown = shown_text(await ask(fake_telegram, "/kpop love <3 & hate"))
    assert shown.startswith("If you like Love <3 & <i>Hate</i> \u2014 The <b>Tags</b>, try:")
    assert "</b>Pop & Lock \u2014 <a href=x>K</a>" in shown


async def test_invisible_characters_change_nothing(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
    bot = await start_telegram_bot()
    hidden = "/kpop \u200bBlin\u200bding\u200d Li\u2060ghts\ufeff \u202e"
    assert shown_text(await ask(fake_telegram, hidden)).startswith("If you like Blinding Lights \u2014 The Weeknd")
    assert shown_text(await ask(fake_telegram, "/kpop \u200b\u200c\u200d\u2060")) == HELP_TEXT  # a bare /kpop
    assert shown_text(await ask(fake_telegram, "<\u200bscript>")).startswith("\u201c<script>\u201d")
    assert [r.query for r in await recommendations(bot.core)] == ["Blinding Lights"]


async def test_an_endless_query_is_capped_and_the_reply_stays_within_the_limit(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot()
    reply = await ask(fake_telegram, "/kpop Blinding Lights " + "<&>" * 3000)

    assert utf16_length(reply) <= MAX_MESSAGE
    shown = shown_text(reply)
    assert "I only read the first 100 characters of that." in shown
    assert shown.count("<&>") == (100 - len("Blinding Lights ")) // 3

