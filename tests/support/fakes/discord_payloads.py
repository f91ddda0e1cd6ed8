"""Builders for the JSON objects Discord sends: users, guilds, channels, messages, interactions, reactions.

Pure functions of explicit ids, shaped after what discord.py 2.7 actually reads (it raises KeyError on a
missing required key, which is how ``type`` on reactions and ``attachment_size_limit`` on interactions
became mandatory). ``FakeDiscord`` wraps them with its own ids and state; tests normally use those
wrappers and only reach for these to build an unusual payload by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
# A fixed start keeps ids (and so shard routing, ``(guild_id >> 22) % shards``) identical run to run.
_FIRST_ID_MS = 1_700_000_000_000 - DISCORD_EPOCH_MS

# The permission bits the fake grants everyone: view channel, send messages, embed links, attach files,
# read history, add reactions, use external emojis, use application commands.
DEFAULT_PERMISSIONS = str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 18) | (1 << 31))
ATTACHMENT_SIZE_LIMIT = 8 * 1024 * 1024

# Discord's channel, interaction and option type numbers used here.
GUILD_TEXT, DM = 0, 1
APPLICATION_COMMAND, MESSAGE_COMPONENT, APPLICATION_COMMAND_AUTOCOMPLETE = 2, 3, 4
BUTTON, STRING_SELECT = 2, 3
OPTION_STRING, OPTION_INTEGER, OPTION_BOOLEAN, OPTION_NUMBER = 3, 4, 5, 10
REACTION_NORMAL = 0


class Snowflakes:
    """Snowflake ids: deterministic ones (each call moves the embedded timestamp one millisecond on),
    and ones stamped with a real moment (``at``) for what Discord times, such as interactions."""

    def __init__(self) -> None:
        self._ms = _FIRST_ID_MS
        self._increment = 0

    def __call__(self) -> int:
        self._ms += 1
        return self._ms << 22

    def at(self, unix_seconds: float) -> int:
        """An id whose embedded time is ``unix_seconds`` (what discord.py reads as ``created_at``)."""
        self._increment = (self._increment + 1) % (1 << 12)  # the low bits keep ids of one ms apart
        return (int(unix_seconds * 1000) - DISCORD_EPOCH_MS) << 22 | self._increment


def created_at(snowflake: int) -> float:
    """The Unix time embedded in a snowflake."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def timestamp(snowflake: int) -> str:
    """The ISO 8601 time embedded in a snowflake, as Discord writes message timestamps."""
    return datetime.fromtimestamp(created_at(snowflake), tz=UTC).isoformat()


def later(iso: str, seconds: float) -> str:
    """An ISO timestamp ``seconds`` after ``iso`` (edits are stamped just after the original)."""
    return (datetime.fromisoformat(iso) + timedelta(seconds=seconds)).isoformat()


def user(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username.title(),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(user_payload: Mapping[str, Any], *, joined_at: str, roles: Sequence[int] = ()) -> dict[str, Any]:
    """A guild member as it appears in GUILD_CREATE, interactions and reaction events."""
    return {
        "user": dict(user_payload),
        "nick": None,
        "avatar": None,
        "roles": [str(role) for role in roles],
        "joined_at": joined_at,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "permissions": DEFAULT_PERMISSIONS,
    }


def text_channel(channel_id: int, guild_id: int, name: str, *, position: int = 0) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": GUILD_TEXT,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
    }


def dm_channel(channel_id: int, recipient: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": str(channel_id), "type": DM, "recipients": [dict(recipient)], "last_message_id": None}


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    channels: Sequence[Mapping[str, Any]],
    members: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A complete (available) guild as sent in GUILD_CREATE, with only the @everyone role."""
    everyone = {
        "id": str(guild_id),
        "name": "@everyone",
        "permissions": DEFAULT_PERMISSIONS,
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "unavailable": False,
        "large": False,
        "member_count": len(members),
        "joined_at": timestamp(guild_id),
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": [dict(channel) for channel in channels],
        "threads": [],
        "members": [dict(m) for m in members],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "preferred_locale": "en-US",
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "system_channel_id": None,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "description": None,
    }


def message(
    message_id: int,
    channel: Mapping[str, Any],
    author: Mapping[str, Any],
    content: str,
    **fields: Any,
) -> dict[str, Any]:
    """A message object; ``fields`` (embeds, components, flags, webhook_id, ...) are added verbatim."""
    payload: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": channel["id"],
        "author": dict(author),
        "content": content,
        "timestamp": timestamp(message_id),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "reactions": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    if "guild_id" in channel:
        payload["guild_id"] = channel["guild_id"]
    payload.update(fields)
    return payload


def interaction(
    interaction_id: int,
    interaction_type: int,
    *,
    application_id: int,
    token: str,
    channel: Mapping[str, Any],
    invoker: Mapping[str, Any],
    data: Mapping[str, Any],
    guild_member: Mapping[str, Any] | None = None,
    message_payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload; with ``guild_member`` it comes from a guild, otherwise from a DM."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "channel_id": channel["id"],
        "channel": dict(channel),
        "data": dict(data),
        "locale": "en-US",
        "app_permissions": DEFAULT_PERMISSIONS,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild_member is not None:
        guild_id = channel["guild_id"]
        payload |= {
            "guild_id": guild_id,
            "guild": {"id": guild_id, "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": dict(guild_member),
            "authorizing_integration_owners": {"0": guild_id},
            "context": 0,
        }
    else:
        payload |= {"user": dict(invoker), "authorizing_integration_owners": {"0": invoker["id"]}, "context": 1}
    if message_payload is not None:
        payload["message"] = dict(message_payload)
    return payload


def command_option(name: str, option_type: int, value: Any, *, focused: bool = False) -> dict[str, Any]:
    option: dict[str, Any] = {"name": name, "type": option_type, "value": value}
    if focused:
        option["focused"] = True
    return option


def partial_emoji(emoji: str) -> dict[str, Any]:
    """``"👍"`` for a unicode emoji, ``"name:id"`` for a custom one (the form used in reaction URLs)."""
    name, _, emoji_id = emoji.partition(":")
    return {"id": emoji_id or None, "name": name}


def reactions_cleared_event(message_payload: Mapping[str, Any], emoji: str | None = None) -> dict[str, Any]:
    """MESSAGE_REACTION_REMOVE_ALL data, or MESSAGE_REACTION_REMOVE_EMOJI data for one ``emoji``."""
    payload: dict[str, Any] = {"channel_id": message_payload["channel_id"], "message_id": message_payload["id"]}
    if "guild_id" in message_payload:
        payload["guild_id"] = message_payload["guild_id"]
    if emoji is not None:
        payload["emoji"] = partial_emoji(emoji)
    return payload


def reaction_event(
    *,
    user_id: int,
    message_payload: Mapping[str, Any],
    emoji: str,
    guild_member: Mapping[str, Any] | None = None,
    removal: bool = False,
) -> dict[str, Any]:
    """MESSAGE_REACTION_ADD data, or MESSAGE_REACTION_REMOVE data with ``removal`` (no member, no author)."""
    payload: dict[str, Any] = {
        "user_id": str(user_id),
        "channel_id": message_payload["channel_id"],
        "message_id": message_payload["id"],
        "emoji": partial_emoji(emoji),
        "burst": False,
        "type": REACTION_NORMAL,
    }
    if "guild_id" in message_payload:
        payload["guild_id"] = message_payload["guild_id"]
    if not removal:
        payload |= {"burst_colors": [], "message_author_id": message_payload["author"]["id"]}
        if guild_member is not None:
            payload["member"] = dict(guild_member)
    return payload
