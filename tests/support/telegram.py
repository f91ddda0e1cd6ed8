"""Steps and assertions shared by the Telegram adapter tests: asking, pressing, waiting until one
person's updates are handled, stored rows, and HTML as Telegram reads it."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable, Callable
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from bot.chat.core import KpopCore
from bot.storage.models import Feedback, Recommendation
from tests.support.fakes.telegram_api import Call, FakeTelegram, with_params
from tests.support.fakes.telegram_updates import DEFAULT_USER, callback_query_update, command_update, private_chat
from tests.support.fixtures.telegram import RunningBot

JSON = dict[str, Any]
UP, DOWN = "\U0001f44d", "\U0001f44e"

_TAG = re.compile(r'</?(?:b|i|pre)>|<a href="[^"<>]*">|</a>')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


async def recommendations(core: KpopCore) -> list[Recommendation]:
    async with core.history.engine.connect() as conn:
        return list((await conn.execute(select(Recommendation).order_by(Recommendation.id))).all())  # type: ignore[arg-type]


async def wait_until_listening(port: int, timeout: float = 3.0) -> None:
    """PTB registers the webhook before its server listens: wait for the port to accept."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.01)
                continue
            writer.close()
            await writer.wait_closed()
            return


async def votes(core: KpopCore) -> set[tuple[str, int, int, int]]:
    """Every stored vote as (user_id, recommendation_id, pick_rank, vote)."""
    async with core.history.engine.connect() as conn:
        rows = await conn.execute(
            select(Feedback.user_id, Feedback.recommendation_id, Feedback.pick_rank, Feedback.vote)
        )
        return {(user, rec, rank, vote) for user, rec, rank, vote in rows}


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            assert str(dict(attrs).get("href")).startswith("https://"), attrs
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> does not close {self.open}"
        self.open.pop()


def shown_text(message_html: str) -> str:
    """The text Telegram shows for ``message_html``, after asserting the markup is harmless.

    Harmless: the only tags are <b>, <i>, <pre> and https links, each closed in order;
    no other ``<`` or ``>``; every ``&`` begins a complete entity.
    """
    bare = _TAG.sub("", message_html)
    assert "<" not in bare and ">" not in bare, f"markup beyond b, i, pre and a in {message_html!r}"
    assert "&" not in _ENTITY.sub("", bare), f"a broken entity in {message_html!r}"
    nesting = _Nesting()
    nesting.feed(message_html)
    nesting.close()
    assert not nesting.open, f"unclosed {nesting.open} in {message_html!r}"
    return html.unescape(bare)


def buttons(message: JSON) -> list[list[tuple[str, str]]]:
    """A message's inline keyboard as rows of (label, callback_data)."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


async def reply_to(fake: FakeTelegram, chat: JSON, count: int = 1) -> JSON:
    """The bot's ``count``-th message in ``chat``, once sent (refused tries do not count)."""
    sent_to_chat = with_params(chat_id=chat["id"])
    calls = await fake.wait_for_calls("sendMessage", count, lambda call: call.ok and sent_to_chat(call))
    return calls[-1].result


async def press(
    fake: FakeTelegram,
    data: str,
    message: JSON,
    user: JSON | None = None,
    *,
    forged: bool = False,
    inaccessible: bool = False,
) -> Call:
    """Press a button under ``message``; returns the answerCallbackQuery that answered it.

    ``forged``: data the message has no button for (a modified client, or a keyboard of long ago);
    ``inaccessible``: Telegram no longer shows the message to the bot.
    """
    update = callback_query_update(data, message=message, user=user, inaccessible=inaccessible)
    pushed = fake.push_update(update, forged=forged)
    query_id = pushed["callback_query"]["id"]
    return await fake.wait_for_call("answerCallbackQuery", with_params(callback_query_id=query_id))


async def settle(fake: FakeTelegram, user: JSON) -> None:
    """Wait until everything ``user`` sent so far is handled, to the last database write.

    One person's updates are handled in order, so once a /help from them is
    answered, their earlier updates are done: reactions, which get no reply, and
    the message ids stored just after an answer is sent.
    """
    chat = private_chat(user)
    before = len(fake.sent_messages(chat["id"]))
    fake.push_update(command_update("help", user=user, chat=chat))
    await reply_to(fake, chat, before + 1)


async def ask_kpop(bot: RunningBot, query: str, chat: JSON, user: JSON = DEFAULT_USER) -> tuple[JSON, JSON, Any]:
    """``/kpop query`` from ``user`` in ``chat``, answered and fully handled.

    Returns the update pushed, the bot's answer message and the stored recommendation.
    """
    before = len(bot.fake.calls("sendMessage"))
    pushed = bot.fake.push_update(command_update("kpop", query, user=user, chat=chat))
    [*_, answered] = await bot.fake.wait_for_calls("sendMessage", before + 1)
    await settle(bot.fake, user)
    message_id = str(answered.result["message_id"])
    return pushed, answered.result, next(r for r in await recommendations(bot.core) if r.message_id == message_id)


async def start_webhook_bot(
    start: Callable[..., Awaitable[RunningBot]], port: int, url: str, **settings: object
) -> tuple[RunningBot, Call]:
    """Start the adapter in webhook mode, listening on 127.0.0.1:``port`` for Telegram's POSTs to
    ``url``; returns it once it listens, with the setWebhook call it made."""
    bot = await start(TELEGRAM_WEBHOOK_URL=url, TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", PORT=port, **settings)
    registered = await bot.fake.wait_for_call("setWebhook", lambda call: call.params["url"] == url)
    await wait_until_listening(port)
    return bot, registered
