"""Inline mode end to end: ``@bot blinding lights`` in any chat offers the picks to share."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fixtures.telegram import BotStarter
from tests.support.fakes.telegram_api import Call, FakeTelegram, with_params
from tests.support.fakes.telegram_updates import command_update, inline_query_update, make_user, private_chat
from tests.support.telegram import recommendations, shown_text

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


async def inline(fake: FakeTelegram, query: str, user: dict[str, Any] | None = None) -> Call:
    pushed = fake.push_update(inline_query_update(query, user=user))
    return await fake.wait_for_call(
        "answerInlineQuery", with_params(inline_query_id=pushed["inline_query"]["id"])
    )


async def test_a_song_offers_its_picks_as_a_message_to_share(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    answered = await inline(fake_telegram, "blinding lights")

    [result] = answered.params["results"]
    assert result["type"] == "article"
    assert result["title"] == "K-pop for Blinding Lights \u2014 The Weeknd"
    assert result["description"].count(" \u2014 ") == 3
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML" and content["link_preview_options"] == {"is_disabled": True}
    assert shown_text(content["message_text"]).startswith("If you like Blinding Lights \u2014 The Weeknd, try:")
    assert "reply_markup" not in result  # nothing recorded, so nothing to vote on
    assert answered.params["is_personal"] is True and answered.params["cache_time"] == 30
    assert await recommendations(bot.core) == []


async def test_an_unsure_query_offers_one_result_per_choice(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot()
    answered = await inline(fake_telegram, "Stai")

    results = answered.params["results"]
    assert results and all(r["title"].startswith("K-pop for Stay \u2014 ") for r in results)
    assert len({r["id"] for r in results}) == len(results)
    assert "button" not in answered.params


@pytest.mark.parametrize(
    ("query", "hint"),
    [("", "Type a song or artist you like"), ("qwertyuiop zxcvbnm", "Nothing by that name yet: keep typing")],
)
async def test_nothing_to_offer_shows_a_hint_opening_the_bot(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, query: str, hint: str
) -> None:
    await start_telegram_bot()
    answered = await inline(fake_telegram, query)
    assert answered.params["results"] == []
    assert answered.params["button"] == {"text": hint, "start_parameter": "inline"}


async def test_typing_fast_is_limited_without_costing_commands(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot(KPOP_RATE_LIMIT_COUNT=2)
    typist = make_user("Typist")
    for prefix in ("bl", "blin"):
        await inline(fake_telegram, prefix, typist)
    limited = await inline(fake_telegram, "blinding", typist)
    assert limited.params["results"] == []
    assert limited.params["button"]["text"] == "That was a lot at once: wait a few seconds"

    fake_telegram.push_update(command_update("kpop", "Blinding Lights", user=typist, chat=private_chat(typist)))
    sent = await fake_telegram.wait_for_call("sendMessage")
    assert shown_text(sent.params["text"]).startswith("If you like Blinding Lights")
