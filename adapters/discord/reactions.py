"""👍/👎 reactions under the bot's answers, saved as votes.

The raw gateway events are used (``on_raw_reaction_add``/``remove``), which arrive whether or not the
message is in discord.py's cache: votes on answers sent before a restart count too. Which message
belongs to which answer is the core's business (``attach_message``); a reaction anywhere else is
ignored there, and reactions by the bot itself (its own 👍 and 👎 under each answer) here.

Whose message a reaction is on costs nothing to know for an addition (Discord says, in
``message_author_id``) but a database look-up for a removal (Discord does not). Messages seen to be
someone else's are remembered (the most recent ``OTHERS_REMEMBERED``), so taking a 👍 off a friend's
message, the usual case, costs no look-up either.

When a moderator clears a message's reactions (all of them, or every 👍 or 👎), the votes those
reactions gave are taken back (the core's ``reactions_cleared``).

Discord lets a person leave both 👍 and 👎; their newer reaction is their vote. Adding one sets the
vote, removing one clears it only while it is still the vote that reaction gave (the core's
``retract_on_message``). Events of one person on one message are handled one at a time, in arrival
order, so a quick 👍-then-👎 always ends as 👎.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

import discord
from cachetools import LRUCache
from discord.ext import commands

from adapters.discord.inflight import InFlight
from adapters.discord.respond import VOTE_EMOJI
from bot.chat.core import KpopCore
from bot.chat.replies import Answer, AnswerKind, Sender

__all__ = ["ReactionVotes", "vote_of"]

log = logging.getLogger(__name__)

#: ``KpopCore.vote_on_message`` or ``retract_on_message``.
SaveVote = Callable[[Sender, str, int], Awaitable[Answer | None]]

#: How many messages known to be someone else's are remembered.
OTHERS_REMEMBERED = 50_000
# Skin tones (U+1F3FB..U+1F3FF) and the emoji presentation selector: 👍🏽 is a 👍 too.
_MODIFIERS: dict[int, None] = {code: None for code in (*range(0x1F3FB, 0x1F400), 0xFE0F)}


def vote_of(emoji: discord.PartialEmoji) -> int | None:
    """+1 for 👍, -1 for 👎 (any skin tone), None for any other emoji."""
    if not emoji.is_unicode_emoji():
        return None
    return VOTE_EMOJI.get(emoji.name.translate(_MODIFIERS))


class ReactionVotes(commands.Cog):
    """Turns reactions on the bot's answers into the reacting person's votes."""

    def __init__(self, bot: commands.Bot, core: KpopCore, in_flight: InFlight) -> None:
        self.bot = bot
        self.core = core
        self.in_flight = in_flight
        self._locks: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = weakref.WeakValueDictionary()
        self._others: LRUCache[int, bool] = LRUCache(maxsize=OTHERS_REMEMBERED)  # message ids

    def _lock(self, event: discord.RawReactionActionEvent) -> asyncio.Lock:
        """One lock per (person, message): taken first thing, so events keep their arrival order."""
        key = (event.user_id, event.message_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def _counts(self, event: discord.RawReactionActionEvent) -> int | None:
        """The vote of this event, or None when it should be ignored."""
        me = self.bot.user
        if me is None or event.user_id == me.id:
            return None
        if event.message_author_id is not None and event.message_author_id != me.id:
            self._others[event.message_id] = True
            return None  # someone else's message: spare the database, now and on its removals
        if event.message_id in self._others:
            return None
        if event.member is not None and event.member.bot:
            return None
        return vote_of(event.emoji)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        await self._save(event, self.core.vote_on_message)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        await self._save(event, self.core.retract_on_message)

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, event: discord.RawReactionClearEvent) -> None:
        """A moderator removed every reaction from a message: the votes they gave go too."""
        await self._cleared(event.channel_id, event.message_id, None)

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(self, event: discord.RawReactionClearEmojiEvent) -> None:
        """A moderator removed every 👍 (or 👎) from a message: the votes they gave go too."""
        vote = vote_of(event.emoji)
        if vote is not None:
            await self._cleared(event.channel_id, event.message_id, vote)

    async def _cleared(self, channel_id: int, message_id: int, vote: int | None) -> None:
        if message_id in self._others:
            return
        async with self.in_flight.track():
            await self.core.reactions_cleared("discord", str(channel_id), str(message_id), vote)

    async def _save(self, event: discord.RawReactionActionEvent, save: SaveVote) -> None:
        """Save the vote of ``event`` with ``save``. A reaction has nobody to answer to, so a vote
        that could not be saved is only logged (by the core, with its traceback, and here)."""
        vote = self._counts(event)
        if vote is None:
            return
        sender = Sender(platform="discord", user_id=str(event.user_id), chat_id=str(event.channel_id))
        async with self.in_flight.track(), self._lock(event):
            answer = await save(sender, str(event.message_id), vote)
        if answer is not None and answer.kind == AnswerKind.ERROR:
            log.warning("the reaction of user %s on message %s was not saved", event.user_id, event.message_id)
