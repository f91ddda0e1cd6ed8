"""The little Discord world the fake serves: one bot, its users, guilds, channels, messages and commands.

It also builds the gateway events a test sends (slash commands, autocomplete, clicks, reactions, user
messages) from that state, so ids line up: a slash command carries the id and option types of the command
the bot synced, a reaction names the author of the stored message, an interaction is known to the REST
side and can be answered exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.support.fakes import discord_payloads as payloads

_OPTION_TYPES = ((bool, payloads.OPTION_BOOLEAN), (int, payloads.OPTION_INTEGER), (float, payloads.OPTION_NUMBER))


@dataclass
class InteractionState:
    """An interaction the fake created: answered yet? which message is its ``@original``?

    ``created`` is the Unix time in its id: Discord times the 3 s for the first response and the
    15 minutes of its token from there.
    """

    payload: dict[str, Any]
    acknowledged: bool = False
    original_id: int | None = None

    @property
    def created(self) -> float:
        return payloads.created_at(int(self.payload["id"]))

    @property
    def age(self) -> float:
        return time.time() - self.created


class DiscordWorld:
    """The state behind the fake: a default guild (``guild``) with a text channel (``channel``) and a
    member (``user``) exists from the start; add more with ``add_guild``/``add_user`` before the client
    connects. ``shard_count`` (what GET /gateway/bot recommends) and ``heartbeat_interval`` (ms, sent in
    HELLO) can be changed before connecting too.
    """

    def __init__(self, *, token: str, bot_name: str) -> None:
        self.token = token
        self.shard_count = 1
        self.heartbeat_interval = 45_000
        self.next_id = payloads.Snowflakes()
        self.application_id = self.next_id()
        self.bot_user = payloads.user(self.next_id(), bot_name, bot=True)
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionState] = {}
        self._dm_channels: dict[int, dict[str, Any]] = {}

        self.user = self.add_user("alice")
        self.guild = self.add_guild("Test Guild", members=[self.user])
        self.channel = self.channels[int(self.guild["channels"][0]["id"])]

    def add_user(self, username: str) -> dict[str, Any]:
        """A new (human) user payload, known to GET /users/{id} and DM creation; not a guild member."""
        user = payloads.user(self.next_id(), username)
        self.users[int(user["id"])] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        members: Sequence[Mapping[str, Any]] = (),
        channel_names: Sequence[str] = ("general",),
        shard: tuple[int, int] | None = None,
    ) -> dict[str, Any]:
        """Add a guild with text channels, the bot and ``members`` (user payloads) in it.

        ``shard=(shard_id, shard_count)`` picks an id that Discord routes to that shard
        (``(guild_id >> 22) % shard_count``).
        """
        guild_id = self.next_id()
        while shard is not None and (guild_id >> 22) % shard[1] != shard[0]:
            guild_id = self.next_id()
        channels = [
            payloads.text_channel(self.next_id(), guild_id, channel_name, position=position)
            for position, channel_name in enumerate(channel_names)
        ]
        joined = payloads.timestamp(guild_id)
        guild_members = [payloads.member(u, joined_at=joined) for u in (self.bot_user, *members)]
        owner = members[0] if members else self.bot_user
        guild = payloads.guild(guild_id, name, owner_id=int(owner["id"]), channels=channels, members=guild_members)
        self.guilds[guild_id] = guild
        for channel in channels:
            self.channels[int(channel["id"])] = channel
        return guild

    def guild_payloads(self) -> list[dict[str, Any]]:
        """GUILD_CREATE payloads of every guild (what the gateway sends after READY)."""
        return list(self.guilds.values())

    def dm_channel(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """The bot's DM channel with ``user`` (the same one POST /users/@me/channels returns)."""
        user_id = int(user["id"])
        if user_id not in self._dm_channels:
            channel = payloads.dm_channel(self.next_id(), user)
            self._dm_channels[user_id] = channel
            self.channels[int(channel["id"])] = channel
        return self._dm_channels[user_id]

    def _member(self, channel: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any] | None:
        """The guild member payload of ``user`` where ``channel`` is, or None in a DM.

        A user who is not in the guild gets a fresh member payload, so any user can act anywhere.
        """
        if "guild_id" not in channel:
            return None
        guild = self.guilds[int(channel["guild_id"])]
        found = next((m for m in guild["members"] if m["user"]["id"] == user["id"]), None)
        return found or payloads.member(user, joined_at=payloads.timestamp(int(guild["id"])))

    # -- event payloads: INTERACTION_CREATE, MESSAGE_REACTION_ADD/REMOVE and MESSAGE_CREATE data ----

    def _interaction(
        self,
        interaction_type: int,
        data: Mapping[str, Any],
        *,
        user: Mapping[str, Any] | None,
        channel: Mapping[str, Any] | None,
        message: Mapping[str, Any] | None = None,
        age: float = 0.0,
    ) -> dict[str, Any]:
        """Build an interaction created ``age`` seconds ago (it may have been in transit, or queued
        behind others) and remember it, so the REST side accepts one timely response to it."""
        user = user or self.user
        channel = channel or self.channel
        interaction_id = self.next_id.at(time.time() - age)
        payload = payloads.interaction(
            interaction_id,
            interaction_type,
            application_id=self.application_id,
            token=f"interaction-token-{interaction_id}",
            channel=channel,
            invoker=user,
            data=data,
            guild_member=self._member(channel, user),
            message_payload=message,
        )
        self.interactions[interaction_id] = InteractionState(payload)
        return payload

    def _command_data(
        self, name: str, options: Mapping[str, Any], channel: Mapping[str, Any], focused: str | None
    ) -> dict[str, Any]:
        """``data`` of a slash command: the synced command's id, scope and option types, when it was synced.

        A guild command shadows a global one of the same name, as in Discord's client.
        """
        guild_id = channel.get("guild_id")
        candidates = [*(self.guild_commands.get(int(guild_id), []) if guild_id else []), *self.global_commands]
        registered = next((command for command in candidates if command["name"] == name), None)
        schema = {o["name"]: o["type"] for o in (registered or {}).get("options", [])}
        built = [
            payloads.command_option(key, schema.get(key) or _option_type(value), value, focused=key == focused)
            for key, value in options.items()
        ]
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.next_id()),
            "name": name,
            "type": 1,
            "options": built,
        }
        if registered is not None and "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        return data

    def slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Mapping[str, Any] | None = None,
        channel: Mapping[str, Any] | None = None,
        age: float = 0.0,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE data for ``/name`` with ``options`` (name -> value).

        Defaults: ``user`` invokes it in ``channel`` of the default guild; pass ``channel=fake.dm_channel(u)``
        for a DM. Option types come from the synced command, else from the Python value type. ``age``:
        seconds since the person sent it.
        """
        channel = channel or self.channel
        data = self._command_data(name, options or {}, channel, focused=None)
        return self._interaction(payloads.APPLICATION_COMMAND, data, user=user, channel=channel, age=age)

    def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: Mapping[str, Any] | None = None,
        channel: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE data (type 4) while the user types option ``focused`` of ``/name``."""
        if focused not in options:
            raise ValueError(f"focused option {focused!r} is not among the options {sorted(options)}")
        channel = channel or self.channel
        data = self._command_data(name, options, channel, focused=focused)
        return self._interaction(payloads.APPLICATION_COMMAND_AUTOCOMPLETE, data, user=user, channel=channel)

    def button_click(
        self, message: Mapping[str, Any], custom_id: str, *, user: Mapping[str, Any] | None = None, age: float = 0.0
    ) -> dict[str, Any]:
        """INTERACTION_CREATE data for a click on the button ``custom_id`` of ``message``.

        Like Discord's apps, only a button the message has can be clicked.
        """
        offered = [item.get("custom_id") for row in message.get("components", []) for item in row["components"]]
        if custom_id not in offered:
            raise ValueError(f"message {message['id']} has no button {custom_id!r} (it has {offered})")
        data = {"custom_id": custom_id, "component_type": payloads.BUTTON}
        return self._component(message, data, user, age)

    def select_menu(
        self,
        message: Mapping[str, Any],
        custom_id: str,
        values: Sequence[str],
        *,
        user: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE data for choosing ``values`` in the string select ``custom_id`` of ``message``."""
        data = {"custom_id": custom_id, "component_type": payloads.STRING_SELECT, "values": list(values)}
        return self._component(message, data, user)

    def _component(
        self, message: Mapping[str, Any], data: Mapping[str, Any], user: Mapping[str, Any] | None, age: float = 0.0
    ) -> dict[str, Any]:
        channel = self.channels[int(message["channel_id"])]
        return self._interaction(
            payloads.MESSAGE_COMPONENT, data, user=user, channel=channel, message=message, age=age
        )

    def reaction_add(
        self, message: Mapping[str, Any], emoji: str, *, user: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """MESSAGE_REACTION_ADD data: ``user`` reacts to ``message`` with ``emoji`` ("👍" or "name:id")."""
        user = user or self.user
        member = self._member(self.channels[int(message["channel_id"])], user)
        return payloads.reaction_event(
            user_id=int(user["id"]), message_payload=message, emoji=emoji, guild_member=member
        )

    def reaction_remove(
        self, message: Mapping[str, Any], emoji: str, *, user: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """MESSAGE_REACTION_REMOVE data: ``user`` takes back their ``emoji`` on ``message``."""
        user = user or self.user
        return payloads.reaction_event(user_id=int(user["id"]), message_payload=message, emoji=emoji, removal=True)

    def reactions_cleared(self, message: Mapping[str, Any], emoji: str | None = None) -> dict[str, Any]:
        """A moderator removes every reaction from ``message`` (or every ``emoji`` one): the data of
        MESSAGE_REACTION_REMOVE_ALL (or _REMOVE_EMOJI). The stored message loses them too."""
        stored = self.messages.get(int(message["id"]))
        if stored is not None:
            kept = [r for r in stored["reactions"] if emoji is not None and r["emoji"] != payloads.partial_emoji(emoji)]
            stored["reactions"] = kept
        return payloads.reactions_cleared_event(message, emoji)

    def user_message(
        self, content: str, *, user: Mapping[str, Any] | None = None, channel: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """MESSAGE_CREATE data for ``user`` writing ``content`` (stored, so the bot can fetch it)."""
        channel = channel or self.channel
        user = user or self.user
        message = payloads.message(self.next_id(), channel, user, content)
        member = self._member(channel, user)
        if member is not None:
            message["member"] = {k: v for k, v in member.items() if k != "user"}
        self.messages[int(message["id"])] = message
        return message

    def original_response(self, interaction: Mapping[str, Any]) -> dict[str, Any] | None:
        """The message an interaction's response created or updated (its ``@original``), if any."""
        original_id = self.interactions[int(interaction["id"])].original_id
        return None if original_id is None else self.messages.get(original_id)


def _option_type(value: Any) -> int:
    """Discord's option type for a Python value (bool before int: True is an int too)."""
    return next((code for kind, code in _OPTION_TYPES if isinstance(value, kind)), payloads.OPTION_STRING)
