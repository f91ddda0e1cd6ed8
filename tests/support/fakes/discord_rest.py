"""The fake Discord REST API: the routes discord.py 2.7 uses for a slash-command bot, plus error injection.

Every request is recorded (after it was answered) for tests to inspect or wait for. Errors look like
Discord's: a JSON ``{"code", "message"}`` with Discord's own error codes, so the adapter's error handling
meets realistic input. A path without a route answers 404 naming the path, which makes a missing endpoint
obvious. What Discord refuses, the fake refuses:

- an interaction's first response more than 3 s after its creation (the time in its id), or a response
  to an interaction nobody created: 10062 "Unknown interaction"; a second response: 40060 "Interaction
  has already been acknowledged."; follow-ups and edits through its token after 15 minutes: 50027
  "Invalid Webhook Token";
- bodies over Discord's limits: 50035 "Invalid Form Body" with the errors tree
  (:mod:`~tests.support.fakes.discord_limits`); an empty message: 50006;
- a "thinking" defer's visibility sticks: the first follow-up replaces the placeholder and keeps its
  flags, whatever ephemeral flag it asks for;
- every answer carries rate-limit headers for its bucket (route and channel, webhook or interaction);
  a request beyond the bucket's limit gets 429 with ``retry_after`` (``FakeRestApi.limits``).

Paths in recorded requests and patterns are below ``/api/v10`` and URL-decoded (a reaction path reads
``/channels/1/messages/2/reactions/👍/@me``). A pattern is a path where ``{name}`` matches one segment.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from tests.support.fakes import discord_payloads as payloads
from tests.support.fakes.discord_limits import FormErrors, choices_errors, message_errors
from tests.support.fakes.discord_world import DiscordWorld, InteractionState
from tests.support.fakes.recorder import Recorder

API_PREFIX = "/api/v10"
EPHEMERAL, LOADING = 1 << 6, 1 << 7
RESPONSE_DEADLINE = 3.0  # seconds from an interaction's creation to its first response
TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token takes follow-ups and edits
#: Requests per window in every bucket unless ``FakeRestApi.limits`` says otherwise: generous, so tests
#: stay fast; a test of rate limits sets Discord's real figures for the route it exercises.
DEFAULT_LIMIT = (50, 1.0)

# Interaction callback types each interaction type accepts (Discord answers anything else with 400).
_CALLBACKS_ALLOWED = {
    payloads.APPLICATION_COMMAND: {4, 5, 9},
    payloads.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    payloads.APPLICATION_COMMAND_AUTOCOMPLETE: {8},
}
_CALLBACKS_ON_COMPONENT_MESSAGE = {6, 7}
# Message fields an edit may change, with the value an explicit null leaves behind.
_EDITABLE: dict[str, Any] = {"content": "", "embeds": [], "components": []}


@dataclass(frozen=True)
class RecordedFile:
    """A file uploaded in a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class RecordedRequest:
    """One REST request the client made and what the fake answered (recorded after answering).

    ``json`` is the JSON body, or the ``payload_json`` part of a multipart upload (files then in
    ``files``); None when there is no body. ``response`` is the decoded JSON the fake sent back.
    """

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: tuple[RecordedFile, ...]
    status: int
    response: Any


@dataclass
class InjectedFailure:
    """An answer to give instead of handling the next ``remaining`` requests ``method pattern``."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int

    def claim(self, method: str, path: str) -> bool:
        """True (and one use fewer left) when this failure answers ``method path``."""
        if self.remaining and self.method == method and self.pattern.fullmatch(path):
            self.remaining -= 1
            return True
        return False


@dataclass(frozen=True)
class _Incoming:
    query: Mapping[str, str]
    json: Any
    files: tuple[RecordedFile, ...]
    gateway_url: str  # on the host the request came to


class DiscordError(Exception):
    """Raised by a route to answer with a Discord-style JSON error ``{"code", "message"[, "errors"]}``."""

    def __init__(self, status: int, code: int, message: str, errors: FormErrors | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


class _Buckets:
    """Discord's per-route rate limits: a window of requests per (route, major parameter).

    ``limits`` maps a route (``"PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"``)
    to (requests, seconds); others get ``DEFAULT_LIMIT``.
    """

    def __init__(self) -> None:
        self.limits: dict[str, tuple[int, float]] = {}
        self._windows: dict[tuple[str, str], deque[float]] = {}

    def take(self, route: str, major: str) -> tuple[dict[str, str], float | None]:
        """Count a request; its rate-limit headers, and the wait when it is one too many (else None)."""
        limit, per = self.limits.get(route, DEFAULT_LIMIT)
        now = time.monotonic()
        window = self._windows.setdefault((route, major), deque())
        while window and now - window[0] >= per:
            window.popleft()
        refused = len(window) >= limit
        if not refused:
            window.append(now)
        reset_after = per - (now - window[0]) if window else per
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(limit - len(window)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
        }
        return headers, reset_after if refused else None


_Answer = tuple[int, Any]
_Handler = Callable[[dict[str, str], _Incoming], Awaitable[_Answer]]


@functools.lru_cache(maxsize=256)
def compile_path(pattern: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` -> a regex matching one path segment per ``{name}``."""
    parts = re.split(r"\{(\w+)\}", pattern)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(regex)


def _json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py compares the header verbatim and treats anything else
    # (such as aiohttp's "application/json; charset=utf-8") as plain text.
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(body, ensure_ascii=False).encode(), headers=all_headers)


class FakeRestApi:
    """Serves the REST API of ``world``, records each request in ``recorded`` and honours ``failures``.

    Both are owned by the caller (``FakeDiscord``), which is what tests talk to.
    """

    def __init__(
        self, world: DiscordWorld, *, recorded: Recorder[RecordedRequest], failures: Sequence[InjectedFailure]
    ) -> None:
        self._world = world
        self._recorded = recorded
        self._failures = failures
        self._routes: list[tuple[str, str, re.Pattern[str], bool, _Handler]] = []
        self._buckets = _Buckets()
        self._add_routes()

    @property
    def limits(self) -> dict[str, tuple[int, float]]:
        """(requests, seconds) per route, ``"METHOD /path/{param}"`` as the routes are declared."""
        return self._buckets.limits

    # -- REST serving --------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler for every path but the gateway's."""
        incoming = await _read_incoming(request)
        method, path = request.method, request.path
        if path.startswith(API_PREFIX + "/"):
            path = path.removeprefix(API_PREFIX)
            status, answer, headers = await self._answer(request, method, path, incoming)
        else:
            status, answer, headers = 404, {"code": 0, "message": f"fake Discord serves only {API_PREFIX}/"}, {}
        self._recorded.append(
            RecordedRequest(method, path, incoming.query, incoming.json, incoming.files, status, answer)
        )
        if answer is None:
            return web.Response(status=status)
        return _json_response(status, answer, headers)

    async def _answer(
        self, request: web.Request, method: str, path: str, incoming: _Incoming
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Status, JSON answer (None: no content) and extra headers for ``method path`` below the prefix."""
        failure = next((failure for failure in self._failures if failure.claim(method, path)), None)
        if failure is not None:
            return failure.status, failure.body, failure.headers
        for route_method, route_path, pattern, needs_auth, handler in self._routes:
            found = pattern.fullmatch(path)
            if route_method != method or found is None:
                continue
            if needs_auth and request.headers.get("Authorization") != f"Bot {self._world.token}":
                return 401, {"code": 0, "message": "401: Unauthorized"}, {}
            params = found.groupdict()
            headers, wait = self._buckets.take(f"{method} {route_path}", _major_parameter(params))
            if wait is not None:
                limited = {"message": "You are being rate limited.", "retry_after": round(wait, 3), "global": False}
                return 429, limited, headers | {"Retry-After": f"{wait:.3f}", "Via": "1.1 google"}
            try:
                status, answer = await handler(params, incoming)
            except DiscordError as error:
                return error.status, error.body, headers
            return status, answer, headers
        return 404, {"code": 0, "message": f"fake Discord has no route for {method} {path}"}, {}

    def _route(self, method: str, path: str, handler: _Handler, *, auth: bool = True) -> None:
        self._routes.append((method, path, compile_path(path), auth, handler))

    def _add_routes(self) -> None:
        route = self._route
        route("GET", "/users/@me", self._get_bot_user)
        route("POST", "/users/@me/channels", self._open_dm)
        route("GET", "/users/{user_id}", self._get_user)
        route("GET", "/oauth2/applications/@me", self._get_application)
        route("GET", "/gateway", self._get_gateway)
        route("GET", "/gateway/bot", self._get_gateway_bot)
        route("PUT", "/applications/{application_id}/commands", self._put_global_commands)
        route("GET", "/applications/{application_id}/commands", self._get_global_commands)
        route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_guild_commands)
        route("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback, auth=False)
        route("POST", "/webhooks/{application_id}/{token}", self._create_followup, auth=False)
        webhook_message = "/webhooks/{application_id}/{token}/messages/{message_id}"  # message_id may be @original
        route("GET", webhook_message, self._get_webhook_message, auth=False)
        route("PATCH", webhook_message, self._edit_webhook_message, auth=False)
        route("DELETE", webhook_message, self._delete_webhook_message, auth=False)
        route("GET", "/channels/{channel_id}", self._get_channel)
        route("POST", "/channels/{channel_id}/messages", self._create_channel_message)
        route("GET", "/channels/{channel_id}/messages/{message_id}", self._get_channel_message)
        route("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_channel_message)
        route("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_channel_message)
        route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._add_own_reaction)
        route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._remove_own_reaction)

    # -- users, application, gateway discovery -------------------------------------------------------

    async def _get_bot_user(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._world.bot_user

    async def _get_user(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._known_user(params["user_id"])

    def _known_user(self, user_id: str) -> dict[str, Any]:
        if user_id == self._world.bot_user["id"]:
            return self._world.bot_user
        try:
            return self._world.users[int(user_id)]
        except (KeyError, ValueError):
            raise DiscordError(404, 10013, "Unknown User") from None

    async def _open_dm(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._world.dm_channel(self._known_user(str(incoming.json["recipient_id"])))

    async def _get_application(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        application = {
            "id": str(self._world.application_id),
            "name": self._world.bot_user["username"],
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self._world.user,
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "bot": self._world.bot_user,
        }
        return 200, application

    async def _get_gateway(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, {"url": incoming.gateway_url}

    async def _get_gateway_bot(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": incoming.gateway_url, "shards": self._world.shard_count, "session_start_limit": limits}

    # -- application commands ------------------------------------------------------------------------

    def _check_application(self, params: dict[str, str]) -> None:
        if params["application_id"] != str(self._world.application_id):
            raise DiscordError(404, 10002, "Unknown Application")

    def _registered(self, commands: Sequence[Mapping[str, Any]], guild_id: str | None) -> list[dict[str, Any]]:
        """Echo a bulk overwrite as Discord does: each command with an id, application_id and version."""
        registered = []
        for command in commands:
            echoed = {"type": 1, "options": [], "default_member_permissions": None, "nsfw": False, **command}
            echoed |= {"id": str(self._world.next_id()), "application_id": str(self._world.application_id)}
            echoed["version"] = echoed["id"]
            if guild_id is not None:
                echoed["guild_id"] = guild_id
            registered.append(echoed)
        return registered

    async def _put_global_commands(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        self._check_application(params)
        self._world.global_commands = self._registered(incoming.json, None)
        return 200, self._world.global_commands

    async def _get_global_commands(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        self._check_application(params)
        return 200, self._world.global_commands

    async def _put_guild_commands(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        self._check_application(params)
        if int(params["guild_id"]) not in self._world.guilds:
            raise DiscordError(404, 10004, "Unknown Guild")
        self._world.guild_commands[int(params["guild_id"])] = self._registered(incoming.json, params["guild_id"])
        return 200, self._world.guild_commands[int(params["guild_id"])]

    # -- interactions and their webhooks -------------------------------------------------------------

    def _interaction_by_token(self, params: dict[str, str]) -> InteractionState:
        found = next((i for i in self._world.interactions.values() if i.payload["token"] == params["token"]), None)
        if params["application_id"] != str(self._world.application_id) or found is None or not found.acknowledged:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if found.age > TOKEN_LIFETIME:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return found

    async def _interaction_callback(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        interaction = self._world.interactions.get(int(params["interaction_id"]))
        if interaction is None or interaction.payload["token"] != params["token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        if interaction.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if interaction.age > RESPONSE_DEADLINE:
            raise DiscordError(404, 10062, "Unknown interaction")
        body = incoming.json or {}
        callback_type, data = body.get("type"), body.get("data") or {}
        if callback_type not in _CALLBACKS_ALLOWED[interaction.payload["type"]]:
            raise DiscordError(400, 50035, f"Invalid Form Body: callback type {callback_type} not allowed here")
        message: dict[str, Any] | None = None
        if callback_type == 4:
            message = self._new_interaction_message(interaction, data, incoming.files, where="data")
        elif callback_type == 5:
            loading = {"flags": data.get("flags", 0) | LOADING}
            message = self._new_interaction_message(interaction, loading, incoming.files)
        elif callback_type == 8:
            _raise_form_errors(choices_errors(data))
        elif callback_type in _CALLBACKS_ON_COMPONENT_MESSAGE:
            message = self._stored(interaction.payload["message"])
            if callback_type == 7:
                self._edit(message, data, incoming.files, where="data")
        interaction.acknowledged = True
        summary: dict[str, Any] = {"id": interaction.payload["id"], "type": interaction.payload["type"]}
        answer: dict[str, Any] = {"interaction": summary}
        if message is not None:
            interaction.original_id = int(message["id"])
            summary |= {
                "response_message_id": message["id"],
                "response_message_loading": callback_type == 5,
                "response_message_ephemeral": bool(message["flags"] & EPHEMERAL),
            }
            answer["resource"] = {"type": callback_type, "message": message}
        return 200, answer

    def _new_interaction_message(
        self,
        interaction: InteractionState,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
        *,
        where: str = "",
    ) -> dict[str, Any]:
        """A response or follow-up: sent through the application's webhook, in the interaction's channel."""
        channel = self._world.channels[int(interaction.payload["channel_id"])]
        message = self._new_message(channel, body, files, where=where)
        invoker = interaction.payload.get("member", {}).get("user") or interaction.payload["user"]
        message["webhook_id"] = str(self._world.application_id)
        message["interaction_metadata"] = {
            "id": interaction.payload["id"],
            "type": interaction.payload["type"],
            "user": invoker,
            "authorizing_integration_owners": interaction.payload["authorizing_integration_owners"],
        }
        return message

    def _stored(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """The fake's copy of ``message`` (a component's message may come from a test, not from the fake)."""
        return self._world.messages.setdefault(int(message["id"]), dict(message))

    async def _create_followup(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        """A follow-up; the first one after a "thinking" defer replaces the loading message, as Discord does."""
        interaction = self._interaction_by_token(params)
        original = self._world.messages.get(interaction.original_id or 0)
        body = incoming.json or {}
        if original is not None and original["flags"] & LOADING:
            _check_message(body, incoming.files)
            self._edit(original, body, incoming.files, stamp=False)  # its flags (visibility) stay
            original["flags"] &= ~LOADING
            return 200, original
        return 200, self._new_interaction_message(interaction, body, incoming.files)

    def _webhook_message(self, params: dict[str, str]) -> dict[str, Any]:
        interaction = self._interaction_by_token(params)
        message_id = interaction.original_id if params["message_id"] == "@original" else int(params["message_id"])
        message = self._world.messages.get(message_id or 0)
        if message is None or message.get("webhook_id") != str(self._world.application_id):
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_webhook_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._webhook_message(params)

    async def _edit_webhook_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        message = self._webhook_message(params)
        loading = message["flags"] & LOADING
        self._edit(message, incoming.json or {}, incoming.files, stamp=not loading)
        message["flags"] &= ~LOADING
        return 200, message

    async def _delete_webhook_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        del self._world.messages[int(self._webhook_message(params)["id"])]
        return 204, None

    # -- channels and messages -----------------------------------------------------------------------

    def _channel(self, params: dict[str, str]) -> dict[str, Any]:
        try:
            return self._world.channels[int(params["channel_id"])]
        except (KeyError, ValueError):
            raise DiscordError(404, 10003, "Unknown Channel") from None

    def _channel_message(self, params: dict[str, str]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._world.messages.get(int(params["message_id"]))
        if message is None or message["channel_id"] != channel["id"]:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_channel(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._channel(params)

    async def _create_channel_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._new_message(self._channel(params), incoming.json or {}, incoming.files)

    async def _get_channel_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        return 200, self._channel_message(params)

    async def _edit_channel_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        message = self._channel_message(params)
        if message["author"]["id"] != self._world.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        self._edit(message, incoming.json or {}, incoming.files)
        return 200, message

    async def _delete_channel_message(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        del self._world.messages[int(self._channel_message(params)["id"])]
        return 204, None

    async def _add_own_reaction(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        message = self._channel_message(params)
        emoji = payloads.partial_emoji(params["emoji"])
        reaction = next((r for r in message["reactions"] if r["emoji"] == emoji), None)
        if reaction is None:
            message["reactions"].append({"emoji": emoji, "count": 1, "me": True, "burst_colors": []})
        elif not reaction["me"]:
            reaction |= {"me": True, "count": reaction["count"] + 1}
        return 204, None

    async def _remove_own_reaction(self, params: dict[str, str], incoming: _Incoming) -> _Answer:
        message = self._channel_message(params)
        emoji = payloads.partial_emoji(params["emoji"])
        reaction = next((r for r in message["reactions"] if r["emoji"] == emoji and r["me"]), None)
        if reaction is not None:
            reaction |= {"me": False, "count": reaction["count"] - 1}
            message["reactions"] = [r for r in message["reactions"] if r["count"] > 0]
        return 204, None

    def _new_message(
        self, channel: Mapping[str, Any], body: Mapping[str, Any], files: Sequence[RecordedFile], *, where: str = ""
    ) -> dict[str, Any]:
        """Validate ``body`` like Discord (a "thinking" placeholder may be empty), then store the new message.

        ``where``: the body's place in the request, for the errors (``"data"`` in an interaction response).
        """
        flags = body.get("flags", 0)
        if not flags & LOADING:
            _check_message(body, files, where=where)
        fields = {key: body[key] for key in ("embeds", "components", "tts", "message_reference") if key in body}
        content = body.get("content") or ""
        message = payloads.message(self._world.next_id(), channel, self._world.bot_user, content, flags=flags, **fields)
        message["attachments"] = self._attachments(files)
        self._world.messages[int(message["id"])] = message
        return message

    def _edit(
        self,
        message: dict[str, Any],
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
        *,
        stamp: bool = True,
        where: str = "",
    ) -> None:
        """Apply an edit: only the fields present change; ``stamp`` sets ``edited_timestamp``."""
        _raise_form_errors(message_errors(body, prefix=where))
        for key, cleared in _EDITABLE.items():
            if key in body:
                message[key] = cleared if body[key] is None else body[key]
        if files:
            message["attachments"] = message["attachments"] + self._attachments(files)
        if stamp:
            message["edited_timestamp"] = payloads.later(message["timestamp"], 1)

    def _attachments(self, files: Sequence[RecordedFile]) -> list[dict[str, Any]]:
        attachments = []
        for file in files:
            attachment_id = self._world.next_id()
            url = f"https://cdn.discordapp.com/attachments/{attachment_id}/{file.filename}"
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": file.filename,
                    "size": len(file.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": file.content_type,
                }
            )
        return attachments


def _raise_form_errors(errors: FormErrors) -> None:
    if errors:
        raise DiscordError(400, 50035, "Invalid Form Body", errors)


def _check_message(body: Mapping[str, Any], files: Sequence[RecordedFile], *, where: str = "") -> None:
    """Discord's checks on a new message: within the limits, and not empty."""
    _raise_form_errors(message_errors(body, prefix=where))
    if not (body.get("content") or body.get("embeds") or body.get("components") or files or body.get("sticker_ids")):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _major_parameter(params: Mapping[str, str]) -> str:
    """What Discord keys a route's bucket on besides the route: channel, guild, webhook or interaction."""
    for name in ("channel_id", "guild_id", "interaction_id"):
        if name in params:
            return params[name]
    return params.get("token", "")


async def _read_incoming(request: web.Request) -> _Incoming:
    """The query, JSON body and uploaded files of a request (multipart bodies carry ``payload_json``)."""
    body: Any = None
    files: list[RecordedFile] = []
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                data = bytes(await part.read())
                files.append(RecordedFile(part.name or "", part.filename, part.headers.get("Content-Type"), data))
    elif request.can_read_body:
        text = await request.text()
        body = json.loads(text) if text else None
    return _Incoming(dict(request.query), body, tuple(files), f"ws://{request.host}/gateway")
