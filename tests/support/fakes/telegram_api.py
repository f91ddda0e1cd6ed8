"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the Telegram adapter.

The real python-telegram-bot talks to it over HTTP (``base_url`` points here), so the tests cover
request encoding, response parsing, long polling and webhooks exactly as in production, offline.
The fake is protocol-level: it records every call (method + decoded parameters), answers with
Telegram's envelopes, keeps just enough state to answer like Telegram does (update queue with
offsets, allowed_updates filtering, the messages it knows per chat, the webhook) and can inject
errors. It deliberately has no opinion about what the bot should do; tests assert on the calls.

It refuses what Telegram refuses, with the Bot API's error texts, so a bot that breaks a platform
rule fails its test here rather than in production:

- ``parse_mode=HTML`` is parsed as Telegram does (:mod:`~tests.support.fakes.telegram_html`): unknown
  or unbalanced tags are "can't parse entities", and the stored message holds the plain text and its
  entities; a text over 4,096 UTF-16 units *after* parsing is "message is too long";
- ``callback_data`` is 1-64 bytes ("BUTTON_DATA_INVALID"); a button press can only be pushed for a
  button the message has (``push_update(..., forged=True)`` plays a modified client; a press on an
  inaccessible message, ``date`` 0, carries only its chat and id and is not checked), it can be
  answered once and only within ``callback_query_lifetime`` seconds ("query is too old ...");
- ``message_thread_id`` (forum topics) is kept on sent messages, and a reply goes to the replied
  message's topic;
- a group upgraded with :meth:`FakeTelegram.migrate_group` answers every call about its old id with
  ``parameters.migrate_to_chat_id`` (PTB's ``ChatMigrated``);
- a group gets at most ``group_send_limit`` messages per window, then 429 with ``retry_after``.

The updates to push come from :mod:`tests.support.fakes.telegram_updates`; the PTB side of the wiring
(builder, polling and webhook runners) from :mod:`tests.support.fakes.telegram_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

import aiohttp
from aiohttp import web

from tests.support.fakes.telegram_html import HtmlError, parse_html, utf16_length
from tests.support.fakes.telegram_updates import migration_updates, new_message_id, supergroup_of

JSON = dict[str, Any]

DEFAULT_BOT_ID = 7_000_001
DEFAULT_BOT_USERNAME = "kpop_test_bot"

# Bot API parameters whose type is String. PTB sends strings verbatim and JSON-encodes everything
# else, so only these must escape json.loads: a text of "42" or a numeric callback id stays a str.
_STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "action",
        "next_offset",
        "business_connection_id",
        "message_effect_id",
    }
)

# What Telegram sends when allowed_updates was never given or given as []: everything except these.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_MAX_TEXT_LENGTH = 4096  # after entity parsing, in UTF-16 code units
_MAX_CALLBACK_DATA = 64  # bytes
_GROUP_TYPES = frozenset({"group", "supergroup"})
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_DEFAULT_DESCRIPTIONS = {
    HTTPStatus.BAD_REQUEST: "Bad Request",
    HTTPStatus.UNAUTHORIZED: "Unauthorized",
    HTTPStatus.FORBIDDEN: "Forbidden: bot was blocked by the user",
    HTTPStatus.NOT_FOUND: "Not Found",
    HTTPStatus.CONFLICT: "Conflict",
    HTTPStatus.INTERNAL_SERVER_ERROR: "Internal Server Error",
    HTTPStatus.BAD_GATEWAY: "Bad Gateway",
}


@dataclass
class Call:
    """One request the bot made: the method as sent, its decoded parameters, and the answer.

    ``response`` is the envelope the fake answered with; it is None while the request is in
    flight (a parked long poll) or when the client went away before the answer.
    """

    method: str
    params: JSON
    response: JSON | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None and self.response["ok"]

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer; fails loudly for an error or missing answer."""
        if not self.ok:
            raise AssertionError(f"{self.method} was not answered successfully: {self.response}")
        assert self.response is not None
        return self.response["result"]


def with_params(**expected: Any) -> Callable[[Call], bool]:
    """A predicate for wait_for_call: the call has these parameter values, e.g. ``text="pong"``."""
    return lambda call: all(call.params.get(name) == value for name, value in expected.items())


@dataclass(frozen=True)
class Webhook:
    """What the bot registered with setWebhook."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None


class _Registered(enum.Enum):
    SECRET = enum.auto()


REGISTERED_SECRET = _Registered.SECRET
"""Default of ``post_webhook(secret_token=...)``: send the secret the bot registered."""


class _ApiError(Exception):
    """A Bot API error answer; the HTTP status equals ``error_code``, as PTB maps on the status."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.envelope: JSON = {"ok": False, "error_code": code, "description": description}
        if parameters:
            self.envelope["parameters"] = parameters


@dataclass
class _Changes:
    """Wakes every waiter (long polls, wait_for_call) on any change; usable from sync code."""

    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> None:
        """Return once predicate() holds; raise TimeoutError after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._event.wait()


Handler = Callable[[JSON], Awaitable[Any]]


class FakeTelegram:
    """The fake Bot API server. Use ``async with FakeTelegram() as fake`` or the pytest fixture."""

    def __init__(
        self,
        *,
        token: str = f"{DEFAULT_BOT_ID}:fake-token",
        bot_username: str = DEFAULT_BOT_USERNAME,
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "K-pop Test Bot",
            "username": bot_username,  # PTB needs it to match /cmd@username
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.webhook: Webhook | None = None
        self._calls: list[Call] = []
        self._changes = _Changes()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._last_update_id = 0
        self._confirmed_offset = 0
        self._pending: list[JSON] = []
        self._replays: list[JSON] = []
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self._failures: dict[str, deque[_ApiError]] = defaultdict(deque)
        self._chats: dict[int, JSON] = {}
        self._messages: dict[int, dict[int, JSON]] = defaultdict(dict)
        #: Seconds a callback or inline query can be answered after it was pushed. Telegram does not
        #: document it; its apps stop waiting after about 15 s.
        self.callback_query_lifetime = 15.0
        #: (messages, seconds) a group may receive (Telegram's FAQ: about 20 a minute).
        self.group_send_limit = (20, 60.0)
        self._open_queries: dict[str, float] = {}  # query id -> when it expires (time.monotonic)
        self._group_sends: dict[int, deque[float]] = defaultdict(deque)
        self._migrated: dict[int, int] = {}  # old group id -> its supergroup's id
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._methods: dict[str, Handler] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_query,
                "answerInlineQuery": self._answer_query,
                "setMessageReaction": self._chat_only,
                "sendChatAction": self._chat_only,
            }.items()
        }

    # ---------------------------------------------------------------- lifecycle and addresses

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # handler_cancellation: a long poll the client abandoned is cancelled, not left parked.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Wake parked long polls first, so shutdown does not wait out their timeout."""
        self._stopping = True
        self._changes.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``, so file downloads never leave the host."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_username(self) -> str:
        return str(self.bot_user["username"])

    # ---------------------------------------------------------------- driving the bot

    def push_update(self, update: JSON, *, forged: bool = False) -> JSON:
        """Queue an update for getUpdates and wake parked polls; returns it with its update_id.

        Without an ``update_id`` the next one is assigned (Telegram numbers updates in arrival
        order). An explicit id the bot already confirmed (below its last getUpdates offset) is
        dropped, as by Telegram; use :meth:`replay` to deliver such an update again on purpose.

        A button press carries the pressed message as the fake knows it now, and its data must be
        one of that message's buttons: Telegram's apps can only send those. ``forged=True`` skips
        that check, to play a modified client sending made-up ``callback_data``.
        """
        update = self._stamp(update, forged=forged)
        if update["update_id"] >= self._confirmed_offset:
            self._pending.append(update)
            self._pending.sort(key=lambda queued: queued["update_id"])
        self._changes.notify()
        return copy.deepcopy(update)

    def replay(self, update: JSON) -> JSON:
        """Deliver an already-pushed update again with the same update_id, ignoring the offset.

        Simulates a crash between handling an update and confirming its offset (Telegram then
        delivers it again), to test that the bot handles redelivery idempotently. It goes out in
        the next getUpdates answer, once.
        """
        if "update_id" not in update:
            raise ValueError("replay() needs an update with an update_id: pass what push_update returned")
        update = copy.deepcopy(update)
        self._register(update, forged=True)  # it was checked when first pushed
        self._replays.append(update)
        self._changes.notify()
        return copy.deepcopy(update)

    async def post_webhook(
        self,
        update: JSON,
        *,
        secret_token: str | Literal[_Registered.SECRET] | None = REGISTERED_SECRET,
        url: str | None = None,
        forged: bool = False,
    ) -> int:
        """POST an update to the bot's webhook the way Telegram does; returns the HTTP status.

        ``url`` defaults to the URL from setWebhook, ``secret_token`` to the registered secret;
        pass ``None`` to omit the ``X-Telegram-Bot-Api-Secret-Token`` header or a string to
        send a wrong one. allowed_updates is not applied: the test decides what to post.
        ``forged`` as for :meth:`push_update`.
        """
        if url is None:
            if self.webhook is None:
                raise AssertionError("the bot has not called setWebhook; pass url= explicitly")
            url = self.webhook.url
        if secret_token is REGISTERED_SECRET:
            secret_token = self.webhook.secret_token if self.webhook else None
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        body = json.dumps(self._stamp(update, forged=forged)).encode()
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body, headers=headers) as response,
        ):
            return response.status

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        *,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a Bot API error instead of serving them.

        ``retry_after`` adds ``parameters.retry_after`` (PTB raises RetryAfter for it). Telegram
        sends whole seconds; a fraction such as 0.05 keeps retry tests fast and PTB accepts it.
        """
        if description is None and error_code == HTTPStatus.TOO_MANY_REQUESTS:
            description = f"Too Many Requests: retry after {retry_after}"
        elif description is None:
            status = HTTPStatus(error_code)
            description = _DEFAULT_DESCRIPTIONS.get(status, status.phrase)
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        for _ in range(times):
            self._failures[method.lower()].append(_ApiError(error_code, description, parameters))

    def add_chat(self, chat: JSON) -> None:
        """Make a chat known without an update, for bots that message chats proactively."""
        self._chats[chat["id"]] = copy.deepcopy(chat)

    def migrate_group(self, group: JSON, *, by: JSON) -> JSON:
        """Upgrade a basic ``group`` to a supergroup, as its admin ``by`` does in the app.

        Like Telegram, pushes the two service messages (``migrate_to_chat_id`` in the old group,
        ``migrate_from_chat_id`` in the new one) and from now on refuses every call about the old
        id with ``parameters.migrate_to_chat_id``. Returns the supergroup.
        """
        supergroup = supergroup_of(group)
        self._chats[supergroup["id"]] = copy.deepcopy(supergroup)
        for update in migration_updates(group, supergroup, by=by):
            self.push_update(update)
        self._migrated[group["id"]] = supergroup["id"]
        return supergroup

    # ---------------------------------------------------------------- inspecting what happened

    def calls(self, method: str | None = None) -> list[Call]:
        """Every call so far (in arrival order), or only those of ``method`` as PTB spells it."""
        return [call for call in self._calls if method is None or call.method == method]

    async def wait_for_call(
        self, method: str, predicate: Callable[[Call], bool] | None = None, *, timeout: float = 2.0
    ) -> Call:
        """The first answered call of ``method`` matching ``predicate``, past or future.

        Returns once the fake has answered it, so the state helpers already reflect the call.
        Matches from the start of the test: pick a later call with a predicate or wait_for_calls.
        """
        return (await self.wait_for_calls(method, 1, predicate, timeout=timeout))[0]

    async def wait_for_calls(
        self,
        method: str,
        count: int,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 2.0,
    ) -> list[Call]:
        """The first ``count`` answered calls of ``method`` matching ``predicate``."""

        def matching() -> list[Call]:
            return [
                call
                for call in self._calls
                if call.method == method
                and call.response is not None
                and (predicate is None or predicate(call))
            ]

        try:
            await self._changes.wait_until(lambda: len(matching()) >= count, timeout)
        except TimeoutError:
            seen = [call.method for call in self._calls]
            raise AssertionError(
                f"expected {count} answered {method} call(s) matching the predicate within "
                f"{timeout}s, got {len(matching())}; calls so far: {seen}"
            ) from None
        return matching()[:count]

    def delivered_update_ids(self) -> list[int]:
        """update_ids in the order getUpdates answers carried them (replays appear again)."""
        return [update["update_id"] for call in self.calls("getUpdates") if call.ok for update in call.result]

    def sent_messages(self, chat_id: int) -> list[JSON]:
        """The bot's messages in a chat, in sending order, as they are now (edits applied)."""
        bot_id = self.bot_user["id"]
        return [
            copy.deepcopy(message)
            for message in self._messages[chat_id].values()
            if message.get("from", {}).get("id") == bot_id
        ]

    def last_sent(self, chat_id: int) -> JSON:
        """The bot's latest message in a chat, as it is now."""
        sent = self.sent_messages(chat_id)
        if not sent:
            raise AssertionError(f"the bot has no message in chat {chat_id}")
        return sent[-1]

    def message(self, chat_id: int, message_id: int) -> JSON:
        """Any message the fake knows (sent by the bot or carried by an update), as it is now."""
        try:
            return copy.deepcopy(self._messages[chat_id][message_id])
        except KeyError:
            raise AssertionError(f"no message {message_id} in chat {chat_id}") from None

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await _read_params(request))
        self._calls.append(call)
        if request.match_info["token"] != self.token:
            status, envelope = 401, _ApiError(401, "Unauthorized").envelope
        else:
            status, envelope = await self._answer(method, call.params)
        call.response = envelope
        self._changes.notify()
        return _json_response(envelope, status)

    async def _answer(self, method: str, params: JSON) -> tuple[int, JSON]:
        failures = self._failures.get(method.lower())
        try:
            if failures:
                raise failures.popleft()
            handler = self._methods.get(method.lower())
            if handler is None:
                raise _ApiError(404, f"Not Found: method {method}")
            result = await handler(params)
        except _ApiError as error:
            return error.code, error.envelope
        return 200, {"ok": True, "result": result}

    # ---------------------------------------------------------------- updates

    def _stamp(self, update: JSON, *, forged: bool = False) -> JSON:
        """A copy with an update_id (the next one unless given), registered as seen."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._last_update_id + 1
        self._last_update_id = max(self._last_update_id, update["update_id"])
        self._register(update, forged=forged)
        return update

    def _register(self, update: JSON, *, forged: bool) -> None:
        """Remember the chats, messages and query ids an update shows, so later calls about
        them are answered like Telegram would (and calls about unknown ones fail)."""
        for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if kind in update:
                self._remember_message(update[kind], overwrite=True)
        if "callback_query" in update:
            query = update["callback_query"]
            self._open_query(query["id"])
            if "message" in query and query["message"].get("date") != 0:  # date 0: no longer shown to the bot
                self._remember_message(query["message"], overwrite=False)
                chat_id, message_id = query["message"]["chat"]["id"], query["message"]["message_id"]
                query["message"] = copy.deepcopy(self._messages[chat_id][message_id])  # as it is now
                if not forged:
                    _check_pressed(query)
        if "inline_query" in update:
            self._open_query(update["inline_query"]["id"])
        if "message_reaction" in update:
            chat = update["message_reaction"]["chat"]
            self._chats.setdefault(chat["id"], copy.deepcopy(chat))

    def _remember_message(self, message: JSON, *, overwrite: bool) -> None:
        chat = message["chat"]
        self._chats.setdefault(chat["id"], copy.deepcopy(chat))
        if overwrite or message["message_id"] not in self._messages[chat["id"]]:
            self._messages[chat["id"]][message["message_id"]] = copy.deepcopy(message)

    def _confirm(self, offset: int) -> None:
        """Apply getUpdates' offset: confirmed updates are forgotten for good."""
        self._confirmed_offset = max(self._confirmed_offset, offset)
        self._pending = [u for u in self._pending if u["update_id"] >= self._confirmed_offset]

    def _deliverable(self, limit: int) -> list[JSON]:
        """What the next getUpdates answer carries: replays first, then wanted pending updates."""
        wanted = [update for update in self._pending if self._is_wanted(_update_type(update))]
        return (self._replays + wanted)[:limit]

    def _is_wanted(self, update_type: str) -> bool:
        if self._allowed_updates is None:
            return update_type not in _OPT_IN_UPDATE_TYPES
        return update_type in self._allowed_updates

    def _set_allowed_updates(self, params: JSON) -> None:
        """Telegram keeps the last allowed_updates it was given; [] restores the default."""
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if "offset" in params:
            self._confirm(int(params["offset"]))
        self._set_allowed_updates(params)
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)
        if timeout:
            with contextlib.suppress(TimeoutError):
                await self._changes.wait_until(
                    lambda: self._stopping or bool(self._deliverable(limit)), timeout
                )
        batch = self._deliverable(limit)
        replayed = {id(update) for update in batch}
        self._replays = [update for update in self._replays if id(update) not in replayed]
        return copy.deepcopy(batch)

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(_required(params, "url"))
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._set_allowed_updates(params)
        self.webhook = (
            Webhook(url, params.get("secret_token"), params.get("allowed_updates")) if url else None
        )
        return True

    # ---------------------------------------------------------------- other methods

    async def _get_me(self, params: JSON) -> JSON:
        return copy.deepcopy(self.bot_user)

    async def _set_my_commands(self, params: JSON) -> bool:
        self._commands[_commands_key(params)] = list(_required(params, "commands"))
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self._commands.get(_commands_key(params), []))

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        message: JSON = {
            "message_id": new_message_id(),
            "from": copy.deepcopy(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            **_message_text(params),
        }
        markup = _inline_keyboard(params)
        reply = params.get("reply_parameters")
        thread_id = params.get("message_thread_id")
        if reply:
            replied = self._messages[chat["id"]].get(reply["message_id"])
            if replied is not None:
                message["reply_to_message"] = copy.deepcopy(replied)
                if thread_id is None and replied.get("is_topic_message"):
                    thread_id = replied["message_thread_id"]  # a reply stays in its topic
            elif not reply.get("allow_sending_without_reply"):
                raise _ApiError(400, "Bad Request: message to be replied not found")
        if thread_id is not None:
            if not chat.get("is_forum"):
                raise _ApiError(400, "Bad Request: message thread not found")
            message |= {"message_thread_id": thread_id, "is_topic_message": True}
        if markup is not None:
            message["reply_markup"] = markup
        self._count_group_send(chat)
        self._messages[chat["id"]][message["message_id"]] = message
        return copy.deepcopy(message)

    def _count_group_send(self, chat: JSON) -> None:
        """Telegram's flood control for groups: ``group_send_limit`` messages per window."""
        if chat.get("type") not in _GROUP_TYPES:
            return
        count, window = self.group_send_limit
        now, sent = time.monotonic(), self._group_sends[chat["id"]]
        while sent and now - sent[0] >= window:
            sent.popleft()
        if len(sent) >= count:
            wait = window - (now - sent[0])
            # Telegram answers whole seconds; sub-second waits stay fractions so fast tests stay fast.
            retry_after: float = math.ceil(wait) if window >= 1 else math.ceil(wait * 100) / 100
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        sent.append(now)

    async def _edit_message_text(self, params: JSON) -> JSON:
        # Telegram drops the inline keyboard when an edit does not repeat it.
        return self._edit(params, text=_message_text(params), markup=_inline_keyboard(params))

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        return self._edit(params, text=None, markup=_inline_keyboard(params))

    def _edit(self, params: JSON, *, text: JSON | None, markup: JSON | None) -> JSON:
        message = self._bot_message(params, "Bad Request: message to edit not found")
        edited = dict(message)
        if text is not None:
            edited.pop("entities", None)
            edited |= text
        edited.pop("reply_markup", None)
        if markup is not None:
            edited["reply_markup"] = markup
        if edited == message:
            raise _ApiError(400, _NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        self._messages[message["chat"]["id"]][message["message_id"]] = edited
        return copy.deepcopy(edited)

    async def _delete_message(self, params: JSON) -> bool:
        chat = self._chat(params)
        if self._messages[chat["id"]].pop(int(_required(params, "message_id")), None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    def _open_query(self, query_id: str) -> None:
        """A query becomes answerable when it is first delivered (a replay does not renew it)."""
        self._open_queries.setdefault(query_id, time.monotonic() + self.callback_query_lifetime)

    async def _answer_query(self, params: JSON) -> bool:
        """A callback or inline query is answered once, in time; inline results must parse too."""
        query_id = params.get("callback_query_id", params.get("inline_query_id"))
        expires = self._open_queries.get(query_id, 0.0)
        if time.monotonic() >= expires:
            raise _ApiError(400, _QUERY_TOO_OLD)
        for result in params.get("results") or []:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                _message_text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
        self._open_queries[query_id] = 0.0  # answered: a second answer is refused
        return True

    async def _chat_only(self, params: JSON) -> bool:
        """Methods whose only checkable precondition here is a chat the bot can see."""
        self._chat(params)
        return True

    def _chat(self, params: JSON) -> JSON:
        chat_id = _required(params, "chat_id")
        if chat_id in self._migrated:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _bot_message(self, params: JSON, missing: str) -> JSON:
        chat = self._chat(params)
        message = self._messages[chat["id"]].get(int(_required(params, "message_id")))
        if message is None:
            raise _ApiError(400, missing)
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message


# -------------------------------------------------------------------- request/response helpers


async def _read_params(request: web.Request) -> JSON:
    """Decode a PTB request body (form-encoded, or multipart when it uploads files)."""
    return {key: _decode_value(key, value) for key, value in (await request.post()).items()}


def _decode_value(key: str, value: Any) -> Any:
    """Undo PTB's encoding: non-string parameters arrive as JSON text (multipart files as-is)."""
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channelname"


def _json_response(envelope: JSON, status: int) -> web.Response:
    return web.Response(body=json.dumps(envelope).encode(), status=status, content_type="application/json")


def _required(params: JSON, name: str) -> Any:
    if name not in params:
        raise _ApiError(400, f"Bad Request: parameter {name} is required")
    return params[name]


def _message_text(params: JSON) -> JSON:
    """``text`` (and ``entities``) of the message ``params`` make, parsed as Telegram parses them."""
    source = str(params.get("text", ""))
    mode = params.get("parse_mode")
    if mode in (None, ""):
        text, entities = source, []
    elif str(mode).upper() == "HTML":
        try:
            text, entities = parse_html(source)
        except HtmlError as error:
            raise _ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    else:
        raise _ApiError(400, f"Bad Request: the fake Bot API does not parse parse_mode {mode!r}")
    if not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if utf16_length(text) > _MAX_TEXT_LENGTH:
        raise _ApiError(400, "Bad Request: message is too long")
    return {"text": text, "entities": entities} if entities else {"text": text}


def _inline_keyboard(params: JSON) -> JSON | None:
    """The inline keyboard a message gets from ``reply_markup`` (others are not shown on it), checked."""
    markup = params.get("reply_markup")
    if not isinstance(markup, dict) or not markup.get("inline_keyboard"):
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= _MAX_CALLBACK_DATA:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _check_pressed(query: JSON) -> None:
    """A press from Telegram's apps carries the data of a button the message shows."""
    keyboard = query["message"].get("reply_markup", {}).get("inline_keyboard", [])
    offered = {button.get("callback_data") for row in keyboard for button in row}
    if query.get("data") not in offered:
        raise ValueError(
            f"message {query['message']['message_id']} has no button with callback_data "
            f"{query.get('data')!r} (it has {sorted(d for d in offered if d)}): Telegram would not deliver "
            "this press; push_update(..., forged=True) plays a modified client"
        )


def _commands_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))


def _update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")
