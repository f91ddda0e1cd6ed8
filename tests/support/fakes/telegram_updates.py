"""Factories for the updates Telegram sends, to push into the fake Bot API.

Each returns an update body without ``update_id``: ``FakeTelegram.push_update`` (or
``post_webhook``) numbers it when it "happens", as Telegram does. Ids of users, groups, messages
and queries are fresh per call, so tests never collide; the defaults are a private chat with
:data:`DEFAULT_USER`. Shapes follow the Bot API with the fields PTB requires.
"""

from __future__ import annotations

import copy
import itertools
import re
import time
from collections.abc import Iterable
from typing import Any

JSON = dict[str, Any]

_message_ids = itertools.count(1)
_user_ids = itertools.count(10_001)
_group_ids = itertools.count(1)
_query_ids = itertools.count(1)
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?")


def new_message_id() -> int:
    """A message id no other message has; the fake numbers the bot's messages with it too."""
    return next(_message_ids)


def make_user(first_name: str = "Alice", *, username: str | None = None, user_id: int | None = None) -> JSON:
    """A Telegram User (a person, not a bot) with a fresh id unless given."""
    user: JSON = {
        "id": next(_user_ids) if user_id is None else user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": "en",
    }
    if username is not None:
        user["username"] = username
    return user


DEFAULT_USER = make_user("Alice", username="alice")


def private_chat(user: JSON | None = None) -> JSON:
    """The private chat with ``user`` (its id is the user's id, as on Telegram)."""
    user = user or DEFAULT_USER
    chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "username" in user:
        chat["username"] = user["username"]
    return chat


def group_chat(title: str = "K-pop fans", *, supergroup: bool = True) -> JSON:
    """A group chat; supergroups (the usual kind today) have -100... ids like on Telegram."""
    number = next(_group_ids)
    if supergroup:
        return {"id": -1_001_000_000_000 - number, "type": "supergroup", "title": title}
    return {"id": -number, "type": "group", "title": title}


def forum_chat(title: str = "K-pop forum") -> JSON:
    """A supergroup with topics: messages carry the ``message_thread_id`` of their topic."""
    return {**group_chat(title), "is_forum": True}


def supergroup_of(group: JSON) -> JSON:
    """The supergroup a basic group becomes when upgraded (same title, a new -100... id)."""
    return {"id": -1_000_000_000_000 + group["id"], "type": "supergroup", "title": group["title"]}


def _service_message(chat: JSON, by: JSON, **fields: Any) -> JSON:
    message = {"message_id": new_message_id(), "from": copy.deepcopy(by), "chat": copy.deepcopy(chat)}
    return {"message": {**message, "date": int(time.time()), **fields}}


def migration_updates(group: JSON, supergroup: JSON, *, by: JSON) -> list[JSON]:
    """The two service messages of an upgrade: "moved to" in the old group, "moved from" in the new."""
    return [
        _service_message(group, by, migrate_to_chat_id=supergroup["id"]),
        _service_message(supergroup, by, migrate_from_chat_id=group["id"]),
    ]


def text_update(
    text: str, *, user: JSON | None = None, chat: JSON | None = None, thread_id: int | None = None
) -> JSON:
    """A new message from ``user`` in ``chat`` (default: their private chat), in forum topic
    ``thread_id`` when given.

    A leading ``/command`` or ``/command@bot`` gets its bot_command entity, as Telegram's clients
    add it; PTB's CommandHandler ignores commands without one.
    """
    user = user or DEFAULT_USER
    message: JSON = {
        "message_id": new_message_id(),
        "from": copy.deepcopy(user),
        "chat": copy.deepcopy(chat or private_chat(user)),
        "date": int(time.time()),
        "text": text,
    }
    if thread_id is not None:
        message |= {"message_thread_id": thread_id, "is_topic_message": True}
    command = _COMMAND.match(text)
    if command:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_length(command.group())}]
    return {"message": message}


def command_update(
    command: str,
    args: str = "",
    *,
    bot_username: str | None = None,
    user: JSON | None = None,
    chat: JSON | None = None,
    thread_id: int | None = None,
) -> JSON:
    """``/command args`` (``/command@bot_username args`` when given) as a message update."""
    text = f"/{command}" + (f"@{bot_username}" if bot_username else "") + (f" {args}" if args else "")
    return text_update(text, user=user, chat=chat, thread_id=thread_id)


def callback_query_update(
    data: str, *, message: JSON, user: JSON | None = None, inaccessible: bool = False
) -> JSON:
    """A press on an inline button with ``data`` under ``message`` (e.g. ``fake.last_sent(chat_id)``).

    ``inaccessible``: Telegram no longer shows the message to the bot (deleted, or too old), and the
    press carries only its chat and id, with ``date`` 0 (PTB's ``InaccessibleMessage``).
    """
    shown = copy.deepcopy(message)
    if inaccessible:
        shown = {"chat": shown["chat"], "message_id": shown["message_id"], "date": 0}
    return {
        "callback_query": {
            "id": str(next(_query_ids)),
            "from": copy.deepcopy(user or DEFAULT_USER),
            "chat_instance": f"instance{message['chat']['id']}",
            "message": shown,
            "data": data,
        }
    }


def reaction_update(
    *,
    chat: JSON,
    message_id: int,
    user: JSON | None = None,
    old: Iterable[str] = (),
    new: Iterable[str] = ("👍",),
) -> JSON:
    """``user`` changed their emoji reactions on a message from ``old`` to ``new``.

    Telegram only delivers these when the bot asked for "message_reaction" in allowed_updates.
    """
    return {
        "message_reaction": {
            "chat": copy.deepcopy(chat),
            "message_id": message_id,
            "user": copy.deepcopy(user or DEFAULT_USER),
            "date": int(time.time()),
            "old_reaction": [{"type": "emoji", "emoji": emoji} for emoji in old],
            "new_reaction": [{"type": "emoji", "emoji": emoji} for emoji in new],
        }
    }


def inline_query_update(query: str, *, user: JSON | None = None, offset: str = "") -> JSON:
    """``@bot query`` typed in any chat (inline mode)."""
    return {
        "inline_query": {
            "id": str(next(_query_ids)),
            "from": copy.deepcopy(user or DEFAULT_USER),
            "query": query,
            "offset": offset,
        }
    }


def _utf16_length(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
