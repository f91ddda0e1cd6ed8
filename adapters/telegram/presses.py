"""Button presses: answered once and at once, and taken only for a button the pressed message shows.

Telegram's app keeps a pressed button spinning until the bot calls ``answerCallbackQuery``, and refuses
that call once the press is a few seconds old ("query is too old"). So a press is answered as soon as
what to say is known, before the reply is sent (a reply can wait out flood control for many seconds),
and a press whose handling failed still gets an apology instead of a spinner.

The data of a press is the client's word: a modified client can send any ``callback_data``. The
message it was pressed on comes from Telegram, with the keyboard Telegram shows under it, so a press
counts only when that keyboard holds its data. When Telegram no longer shows the message to the bot,
a vote is taken on the answer that message shows (found by the chat and message id, never by the
data) and "more" only for an answer the core finds was shown in that chat.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message
from telegram.error import BadRequest, TelegramError

from adapters.labels import clip

__all__ = ["Acknowledgement", "offered", "readable", "TOAST"]

log = logging.getLogger(__name__)

TOAST = 200  # characters Telegram shows in a button press's answer


class Acknowledgement:
    """Answers one press, at most once: the first :meth:`send` wins, later ones do nothing."""

    def __init__(self, query: CallbackQuery) -> None:
        self._query = query
        self.sent = False

    async def send(self, text: str = "") -> None:
        """Stop the spinner, with ``text`` as a toast when given. A refusal by Telegram (the press is
        too old, after a restart or a long outage) is logged: the reply that follows still matters."""
        if self.sent:
            return
        self.sent = True
        try:
            await self._query.answer(clip(text, TOAST) if text else None)
        except BadRequest as error:
            log.info("a button press could not be answered any more: %s", error)
        except TelegramError as error:
            log.warning("answering a button press failed: %s", error)


def readable(query: CallbackQuery) -> Message | None:
    """The pressed message as Telegram shows it to the bot; None when it no longer does (deleted,
    too old: Telegram then sends only its chat and id)."""
    message = query.message
    return message if isinstance(message, Message) and message.is_accessible else None


def offered(query: CallbackQuery) -> bool:
    """False when the pressed message is readable and has no button with the press's data (a forged
    or stale press). An unreadable message cannot say: True, and the answer is then found by the
    message itself, or checked by the core to belong to the chat."""
    message = readable(query)
    if message is None:
        return True
    keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
    return query.data in {button.callback_data for row in keyboard for button in row}
