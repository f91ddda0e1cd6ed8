"""The bot's core: from a person's words to an answer, and from their votes to stored feedback.

Every platform calls the same methods with a :class:`~bot.chat.replies.Sender`;
nothing here knows about Discord or Telegram. :class:`KpopCore` is a façade:
matching is the :class:`~bot.chat.library.Library`'s, picks are the
:class:`~bot.chat.picking.Picker`'s, votes are :class:`~bot.votes.feedback.Feedback`'s
and the statistics a service handed in; the core applies the rate limit and
turns what they say into answers. Answers come from memory; the database only
records what was shown and what people thought of it, so a database fault
costs a note, never an answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.chat import messages
from bot.chat.commands import Command, cap_query, parse
from bot.chat.library import Library, to_ref
from bot.chat.live_lookup import LiveLookup
from bot.chat.options import ChatOptions
from bot.chat.pages import Pages
from bot.chat.picking import Picker
from bot.chat.ratelimit import LOCAL_PLATFORMS, RateLimiter
from bot.chat.replies import Answer, AnswerKind, Sender
from bot.storage.history import History
from bot.storage.vote_log import AnswerGone, NoSuchPick
from bot.votes.feedback import Feedback

__all__ = ["KpopCore", "Stats"]

log = logging.getLogger(__name__)

#: The A/B test's summary as text, read when an owner asks for it.
Stats = Callable[[], Awaitable[str]]


class KpopCore:
    """One instance serves every adapter; all public methods are safe to call concurrently."""

    def __init__(
        self, library: Library, history: History, options: ChatOptions, stats: Stats, *, lookup: LiveLookup | None = None
    ) -> None:
        self.library = library
        self.lookup = lookup  # KPOP_LIVE_LOOKUP: public music services for what the catalogue lacks
        self.history = history
        self.options = options
        self.limiter = RateLimiter(options.rate_limit_count, options.rate_limit_seconds)
        model = library.recommender.model
        self.feedback = Feedback(history, library.ids_by_key, model.artist_of, model.artists)
        self.picker = Picker(
            library, history.answers, self.feedback, count=options.picks_per_answer, experiment=options.experiment
        )
        self.pages = Pages(history.answers)
        self._stats = stats

    # ----- what people ask -----------------------------------------------------------------

    async def handle_text(self, sender: Sender, text: str) -> Answer:
        """Answer raw text: a ``/command`` or, when it is plain text, a query."""
        return await self.handle(sender, parse(text))

    async def handle(self, sender: Sender, command: Command) -> Answer:
        """Answer a command already read (see :mod:`bot.chat.commands`)."""
        if command.name in {"kpop", "query"}:
            return await self.recommend(sender, command.arg)
        if command.name == "help":
            return self.help()
        if command.name == "forget":
            return await self.forget(sender)
        if command.name == "stats":
            return await self.stats(sender)
        if command.name == "more":
            return await self._more_of_latest(sender)
        return Answer(
            AnswerKind.ERROR,
            text=f"I don't know /{command.arg[:32]}. Try /kpop followed by a song or artist, or /help.",
        )

    def help(self) -> Answer:
        return Answer(AnswerKind.HELP, text=messages.HELP_TEXT)

    async def recommend(self, sender: Sender, query: str, *, record: bool = True) -> Answer:
        """Match ``query`` and answer with picks, "did you mean" choices or a friendly miss
        (``record=False``: without storing anything, so no ``recommendation_id`` and no votes)."""
        started = time.perf_counter()
        answer = replace(await self._recommend(sender, query, record), catalogue=self.library.stamp)
        # the query's length, never the query: what people type stays out of the logs
        log.info(
            "answer %s on %s for a %d-character query in %.1f ms", answer.kind.value, sender.platform, len(query),
            (time.perf_counter() - started) * 1000,
            extra={"platform": sender.platform, "answer_kind": answer.kind.value, "query_chars": len(query)},
        )
        return answer

    async def _recommend(self, sender: Sender, query: str, record: bool) -> Answer:
        limited = self._rate_limited(sender)
        if limited:
            return limited
        query, notes = cap_query(query, self.options.query_max_chars)
        if not query:
            return messages.empty_query(notes)
        match = self.library.matcher.match(query)
        if self.lookup is not None and (match.item is None or match.unknown_title):
            match = await self.lookup.improve(query, match)
        if match.item is None:
            return messages.unanswered(match, query, notes)
        notes = (*messages.notes_for(match), *notes)
        answer = await self.picker.answer(sender, query, to_ref(match.item), 0, notes, record=record)
        if answer.kind != AnswerKind.PICKS:
            return answer
        return replace(answer, suggestions=messages.other_choices(match))

    async def preview(self, sender: Sender, query: str) -> list[Answer]:
        """Picks to offer while someone is still typing (Telegram's inline mode).

        Inline mode asks again on every keystroke, so nothing is recorded (the
        answers have no ``recommendation_id`` and take no votes) and a rate-limit
        window of its own keeps typing from using up the person's commands. A
        confident match gives one answer, an unsure one an answer per "did you
        mean" choice; bad input, no match or the rate limit give one answer
        that is not PICKS.
        """
        limited = self._rate_limited(sender, window="preview")
        if limited:
            return [limited]
        query, notes = cap_query(query, self.options.query_max_chars)
        if not query:
            return [messages.empty_query(notes)]
        match = self.library.matcher.match(query)
        if match.item is not None:
            notes = (*messages.notes_for(match), *notes)
        items = [match.item] if match.item is not None else list(match.suggestions)
        if not items:
            return [messages.unanswered(match, query, notes)]
        return [await self.picker.answer(sender, query, to_ref(item), 0, notes, record=False) for item in items]

    async def choose(self, sender: Sender, kind: str, item_id: int, query: str = "", *, catalogue: str | None) -> Answer:
        """Answer for a catalogue item picked from "did you mean" choices made from the build ``catalogue``
        names (:attr:`Answer.catalogue`; None for a button that carries none)."""
        limited = self._rate_limited(sender)
        if limited:
            return limited
        try:
            item = self.library.item(kind, item_id)
        except (KeyError, IndexError, ValueError):
            item = None
        if item is None or catalogue != self.library.stamp:  # another build's choice: the id may be another song now
            return messages.catalogue_changed()
        return await self.picker.answer(sender, query or item.label, item, 0, ())

    async def more(self, sender: Sender, recommendation_id: int) -> Answer:
        """The next picks after an earlier answer shown in the sender's chat, numbered on from the
        pages already shown there (:mod:`bot.chat.pages`). An answer shown in another chat is not
        found: a forged button cannot bring it here."""
        limited = self._rate_limited(sender)
        if limited:
            return limited
        try:
            shown = await self.history.answers.get(recommendation_id)
        except Exception:
            log.exception("could not read recommendation %s", recommendation_id)
            return messages.cannot_read()
        if shown is None or not shown.shown_in(sender.platform, sender.chat_id):
            return messages.answer_gone()
        try:
            item = self.library.item(shown.match_kind, shown.match_id)
        except (KeyError, IndexError, ValueError):
            item = None
        if item is None or item.label != shown.match_label:  # rebuilt since: that row is another song now
            return messages.catalogue_changed()
        async with self.pages.turn(sender, shown) as offset:
            return await self.picker.answer(sender, shown.query, item, offset, ())

    async def _more_of_latest(self, sender: Sender) -> Answer:
        """A bare "more": the next picks after the person's latest answer in this chat."""
        try:
            latest = await self.history.answers.latest(sender.platform, sender.user_id, sender.chat_id)
        except Exception:
            log.exception("could not read a person's latest answer")
            return messages.cannot_read()
        if latest is None:
            return Answer(AnswerKind.INFO, text="Ask me for a song or artist first, then for more.")
        return await self.more(sender, latest.id)

    # ----- what people think of it ---------------------------------------------------------

    async def vote(self, sender: Sender, recommendation_id: int, vote: int, pick_rank: int = 0) -> Answer:
        """Save (+1/-1) or clear (0) ``sender``'s vote on an answer or one of its picks.

        The adapter vouches that the answer is one shown in the sender's chat (a button under it);
        when it cannot, :meth:`vote_on_message` finds the answer by the message it is on.
        """
        try:
            await self.feedback.vote(sender.platform, sender.user_id, recommendation_id, pick_rank, vote)
        except (AnswerGone, NoSuchPick) as refused:  # can never be saved: saying "try again" would mislead
            return messages.answer_gone() if isinstance(refused, AnswerGone) else messages.no_such_pick(pick_rank)
        except Exception:
            log.exception("could not save a vote")
            return Answer(AnswerKind.ERROR, text=messages.VOTE_NOT_SAVED)
        if vote == 0:
            return Answer(AnswerKind.INFO, text="Vote removed.")
        return Answer(AnswerKind.INFO, text="Thanks for the 👍!" if vote > 0 else "Thanks, noted 👎.")

    async def vote_on_message(self, sender: Sender, message_id: str, vote: int) -> Answer | None:
        """A vote on the answer a message shows (a reaction, or a button the adapter cannot vouch for):
        found by the sender's chat and the message, so only an answer shown there; ``None`` when the
        message shows none."""
        try:
            shown = await self.history.answers.find_by_message(sender.platform, sender.chat_id, message_id)
        except Exception:
            log.exception("could not look up the answer a reaction is on")
            return Answer(AnswerKind.ERROR, text=messages.VOTE_NOT_SAVED)
        if shown is None:
            return None
        return await self.vote(sender, shown.id, vote)

    async def retract_on_message(self, sender: Sender, message_id: str, vote: int) -> Answer | None:
        """A reaction taken back: clears ``sender``'s vote on that answer only while it is still ``vote``.

        Where people can leave both 👍 and 👎 on a message (Discord), the newer one is their vote:
        someone who switched from 👍 to 👎 and then removes the 👍 keeps their 👎. ``None`` when
        the message is not one of our answers.
        """
        try:
            shown = await self.history.answers.find_by_message(sender.platform, sender.chat_id, message_id)
        except Exception:
            log.exception("could not look up the answer a reaction was taken off")
            return Answer(AnswerKind.ERROR, text=messages.VOTE_NOT_REMOVED)
        if shown is None:
            return None
        try:
            await self.feedback.retract(sender.platform, sender.user_id, shown.id, vote)
        except Exception:
            log.exception("could not remove a vote")
            return Answer(AnswerKind.ERROR, text=messages.VOTE_NOT_REMOVED)
        return Answer(AnswerKind.INFO, text="Noted: that reaction no longer counts.")

    async def reactions_cleared(self, platform: str, chat_id: str, message_id: str, vote: int | None = None) -> None:
        """Someone removed every reaction from a message (``vote`` None) or every 👍 (+1) or 👎 (-1):
        the votes those reactions gave on the answer it shows are taken back. Logged when it fails."""
        try:
            shown = await self.history.answers.find_by_message(platform, chat_id, message_id)
            if shown is not None:
                await self.feedback.clear(shown.id, vote)
        except Exception:
            log.exception("could not take back the votes of reactions cleared from message %s", message_id)

    async def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """A chat now goes by another id (a Telegram group upgraded to a supergroup): its answers move
        with it, so "more", votes and reactions there find them. Logged when it fails."""
        try:
            moved = await self.history.answers.move_chat(platform, old_chat_id, new_chat_id)
        except Exception:
            log.exception("could not move the answers of a %s chat to its new id", platform)
            return
        log.info("a %s chat changed its id: %d answers moved with it", platform, moved)

    async def attach_message(self, recommendation_id: int, message_id: str) -> None:
        """Remember the platform message an answer was sent as (for reactions on it)."""
        try:
            await self.history.answers.attach_message(recommendation_id, message_id)
        except Exception:
            log.exception("could not remember the message of recommendation %s", recommendation_id)

    async def forget(self, sender: Sender) -> Answer:
        """Delete everything stored about ``sender`` and say how much went."""
        try:
            rows = await self.feedback.forget(sender.platform, sender.user_id)
        except Exception:
            log.exception("could not forget a user")
            return Answer(AnswerKind.ERROR, text="Sorry, I couldn't delete your data just now. Please try again.")
        noun = "row" if rows == 1 else "rows"
        return Answer(AnswerKind.INFO, text=f"Done: I deleted {rows} {noun} stored about you.")

    # ----- for the bot's owners --------------------------------------------------------------

    async def stats(self, sender: Sender) -> Answer:
        """The A/B test's summary, for the bot's owners only (``KPOP_OWNER_IDS``)."""
        if not self.options.is_owner(sender.platform, sender.user_id):
            return Answer(AnswerKind.ERROR, text="Sorry, only the bot's owners can see its statistics.")
        try:
            summary = await self._stats()
        except Exception:
            log.exception("could not compute the experiment's statistics")
            return Answer(AnswerKind.ERROR, text="Sorry, I couldn't read the statistics just now.")
        return Answer(AnswerKind.INFO, text=summary)

    def arm(self, sender: Sender) -> str:
        """The A/B arm of this person (see :mod:`bot.chat.experiment`)."""
        return self.picker.arm(sender)

    def _rate_limited(self, sender: Sender, window: str = "commands") -> Answer | None:
        if sender.platform in LOCAL_PLATFORMS:  # one local person: nobody to protect
            return None
        wait = self.limiter.allow((sender.platform, sender.user_id, window))
        return messages.rate_limited(wait) if wait else None
