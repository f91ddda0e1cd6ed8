"""Answering an interaction: in time, exactly once, with votes enabled on picks, and failures said aloud.

Discord drops an interaction that gets no response within 3 seconds of its creation, and a response
can be sent only once. The core usually answers in milliseconds, so the answer goes out as the response
itself; when it is not ready ``DEFER_AFTER_SECONDS`` after the interaction was created (a slow
database, or an interaction that spent long reaching the bot), the interaction is deferred first ("is
thinking...") and the answer follows. Every handler goes through here, so none is left unanswered.

A deferred answer keeps the visibility of its "is thinking..." placeholder: the first follow-up replaces
it, whatever it asks for. So the defer is made as private as the command's answers usually are
(``private=True`` for the owners' table and help), and an answer that turns out to need the other
visibility (a /kpop that ends in "slow down", a confirmation or an error) removes the placeholder and
comes as a follow-up of its own: a private answer never lands in the channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

import discord

from adapters.discord import render
from adapters.discord.inflight import InFlight
from bot.chat.core import KpopCore
from bot.chat.replies import Answer, AnswerKind, Sender

__all__ = [
    "DEFER_AFTER_SECONDS",
    "VOTE_EMOJI",
    "ViewFor",
    "core_of",
    "sender_of",
    "reply",
    "reply_in_place",
    "report_failure",
]

log = logging.getLogger(__name__)

#: Seconds after the interaction's creation by which it is answered or deferred (Discord allows 3 s
#: in all, the network both ways included).
DEFER_AFTER_SECONDS = 1.5
#: Discord's code for an interaction it no longer takes a response to (created over 3 s ago).
UNKNOWN_INTERACTION = 10062
#: The reactions the bot puts under its picks, and the vote each one gives.
VOTE_EMOJI: dict[str, int] = {"👍": 1, "👎": -1}
FAILURE_TEXT = "Sorry, something went wrong on my side. Please try again in a moment."

Work = Answer | Awaitable[Answer]
#: The buttons that go with an answer (see ``adapters.discord.views.for_answer``).
ViewFor = Callable[[Answer], discord.ui.View | None]


class _KpopClient(Protocol):
    core: KpopCore
    in_flight: InFlight


def core_of(interaction: discord.Interaction) -> KpopCore:
    """The core of the bot that received ``interaction`` (buttons reach it this way after a restart)."""
    return cast(_KpopClient, interaction.client).core


def _in_flight(interaction: discord.Interaction) -> InFlight:
    return cast(_KpopClient, interaction.client).in_flight


def sender_of(interaction: discord.Interaction) -> Sender:
    """Who asked, and where: votes and "more" are keyed on the channel the answer is in."""
    return Sender(platform="discord", user_id=str(interaction.user.id), chat_id=str(interaction.channel_id))


def _time_left(interaction: discord.Interaction) -> float:
    """Seconds until the interaction must be answered or deferred (negative when already late)."""
    return DEFER_AFTER_SECONDS - (discord.utils.utcnow() - interaction.created_at).total_seconds()


async def _in_time(
    interaction: discord.Interaction, work: Work, defer: Callable[[], Awaitable[Any]]
) -> Answer:
    """The answer of ``work``, calling ``defer`` first when it is not ready in time."""
    if isinstance(work, Answer):
        return work
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=max(0.0, _time_left(interaction)))
        if not done:
            await defer()
        return await task
    finally:
        task.cancel()  # only has an effect when deferring failed: the answer could not be sent anyway


def _message_kwargs(rendered: render.Rendered) -> dict[str, Any]:
    if rendered.embed is not None:
        return {"embed": rendered.embed}
    return {"content": rendered.content}


async def reply(
    interaction: discord.Interaction,
    work: Work,
    view_for: ViewFor,
    *,
    table: bool = False,
    private: bool = False,
) -> None:
    """Answer with a new message (a slash command, the "more" button); ``table``: see ``render``;
    ``private``: the command's answers are usually for the asker alone (what a defer shows)."""
    async with _in_flight(interaction).track():
        await _reply(interaction, work, view_for, table, private)


async def _reply(interaction: discord.Interaction, work: Work, view_for: ViewFor, table: bool, private: bool) -> None:
    def defer() -> Awaitable[Any]:
        return interaction.response.defer(thinking=True, ephemeral=private)

    answer = await _in_time(interaction, work, defer)
    rendered = render.render(answer, table=table)
    kwargs = _message_kwargs(rendered)
    view = view_for(answer)
    if view is not None:
        kwargs["view"] = view
    message: discord.Message | None
    if not interaction.response.is_done():
        sent = await interaction.response.send_message(**kwargs, ephemeral=rendered.ephemeral)
        message = sent.resource if isinstance(sent.resource, discord.InteractionMessage) else None
    else:
        if rendered.ephemeral != private:
            # The first follow-up would replace "is thinking..." and keep its visibility: remove the
            # placeholder, so the answer comes as a message of its own, as visible as it should be.
            await interaction.delete_original_response()
        message = await interaction.followup.send(**kwargs, ephemeral=rendered.ephemeral, wait=True)
    await _enable_votes(interaction, answer, message)


async def reply_in_place(interaction: discord.Interaction, work: Work, view_for: ViewFor) -> None:
    """Answer a click by replacing the message it was on (a "did you mean" choice).

    Only answers to the query replace it; a refusal (rate limit, error) goes to the clicker alone
    and leaves the choices in place, so they can click again.
    """
    async with _in_flight(interaction).track():
        await _reply_in_place(interaction, work, view_for)


async def _reply_in_place(interaction: discord.Interaction, work: Work, view_for: ViewFor) -> None:
    answer = await _in_time(interaction, work, interaction.response.defer)  # a component's: "update later"
    rendered = render.render(answer)
    if answer.kind not in render.PUBLIC_KINDS:
        kwargs = _message_kwargs(rendered)
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs, ephemeral=True)
        else:
            await interaction.response.send_message(**kwargs, ephemeral=True)
        return
    view = view_for(answer)
    message: discord.Message | None
    if interaction.response.is_done():
        message = await interaction.edit_original_response(embed=rendered.embed, view=view)
    else:
        await interaction.response.edit_message(embed=rendered.embed, view=view)
        message = interaction.message
    await _enable_votes(interaction, answer, message)


async def _enable_votes(interaction: discord.Interaction, answer: Answer, message: discord.Message | None) -> None:
    """Let reactions on ``message`` vote on ``answer``, and put 👍 and 👎 under it to click."""
    if answer.kind != AnswerKind.PICKS or answer.recommendation_id is None or message is None:
        return
    await core_of(interaction).attach_message(answer.recommendation_id, str(message.id))
    for emoji in VOTE_EMOJI:
        try:
            await message.add_reaction(emoji)
        except discord.HTTPException as error:  # e.g. no Add Reactions permission in that channel
            log.warning("could not add %s under message %s: %s", emoji, message.id, error)
            return


async def report_failure(interaction: discord.Interaction, error: BaseException) -> None:
    """Log ``error`` with its traceback and tell the person, briefly and only them.

    An interaction Discord no longer takes a response to (it reached the bot too late) is only
    logged: there is nobody left to tell.
    """
    cause = error.original if isinstance(error, discord.app_commands.CommandInvokeError) else error
    if isinstance(cause, discord.NotFound) and cause.code == UNKNOWN_INTERACTION:
        log.warning("interaction %s expired before it could be answered", interaction.id)
        return
    log.error("failed to answer interaction %s", interaction.id, exc_info=error)
    if interaction.type is discord.InteractionType.autocomplete:
        return  # it can only answer with choices; Discord shows "loading options failed"
    try:
        if interaction.response.is_done():
            await interaction.followup.send(FAILURE_TEXT, ephemeral=True)
        else:
            await interaction.response.send_message(FAILURE_TEXT, ephemeral=True)
    except Exception as failed:  # Discord unreachable, or the client closing: the log has the story
        log.warning("could not tell the user about the failure: %r", failed)

