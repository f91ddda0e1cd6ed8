"""The fake Bot API against the real python-telegram-bot: proves the fake is faithful enough to
test the Telegram adapter end to end (polling, webhooks, buttons, reactions, inline mode, errors).

The tiny bot below exists only for these tests; the real adapter gets its own tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageReactionHandler,
)

from tests.support.fakes.log_guard import ErrorLogGuard
from tests.support.fakes.telegram_api import FakeTelegram, with_params
from tests.support.fakes.telegram_app import AnyApplication, AnyApplicationBuilder, polling, webhook
from tests.support.fakes.telegram_updates import (
    callback_query_update,
    command_update,
    group_chat,
    inline_query_update,
    make_user,
    private_chat,
    reaction_update,
    text_update,
)

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again:1")]])
AGAIN_JSON = {"inline_keyboard": [[{"text": "Again", "callback_data": "again:1"}]]}


async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    context.bot_data.setdefault("seen", []).append(update.update_id)
    await update.message.set_reaction("👀")
    await update.message.reply_text(" ".join(["pong", *(context.args or [])]), reply_markup=AGAIN)


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"pong ({query.data})")


async def thank_for_reaction(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    reaction = update.message_reaction
    assert reaction is not None
    emojis = "".join(getattr(kind, "emoji", "?") for kind in reaction.new_reaction)
    await context.bot.send_message(reaction.chat.id, f"Thanks for the {emojis}!")


async def answer_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    result = InlineQueryResultArticle("1", f"pong {query.query}", InputTextMessageContent("pong"))
    await query.answer([result], cache_time=0)


def ping_app(builder: AnyApplicationBuilder) -> AnyApplication:
    app = builder.build()
    app.add_handler(CommandHandler("ping", ping))
    app.add_handler(CallbackQueryHandler(again))
    app.add_handler(MessageReactionHandler(thank_for_reaction))
    app.add_handler(InlineQueryHandler(answer_inline))
    return app


async def test_startup_gets_me_and_clears_webhook(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    async with polling(ping_app(telegram_app_builder)) as app:
        assert app.bot.username == fake_telegram.bot_username
        await fake_telegram.wait_for_call("deleteWebhook")
    assert [call.method for call in fake_telegram.calls()][:2] == ["getMe", "deleteWebhook"]


async def test_ping_in_private_chat_replies_with_keyboard_and_reaction(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    async with polling(ping_app(telegram_app_builder)):
        update = fake_telegram.push_update(command_update("ping", "Blinding Lights"))
        sent = await fake_telegram.wait_for_call("sendMessage")
        reacted = await fake_telegram.wait_for_call("setMessageReaction")

    chat_id = update["message"]["chat"]["id"]
    assert sent.params["chat_id"] == chat_id
    assert sent.params["text"] == "pong Blinding Lights"
    assert sent.params["reply_markup"] == AGAIN_JSON
    assert "reply_parameters" not in sent.params  # PTB 22 does not quote in private chats
    assert reacted.params["reaction"] == [{"type": "emoji", "emoji": "👀"}]
    assert reacted.params["message_id"] == update["message"]["message_id"]
    stored = fake_telegram.last_sent(chat_id)
    assert stored["text"] == "pong Blinding Lights"
    assert stored["reply_markup"] == AGAIN_JSON
    assert stored["message_id"] == sent.result["message_id"]


async def test_ping_in_group_answers_only_commands_for_this_bot(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    group = group_chat()
    bob = make_user("Bob")
    async with polling(ping_app(telegram_app_builder)):
        fake_telegram.push_update(
            command_update("ping", "other", bot_username="other_bot", user=bob, chat=group)
        )
        mine = fake_telegram.push_update(
            command_update("ping", "mine", bot_username=fake_telegram.bot_username, user=bob, chat=group)
        )
        sent = await fake_telegram.wait_for_call("sendMessage")
        assert fake_telegram.delivered_update_ids()[-1] == mine["update_id"]  # both were delivered

    assert len(fake_telegram.calls("sendMessage")) == 1
    assert sent.params["chat_id"] == group["id"]
    assert sent.params["text"] == "pong mine"
    # PTB quotes the command in groups; the fake resolves the reply like Telegram.
    assert sent.params["reply_parameters"]["message_id"] == mine["message"]["message_id"]
    assert fake_telegram.last_sent(group["id"])["reply_to_message"]["text"] == mine["message"]["text"]


async def test_button_press_is_answered_and_message_edited(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    chat = private_chat()
    async with polling(ping_app(telegram_app_builder)):
        fake_telegram.push_update(command_update("ping", chat=chat))
        await fake_telegram.wait_for_call("sendMessage")
        pong = fake_telegram.last_sent(chat["id"])
        press = fake_telegram.push_update(callback_query_update("again:1", message=pong))
        answered = await fake_telegram.wait_for_call("answerCallbackQuery")
        edited = await fake_telegram.wait_for_call("editMessageText")

    assert answered.params == {"callback_query_id": press["callback_query"]["id"], "text": "Noted"}
    assert edited.params["message_id"] == pong["message_id"]
    now = fake_telegram.message(chat["id"], pong["message_id"])
    assert now["text"] == "pong (again:1)"
    assert "reply_markup" not in now  # an edit without reply_markup drops the keyboard, as on Telegram
    assert len(fake_telegram.sent_messages(chat["id"])) == 1


async def test_reaction_is_delivered_when_allowed_updates_asks_for_it(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    chat = private_chat()
    async with polling(ping_app(telegram_app_builder), allowed_updates=Update.ALL_TYPES):
        fake_telegram.push_update(reaction_update(chat=chat, message_id=1, old=["👎"], new=["👍"]))
        thanks = await fake_telegram.wait_for_call("sendMessage")

    assert thanks.params == {"chat_id": chat["id"], "text": "Thanks for the 👍!"}
    assert "message_reaction" in fake_telegram.calls("getUpdates")[0].params["allowed_updates"]


async def test_reaction_is_not_delivered_by_default(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    chat = private_chat()
    async with polling(ping_app(telegram_app_builder)):
        reaction = fake_telegram.push_update(reaction_update(chat=chat, message_id=1))
        fake_telegram.push_update(command_update("ping", chat=chat))
        # Updates are handled in order, so once the later /ping is answered the reaction is past.
        await fake_telegram.wait_for_call("sendMessage")

    assert [call.params["text"] for call in fake_telegram.calls("sendMessage")] == ["pong"]
    assert reaction["update_id"] not in fake_telegram.delivered_update_ids()
    assert all("allowed_updates" not in call.params for call in fake_telegram.calls("getUpdates"))


async def test_inline_query_is_answered(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    async with polling(ping_app(telegram_app_builder)):
        query = fake_telegram.push_update(inline_query_update("blackpink"))
        answered = await fake_telegram.wait_for_call("answerInlineQuery")

    assert answered.params["inline_query_id"] == query["inline_query"]["id"]
    assert [result["title"] for result in answered.params["results"]] == ["pong blackpink"]
    assert answered.ok


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter's int retry_after
async def test_flood_limit_is_retried_by_the_rate_limiter(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    # AIORateLimiter() alone does NOT retry: max_retries defaults to 0 and it logs an ERROR.
    app = ping_app(telegram_app_builder.rate_limiter(AIORateLimiter(max_retries=1)))
    fake_telegram.fail_next("sendMessage", 429, retry_after=0.05)
    async with polling(app):
        chat_id = fake_telegram.push_update(command_update("ping"))["message"]["chat"]["id"]
        refused, delivered = await fake_telegram.wait_for_calls("sendMessage", 2)

    assert refused.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 0.05",
        "parameters": {"retry_after": 0.05},
    }
    assert delivered.params == refused.params
    assert [message["text"] for message in fake_telegram.sent_messages(chat_id)] == ["pong"]


@pytest.mark.parametrize(
    ("code", "error_type"),
    [(400, BadRequest), (403, Forbidden), (500, NetworkError), (502, NetworkError)],
)
async def test_api_errors_reach_the_error_handler_without_retry(
    fake_telegram: FakeTelegram,
    telegram_app_builder: AnyApplicationBuilder,
    code: int,
    error_type: type[TelegramError],
) -> None:
    """PTB's default: no retry of a failed call; the exception leaves the handler and goes to the
    error handlers (or, with none registered, is logged at ERROR: see the next test)."""
    errors: list[object] = []

    async def collect(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        errors.append(context.error)

    app = ping_app(telegram_app_builder)
    app.add_error_handler(collect)
    fake_telegram.fail_next("sendMessage", code)
    async with polling(app):
        fake_telegram.push_update(command_update("ping", "first"))
        fake_telegram.push_update(command_update("ping", "second"))
        await fake_telegram.wait_for_call("sendMessage", with_params(text="pong second"))

    assert [call.ok for call in fake_telegram.calls("sendMessage")] == [False, True]
    assert len(errors) == 1 and type(errors[0]) is error_type


async def test_handler_error_without_error_handler_is_only_logged(
    fake_telegram: FakeTelegram,
    telegram_app_builder: AnyApplicationBuilder,
    fail_on_error_logs: ErrorLogGuard,
) -> None:
    fail_on_error_logs.allow("No error handlers are registered")
    fake_telegram.fail_next("sendMessage", 500)
    async with polling(ping_app(telegram_app_builder)):
        fake_telegram.push_update(command_update("ping", "first"))
        fake_telegram.push_update(command_update("ping", "second"))
        await fake_telegram.wait_for_call("sendMessage", with_params(text="pong second"))

    [record] = fail_on_error_logs.records
    assert record.exc_info is not None and isinstance(record.exc_info[1], NetworkError)


async def test_replay_redelivers_the_same_update_id(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    app = ping_app(telegram_app_builder)
    async with polling(app):
        update = fake_telegram.push_update(command_update("ping"))
        await fake_telegram.wait_for_call("sendMessage")
        fake_telegram.replay(update)
        await fake_telegram.wait_for_calls("sendMessage", 2)

    assert app.bot_data["seen"] == [update["update_id"], update["update_id"]]
    assert fake_telegram.delivered_update_ids() == [update["update_id"], update["update_id"]]


async def test_update_with_a_confirmed_id_is_dropped(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    app = ping_app(telegram_app_builder)
    async with polling(app):
        first = fake_telegram.push_update(command_update("ping", "first"))
        await fake_telegram.wait_for_call("sendMessage")
        fake_telegram.push_update(first)  # the bot confirmed it with its next offset
        later = fake_telegram.push_update(command_update("ping", "later"))
        await fake_telegram.wait_for_call("sendMessage", with_params(text="pong later"))

    assert app.bot_data["seen"] == [first["update_id"], later["update_id"]]


async def test_webhook_checks_the_secret_token(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, unused_tcp_port: int
) -> None:
    chat = private_chat()
    app = ping_app(telegram_app_builder)
    async with webhook(
        app, port=unused_tcp_port, url_path="hook", secret_token="s3cret", allowed_updates=["message"]
    ):
        registered = await fake_telegram.wait_for_call("setWebhook")
        assert (
            await fake_telegram.post_webhook(
                command_update("ping", "no secret", chat=chat), secret_token=None
            )
            == 403
        )
        assert (
            await fake_telegram.post_webhook(command_update("ping", "wrong", chat=chat), secret_token="nope")
            == 403
        )
        assert await fake_telegram.post_webhook(command_update("ping", "right", chat=chat)) == 200
        await fake_telegram.wait_for_call("sendMessage")
        with pytest.raises(Conflict):  # Telegram refuses getUpdates while a webhook is set
            await app.bot.get_updates()

    assert registered.params["url"] == f"http://127.0.0.1:{unused_tcp_port}/hook"
    assert registered.params["secret_token"] == "s3cret"
    assert registered.params["allowed_updates"] == ["message"]
    assert fake_telegram.webhook is not None and fake_telegram.webhook.secret_token == "s3cret"
    assert [message["text"] for message in fake_telegram.sent_messages(chat["id"])] == ["pong right"]


async def test_unknown_method_is_404_and_recorded(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    async with telegram_app_builder.build() as app:
        with pytest.raises(InvalidToken, match="Not Found: method getChat"):  # PTB maps any 404 so
            await app.bot.get_chat(12345)

    [call] = fake_telegram.calls("getChat")
    assert call.params == {"chat_id": 12345}
    assert call.response == {"ok": False, "error_code": 404, "description": "Not Found: method getChat"}


async def test_message_state_follows_edits_and_deletes(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    chat = group_chat("Edits", supergroup=False)
    fake_telegram.add_chat(chat)
    async with telegram_app_builder.build() as app:
        message = await app.bot.send_message(chat["id"], "one", reply_markup=AGAIN)
        await app.bot.edit_message_reply_markup(chat["id"], message.message_id, reply_markup=None)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await app.bot.edit_message_text("one", chat["id"], message.message_id)
        await app.bot.send_chat_action(chat["id"], "typing")
        second = await app.bot.send_message(chat["id"], "2")  # stays a str, not JSON-decoded
        await app.bot.delete_message(chat["id"], message.message_id)
        with pytest.raises(BadRequest, match="Chat not found"):
            await app.bot.send_message(424242, "nobody")
        with pytest.raises(BadRequest, match="Message text is empty"):
            await app.bot.send_message(chat["id"], " ")

    assert [(sent["message_id"], sent["text"]) for sent in fake_telegram.sent_messages(chat["id"])] == [
        (second.message_id, "2")
    ]
    assert second.chat.title == "Edits"


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    app = ApplicationBuilder().token("1:not-the-token").base_url(fake_telegram.base_url).build()
    try:
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await app.initialize()
    finally:
        await app.bot.shutdown()  # a failed initialize leaves the bot's HTTP clients open
    assert fake_telegram.calls("getMe")[0].response == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }


async def test_commands_round_trip(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder
) -> None:
    async with telegram_app_builder.build() as app:
        await app.bot.set_my_commands([("kpop", "Recommend K-pop for a song or artist")])
        commands = await app.bot.get_my_commands()

    assert [(command.command, command.description) for command in commands] == [
        ("kpop", "Recommend K-pop for a song or artist")
    ]
    assert fake_telegram.calls("setMyCommands")[0].params["commands"] == [
        {"command": "kpop", "description": "Recommend K-pop for a song or artist"}
    ]


async def test_proxy_settings_do_not_capture_loopback(
    fake_telegram: FakeTelegram, telegram_app_builder: AnyApplicationBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    async with telegram_app_builder.build() as app:
        assert (await app.bot.get_me()).username == fake_telegram.bot_username


async def test_plain_text_has_no_command_entity() -> None:
    assert "entities" not in text_update("hello /ping")["message"]
    entity = text_update("/ping@kpop_test_bot x")["message"]["entities"][0]
    assert entity == {"type": "bot_command", "offset": 0, "length": len("/ping@kpop_test_bot")}
