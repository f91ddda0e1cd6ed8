"""The bot's handlers: each turns one kind of update into a core call and the answer into a message.

Which updates reach which handler:

* ``/kpop``, ``/help``, ``/start``, ``/more``, ``/forget`` (also ``/kpop@botname``) in
  any chat, and in a private chat any other text, go to :meth:`KpopCore.handle_text`;
* ``/stats`` goes to :meth:`KpopCore.stats` (owners only; its table is set monospace);
* button presses: 👍/👎 (:meth:`KpopCore.vote`), "more" (:meth:`KpopCore.more`,
  sent as a new message, in the same forum topic) and "did you mean" choices
  (:meth:`KpopCore.choose`, edited into the message that offered them). Every
  press is answered once, before any reply is sent, and with an apology when
  handling it failed; a press of data its message does not offer is stale
  (see :mod:`adapters.telegram.presses`);
* 👍/👎 reactions on an answer (:meth:`KpopCore.vote_on_message`, and
  :meth:`KpopCore.retract_on_message` when one is taken off), silently. Where
  the bot is an admin it hears of every reaction in the group; a message found
  not to be an answer is remembered (``NOT_ANSWERS_SECONDS``), so thumbs on
  people's own messages cost one database look-up per message, not per thumb;
* inline queries (:meth:`KpopCore.preview`);
* a group upgraded to a supergroup (its service messages, or a reply refused
  with ``ChatMigrated``): the answers move to the new chat id
  (:meth:`KpopCore.move_chat`) and the reply goes to the supergroup.

Edited messages are not requested, so editing a command does not answer twice.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from cachetools import TTLCache
from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update, User
from telegram.constants import ChatType
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    MessageReactionHandler,
    filters,
)

from adapters.telegram.inline import CACHE_SECONDS, inline_hint, inline_results
from adapters.telegram.keyboards import Choice, More, Vote, answer_keyboard, decode
from adapters.telegram.notices import RefusalNotices
from adapters.telegram.presses import Acknowledgement, offered, readable
from adapters.telegram.reactions import emojis, vote_change
from adapters.telegram.render import answer_html
from adapters.telegram.updates import PLATFORM, claim_handler
from bot.chat.core import KpopCore
from bot.chat.updates import HandledUpdates
from bot.chat.replies import Answer, AnswerKind, Sender

__all__ = ["add_handlers", "Handlers", "TEXT_COMMANDS"]

log = logging.getLogger(__name__)

#: Commands answered from the message text by :meth:`KpopCore.handle_text`.
TEXT_COMMANDS = ("kpop", "help", "start", "more", "forget")
GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
#: How long a message found not to be an answer is taken at its word. The bot forgets it at once
#: when it sends an answer as that message; another process sending it would be believed after this.
NOT_ANSWERS_SECONDS = 300.0
STALE_BUTTON = "This button no longer works. Ask me again with /kpop."
APOLOGY = "Sorry, something went wrong on my side. Please try again."
INLINE_CHAT = "inline"  # the chat of an inline query or an inline message: none of ours


def sender(user: User, chat: Chat | None) -> Sender:
    return Sender(PLATFORM, str(user.id), str(chat.id) if chat is not None else INLINE_CHAT)


def add_handlers(app: Application[Any, Any, Any, Any, Any, Any], core: KpopCore, updates: HandledUpdates) -> None:
    """Register every handler, the claim of handled updates first (group -1)."""
    handlers = Handlers(core)
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(claim_handler(updates), group=-1)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migrated))
    app.add_handler(CommandHandler(TEXT_COMMANDS, handlers.text, filters=new_messages))
    app.add_handler(CommandHandler("stats", handlers.stats, filters=new_messages))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE & new_messages, handlers.text))
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_handler(
        MessageReactionHandler(
            handlers.reaction, message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED
        )
    )
    app.add_handler(InlineQueryHandler(handlers.inline))
    app.add_error_handler(handlers.error)


class Handlers:
    """PTB callbacks over one core."""

    def __init__(self, core: KpopCore) -> None:
        self.core = core
        self.notices = RefusalNotices()
        self._not_answers: TTLCache[tuple[int, int], bool] = TTLCache(maxsize=50_000, ttl=NOT_ANSWERS_SECONDS)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.text is None:
            return
        who = sender(message.from_user, message.chat)
        answer = await self.core.handle_text(who, message.text)
        if not self.notices.worth_sending(who, answer, in_group=message.chat.type in GROUPS):
            return
        sent = await self._send(context, message.chat.id, answer_html(answer), answer_keyboard(answer), quote=message)
        await self._attach(answer, sent)

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The A/B test's table for an owner (``KPOP_OWNER_IDS=telegram:<user id>``); a refusal for others."""
        message = update.message
        if message is None or message.from_user is None:
            return
        answer = await self.core.stats(sender(message.from_user, message.chat))
        table = answer_html(answer, table=answer.kind == AnswerKind.INFO)
        await self._send(context, message.chat.id, table, quote=message)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        acknowledgement = Acknowledgement(query)
        try:
            await self._press(query, acknowledgement, context)
        except Exception:
            await acknowledgement.send(APOLOGY)
            raise
        await acknowledgement.send()

    async def _press(
        self, query: CallbackQuery, acknowledgement: Acknowledgement, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Act on a button press, answering it (``acknowledgement``) before any reply goes out."""
        press = decode(query.data or "") if offered(query) else None
        message = query.message
        who = sender(query.from_user, message.chat if message is not None else None)
        match press:
            case Vote(recommendation_id, vote) if readable(query) is not None:
                await acknowledgement.send((await self.core.vote(who, recommendation_id, vote)).text)
            case Vote(_, vote) if message is not None:  # Telegram no longer shows it: go by the message
                voted = await self.core.vote_on_message(who, str(message.message_id), vote)
                await acknowledgement.send(voted.text if voted is not None else STALE_BUTTON)
            case Choice(kind, item_id, asked, catalogue) if isinstance(message, Message) and readable(query) is not None:
                answer = await self.core.choose(who, kind, item_id, asked, catalogue=catalogue)
                if answer.kind == AnswerKind.RATE_LIMITED:
                    await acknowledgement.send(answer.text)  # keep the choices for another try
                    return
                await acknowledgement.send()
                await query.edit_message_text(answer_html(answer), reply_markup=answer_keyboard(answer))
                await self._attach(answer, message)
            case More(recommendation_id) if message is not None:
                answer = await self.core.more(who, recommendation_id)
                if answer.kind in (AnswerKind.RATE_LIMITED, AnswerKind.ERROR):
                    await acknowledgement.send(answer.text)  # the presser's business, not the chat's
                    return
                await acknowledgement.send()
                sent = await self._send(
                    context, message.chat.id, answer_html(answer), answer_keyboard(answer), topic=_topic(message)
                )
                await self._attach(answer, sent)
            case _:
                await acknowledgement.send(STALE_BUTTON)

    async def reaction(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.message_reaction
        if change is None or change.user is None:
            return  # an anonymous admin reacting as the group: no person to credit
        effect = vote_change(emojis(change.old_reaction), emojis(change.new_reaction))
        if effect is None:
            return
        where = (change.chat.id, change.message_id)
        if where in self._not_answers:
            return
        who, message_id = sender(change.user, change.chat), str(change.message_id)
        results = [await self.core.retract_on_message(who, message_id, vote) for vote in sorted(effect.retract)]
        if effect.vote:
            results.append(await self.core.vote_on_message(who, message_id, effect.vote))
        if None in results:  # the core found no answer shown as that message
            self._not_answers[where] = True

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: Telegram says so in both (``migrate_to_chat_id`` in the old one,
        ``migrate_from_chat_id`` in the new); either moves the answers, the second finds nothing left."""
        message = update.message
        if message is None:
            return
        if message.migrate_to_chat_id is not None:
            await self.core.move_chat(PLATFORM, str(message.chat.id), str(message.migrate_to_chat_id))
        elif message.migrate_from_chat_id is not None:
            await self.core.move_chat(PLATFORM, str(message.migrate_from_chat_id), str(message.chat.id))

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        answers = await self.core.preview(sender(query.from_user, None), query.query)
        results = inline_results(answers)
        await query.answer(
            results,
            cache_time=CACHE_SECONDS,
            is_personal=True,
            button=None if results else inline_hint(answers),
        )

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what went wrong at the level it deserves; apologise for a message left unanswered."""
        error = context.error
        if isinstance(error, Forbidden):
            log.info("Telegram refused to deliver (the bot was blocked or removed): %s", error)
            return
        if isinstance(error, BadRequest) and "not modified" in str(error).lower():
            return  # the same "did you mean" choice tapped twice: the message already shows it
        log.error("handling a Telegram update failed", exc_info=error)
        if isinstance(update, Update) and update.message is not None:
            with contextlib.suppress(TelegramError):  # the failure may have been Telegram itself
                await update.message.reply_text(APOLOGY)

    async def _send(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
        *,
        quote: Message | None = None,
        topic: int | None = None,
    ) -> Message:
        """Send a message to a chat: as a reply to ``quote`` (quoted in groups) or in forum ``topic``.

        A group upgraded to a supergroup since refuses it with ``ChatMigrated``: the answers move to
        the supergroup's id and the message goes there (without the quote, which stayed behind).
        """
        try:
            if quote is not None:
                return await quote.reply_text(text, reply_markup=keyboard)
            return await context.bot.send_message(chat_id, text, reply_markup=keyboard, message_thread_id=topic)
        except ChatMigrated as moved:
            await self.core.move_chat(PLATFORM, str(chat_id), str(moved.new_chat_id))
            return await context.bot.send_message(moved.new_chat_id, text, reply_markup=keyboard)

    async def _attach(self, answer: Answer, message: Message) -> None:
        """Tie a recorded answer to the message showing it, so reactions on it count as votes."""
        if answer.recommendation_id is not None:
            self._not_answers.pop((message.chat.id, message.message_id), None)
            await self.core.attach_message(answer.recommendation_id, str(message.message_id))


def _topic(message: MaybeInaccessibleMessage) -> int | None:
    """The forum topic ``message`` is in, for a new message to go there too (None: the chat itself)."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None
