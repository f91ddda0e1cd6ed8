"""The fake Bot API refuses what Telegram refuses, with the Bot API's own error texts.

Each rule is checked through the real python-telegram-bot, so the test also shows how PTB surfaces
the refusal (``BadRequest``, ``RetryAfter``, ``ChatMigrated``). PTB drops the "Bad Request: " prefix
and lower-cases the rest of the description, hence the case-insensitive matches.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, RetryAfter

from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_app import AnyApplicationBuilder
from tests.support.fakes.telegram_updates import (
    callback_query_update,
    command_update,
    forum_chat,
    group_chat,
    inline_query_update,
    make_user,
    private_chat,
)

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

HTML = ParseMode.HTML
TOO_OLD = "(?i)query is too old and response timeout expired or query id is invalid"


@pytest.fixture
def chat(fake_telegram: FakeTelegram) -> dict[str, Any]:
    """A private chat the fake knows, for the bot to message."""
    known = private_chat()
    fake_telegram.add_chat(known)
    return known


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d[:10], callback_data=d) for d in data]])


@pytest.mark.parametrize(
    ("markup", "refusal"),
    [
        ("<foo>x</foo>", 'unsupported start tag "foo" at byte offset 0'),
        ("love <3", 'unsupported start tag "3" at byte offset 5'),
        ("<b>bold", "can't find end tag corresponding to start tag \"b\""),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("é<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 2'),  # offsets in UTF-8 bytes
    ],
)
async def test_html_telegram_cannot_parse_is_refused(
    fake_telegram: FakeTelegram,
    telegram_app_builder: AnyApplicationBuilder,
    chat: dict[str, Any],
    markup: str,
    refusal: str,
) -> None:
    async with telegram_app_builder.build() as app:
        with pytest.raises(BadRequest) as refused:
            await app.bot.send_message(chat["id"], markup, parse_mode=HTML)

    assert str(refused.value) == f"Can't parse entities: {refusal}".capitalize()
    assert fake_telegram.calls("sendMessage")[0].response["description"].lower() == (  # type: ignore[index]
        f"bad request: can't parse entities: {refusal}".lower()
    )


async def test_html_is_stored_as_text_and_entities(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, chat: dict[str, Any]
) -> None:
    async with telegram_app_builder.build() as app:
        sent = await app.bot.send_message(
            chat["id"], '👍 <b>Ab</b> &amp; <a href="https://x.org">c&#33;</a> &lt;3', parse_mode=HTML
        )

    assert sent.text == "👍 Ab & c! <3"
    # offsets count UTF-16 units: the emoji is two
    assert [(e.type, e.offset, e.length, e.url) for e in sent.entities] == [
        ("bold", 3, 2, None),
        ("text_link", 8, 2, "https://x.org"),
    ]


async def test_the_length_limit_counts_the_text_after_parsing(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, chat: dict[str, Any]
) -> None:
    async with telegram_app_builder.build() as app:
        fits = await app.bot.send_message(chat["id"], "<b>" + "a" * 4096 + "</b>", parse_mode=HTML)
        with pytest.raises(BadRequest, match="(?i)^message is too long$"):
            await app.bot.send_message(chat["id"], "a" * 4097)
        with pytest.raises(BadRequest, match="(?i)^message is too long$"):
            await app.bot.send_message(chat["id"], "👍" * 2049)  # 4,098 UTF-16 units

    assert len(fits.text) == 4096


async def test_callback_data_longer_than_64_bytes_is_refused(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, chat: dict[str, Any]
) -> None:
    async with telegram_app_builder.build() as app:
        sent = await app.bot.send_message(chat["id"], "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
        with pytest.raises(BadRequest, match="(?i)^button_data_invalid$"):
            await app.bot.send_message(chat["id"], "too long", reply_markup=keyboard("é" * 32 + "x"))
        with pytest.raises(BadRequest, match="(?i)^button_data_invalid$"):
            await app.bot.edit_message_reply_markup(chat["id"], sent.message_id, reply_markup=keyboard("x" * 65))

    assert len(fake_telegram.sent_messages(chat["id"])) == 1


async def test_a_press_must_be_of_a_button_the_message_has(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, chat: dict[str, Any]
) -> None:
    async with telegram_app_builder.build() as app:
        sent = (await app.bot.send_message(chat["id"], "<i>pick</i>", reply_markup=keyboard("a:1"), parse_mode=HTML))
        await app.bot.edit_message_reply_markup(chat["id"], sent.message_id, reply_markup=keyboard("b:2"))

    stale_copy = sent.to_dict()
    with pytest.raises(ValueError, match="has no button with callback_data 'a:1'"):
        fake_telegram.push_update(callback_query_update("a:1", message=stale_copy))  # removed by the edit
    pressed = fake_telegram.push_update(callback_query_update("b:2", message=stale_copy))
    forged = fake_telegram.push_update(callback_query_update("v:1:1", message=stale_copy), forged=True)

    # the press shows the message as it is now: its current keyboard, its text without markup
    assert pressed["callback_query"]["message"]["reply_markup"] == keyboard("b:2").to_dict()
    assert pressed["callback_query"]["message"]["text"] == "pick"
    assert forged["callback_query"]["data"] == "v:1:1"


async def test_a_callback_query_is_answered_once_and_expires(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, chat: dict[str, Any]
) -> None:
    async with telegram_app_builder.build() as app:
        sent = await app.bot.send_message(chat["id"], "pick", reply_markup=keyboard("a:1"))
        message = fake_telegram.message(chat["id"], sent.message_id)
        first = fake_telegram.push_update(callback_query_update("a:1", message=message))["callback_query"]
        assert await app.bot.answer_callback_query(first["id"], "noted")
        with pytest.raises(BadRequest, match=TOO_OLD):
            await app.bot.answer_callback_query(first["id"], "again")

        fake_telegram.callback_query_lifetime = 0.05
        late = fake_telegram.push_update(callback_query_update("a:1", message=message))["callback_query"]
        await asyncio.sleep(0.1)
        with pytest.raises(BadRequest, match=TOO_OLD):
            await app.bot.answer_callback_query(late["id"])
        with pytest.raises(BadRequest, match=TOO_OLD):
            await app.bot.answer_callback_query("never-sent")


async def test_inline_results_are_parsed_like_messages(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    async with telegram_app_builder.build() as app:
        query = fake_telegram.push_update(inline_query_update("iu"))["inline_query"]
        broken = InputTextMessageContent("<b>IU", parse_mode=HTML)
        with pytest.raises(BadRequest, match="(?i)can't parse entities: can't find end tag"):
            await app.bot.answer_inline_query(query["id"], [InlineQueryResultArticle("1", "IU", broken)])
        fine = InputTextMessageContent("<b>IU</b>", parse_mode=HTML)
        assert await app.bot.answer_inline_query(query["id"], [InlineQueryResultArticle("1", "IU", fine)])


async def test_forum_topics_keep_their_thread(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    forum, group = forum_chat(), group_chat()
    asked = fake_telegram.push_update(command_update("kpop", "IU", chat=forum, thread_id=7))["message"]
    fake_telegram.add_chat(group)
    async with telegram_app_builder.build() as app:
        in_topic = await app.bot.send_message(forum["id"], "topic", message_thread_id=7)
        in_general = await app.bot.send_message(forum["id"], "general")
        reply = await app.bot.send_message(forum["id"], "reply", reply_parameters={"message_id": asked["message_id"]})
        with pytest.raises(BadRequest, match="(?i)^message thread not found$"):
            await app.bot.send_message(group["id"], "no topics here", message_thread_id=7)

    assert (in_topic.message_thread_id, in_topic.is_topic_message) == (7, True)
    assert in_general.message_thread_id is None  # the General topic
    assert reply.message_thread_id == 7  # a reply stays in the topic of what it answers


async def test_a_migrated_group_points_to_its_supergroup(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    group, admin = group_chat("Fans", supergroup=False), make_user("Admin")
    fake_telegram.add_chat(group)
    supergroup = fake_telegram.migrate_group(group, by=admin)
    async with telegram_app_builder.build() as app:
        with pytest.raises(ChatMigrated) as migrated:
            await app.bot.send_message(group["id"], "hello")
        moved, arrived = await app.bot.get_updates()
        sent = await app.bot.send_message(supergroup["id"], "hello")

    assert migrated.value.new_chat_id == supergroup["id"]
    assert fake_telegram.calls("sendMessage")[0].response == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": supergroup["id"]},
    }
    assert (moved.message.chat.id, moved.message.migrate_to_chat_id) == (group["id"], supergroup["id"])
    assert (arrived.message.chat.id, arrived.message.migrate_from_chat_id) == (supergroup["id"], group["id"])
    assert sent.chat.type == "supergroup" and sent.chat.title == "Fans"


async def test_a_group_gets_a_limited_number_of_messages(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    group, private = group_chat(), private_chat()
    fake_telegram.add_chat(group)
    fake_telegram.add_chat(private)
    fake_telegram.group_send_limit = (2, 0.3)
    async with telegram_app_builder.build() as app:
        for n in range(2):
            await app.bot.send_message(group["id"], f"message {n}")
        with pytest.raises(RetryAfter) as flooded:
            await app.bot.send_message(group["id"], "one too many")
        for n in range(3):
            await app.bot.send_message(private["id"], f"private {n}")  # the group limit is the group's
        await asyncio.sleep(flooded.value.retry_after.total_seconds())  # type: ignore[union-attr]
        await app.bot.send_message(group["id"], "after the wait")

    refused = fake_telegram.calls("sendMessage")[2].response
    assert refused is not None and refused["error_code"] == 429
    assert refused["description"] == f"Too Many Requests: retry after {refused['parameters']['retry_after']}"
    assert timedelta(0) < flooded.value.retry_after <= timedelta(seconds=0.3)  # type: ignore[operator]
    assert len(fake_telegram.sent_messages(group["id"])) == 3
