"""The bot's core: from a person's words to an answer, and from their votes to stored feedback.

Every platform calls the same methods with a :class:`~bot.chat.replies.Sender`;
nothing here knows about Discord or Telegram. Answers come from the in-memory
:class:`~bot.chat.library.Library`; the database only records what was shown and
what people thought of it, so a database fault costs a note, never an answer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta

import numpy as np

import bot.ops.report as report
from bot.chat.commands import parse
from bot.app.config import Settings
from bot.chat.experiment import ARM_RANDOM, assign_arm
from bot.chat.library import Library, to_ref
from bot.chat.ratelimit import RateLimiter
from bot.chat.replies import Answer, AnswerKind, ItemRef, Sender
from bot.storage.answer_log import AnswerRecord, PickRecord
from bot.storage.history import History
from bot.storage.models import utcnow
from bot.votes.feedback import Feedback
from recommender.matching.matcher import Item
from recommender.catalogue.normalize import clean_display

__all__ = ["KpopCore", "HELP_TEXT"]

log = logging.getLogger(__name__)
#: How long a handled update is remembered. Telegram keeps an unconfirmed update for 24 hours;
#: the margin covers clock skew and a bot that was down for a while.
UPDATE_RETENTION = timedelta(hours=48)
UPDATE_PRUNE_SECONDS = 3600.0

HELP_TEXT = (
    "I turn western music you love into K-pop you might like.\n"
    "Try /kpop Blinding Lights or /kpop Taylor Swift: I find the song or artist and pick Korean songs its fans may like.\n"
    "Vote 👍 or 👎 on my picks to teach me; /kpop more shows more, /kpop forget deletes what I stored about you."
)

VOTE_NOT_SAVED = "Sorry, I couldn't save your vote just now. Please try again."
VOTE_NOT_REMOVED = "Sorry, I couldn't remove your vote just now. Please try again."


class KpopCore:
    """One instance serves every adapter; all public methods are safe to call concurrently."""

    def __init__(self, library: Library, history: History, settings: Settings) -> None:
        self.library = library
        self.history = history
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_count, settings.rate_limit_seconds)
        model = library.recommender.model
        self.feedback = Feedback(history, library.ids_by_key, model.artist_of, model.artists)
        self._updates_pruned_at = -UPDATE_PRUNE_SECONDS
        self._rng = np.random.default_rng()  # the random arm's; seeding one per answer cost more than drawing

    # ----- entry points -------------------------------------------------------------------

    async def handle_text(self, sender: Sender, text: str) -> Answer:
        """Answer raw text: a ``/command`` or, when it is plain text, a query."""
        command = parse(text)
        if command.name in {"kpop", "query"}:
            return await self.recommend(sender, command.arg)
        if command.name == "help":
            return self.help()
        if command.name == "forget":
            return await self.forget(sender)
        if command.name == "stats":
            return await self.stats(sender)
        if command.name == "more":
            try:
                latest = await self._latest(sender)
            except Exception:
                log.exception("could not read a person's latest answer")
                return _cannot_read()
            if latest is None:
                return Answer(AnswerKind.INFO, text="Ask me for a song or artist first, then for more.")
            return await self.more(sender, latest)
        return Answer(
            AnswerKind.ERROR,
            text=f"I don't know /{command.arg[:32]}. Try /kpop followed by a song or artist, or /help.",
        )

    def help(self) -> Answer:
        return Answer(AnswerKind.HELP, text=HELP_TEXT)

    async def recommend(self, sender: Sender, query: str) -> Answer:
        """Match ``query`` and answer with picks, "did you mean" choices or a friendly miss."""
        started = time.perf_counter()
        answer = await self._recommend(sender, query)
        # the query's length, never the query: what people type stays out of the logs
        log.info(
            "answer %s on %s for a %d-character query in %.1f ms",
            answer.kind.value,
            sender.platform,
            len(query),
            (time.perf_counter() - started) * 1000,
            extra={"platform": sender.platform, "answer_kind": answer.kind.value, "query_chars": len(query)},
        )
        return answer

    async def _recommend(self, sender: Sender, query: str) -> Answer:
        limited = self._rate_limited(sender)
        if limited:
            return limited
        query, notes = self._cap(query)
        if not query:
            return _empty_query(notes)
        match = self.library.matcher.match(query)
        if match.item is not None:
            if match.same_title:
                notes = (*notes, _same_title_note(match.item, match.same_title))
            return await self._picks(sender, query, to_ref(match.item), 0, notes)
        if match.suggestions:
            return Answer(
                AnswerKind.DID_YOU_MEAN,
                query=query,
                suggestions=tuple(to_ref(s) for s in match.suggestions),
                text="I'm not sure which one you mean. Did you mean:",
                notes=notes,
            )
        return _not_found(query, notes)

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
        query, notes = self._cap(query)
        if not query:
            return [_empty_query(notes)]
        match = self.library.matcher.match(query)
        items = [match.item] if match.item is not None else list(match.suggestions)
        if not items:
            return [_not_found(query, notes)]
        return [await self._picks(sender, query, to_ref(item), 0, notes, record=False) for item in items]

    async def choose(self, sender: Sender, kind: str, item_id: int, query: str = "") -> Answer:
        """Answer for a catalogue item picked from "did you mean" choices."""
        limited = self._rate_limited(sender)
        if limited:
            return limited
        try:
            item = self.library.item(kind, item_id)
        except (KeyError, IndexError, ValueError):
            return Answer(AnswerKind.ERROR, text="That choice is no longer in my catalogue. Please ask again.")
        return await self._picks(sender, query or item.label, item, 0, ())

    async def more(self, sender: Sender, recommendation_id: int) -> Answer:
        """The next picks after an earlier answer."""
        limited = self._rate_limited(sender)
        if limited:
            return limited
        try:
            shown = await self.history.answers.get(recommendation_id)
        except Exception:
            log.exception("could not read recommendation %s", recommendation_id)
            return _cannot_read()
        if shown is None:
            return Answer(AnswerKind.ERROR, text="I can't find that answer any more. Please ask again.")
        try:
            item = self.library.item(shown.match_kind, shown.match_id)
        except (KeyError, IndexError, ValueError):
            return Answer(AnswerKind.ERROR, text="My catalogue changed since that answer. Please ask again.")
        return await self._picks(sender, shown.query, item, shown.page_offset + shown.pick_count, ())

    async def vote(self, sender: Sender, recommendation_id: int, vote: int, pick_rank: int = 0) -> Answer:
        """Save (+1/-1) or clear (0) ``sender``'s vote on an answer or one of its picks."""
        try:
            await self.feedback.vote(sender.platform, sender.user_id, recommendation_id, pick_rank, vote)
        except Exception:
            log.exception("could not save a vote")
            return Answer(AnswerKind.ERROR, text=VOTE_NOT_SAVED)
        if vote == 0:
            return Answer(AnswerKind.INFO, text="Vote removed.")
        return Answer(AnswerKind.INFO, text="Thanks for the 👍!" if vote > 0 else "Thanks, noted 👎.")

    async def vote_on_message(self, sender: Sender, message_id: str, vote: int) -> Answer | None:
        """A vote given as a reaction on a message; ``None`` when it is not one of our answers."""
        try:
            shown = await self.history.answers.find_by_message(sender.platform, sender.chat_id, message_id)
        except Exception:
            log.exception("could not look up the answer a reaction is on")
            return Answer(AnswerKind.ERROR, text=VOTE_NOT_SAVED)
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
            return Answer(AnswerKind.ERROR, text=VOTE_NOT_REMOVED)
        if shown is None:
            return None
        try:
            await self.feedback.retract(sender.platform, sender.user_id, shown.id, vote)
        except Exception:
            log.exception("could not remove a vote")
            return Answer(AnswerKind.ERROR, text=VOTE_NOT_REMOVED)
        return Answer(AnswerKind.INFO, text="Noted: that reaction no longer counts.")

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

    async def claim_update(self, platform: str, update_id: int | str) -> bool:
        """True the first time a platform update is seen, False when it comes again.

        A platform delivers an update again when the bot stopped between handling
        it and confirming it; adapters claim each update before handling it and
        skip it when this says False, so every update is handled at most once.
        Claims are kept for ``UPDATE_RETENTION`` and pruned hourly. When the
        database cannot be reached the update is handled anyway: an answer
        matters more than the rare duplicate that could then follow.
        """
        await self._prune_updates()
        try:
            return await self.history.updates.claim(platform, str(update_id))
        except Exception:
            log.warning("could not record %s update %s; handling it anyway", platform, update_id, exc_info=True)
            return True

    async def stats(self, sender: Sender) -> Answer:
        """The A/B test's summary, for the bot's owners only (``KPOP_OWNER_IDS``)."""
        if not self.settings.is_owner(sender.platform, sender.user_id):
            return Answer(AnswerKind.ERROR, text="Sorry, only the bot's owners can see its statistics.")
        try:
            summary = report.to_text(await report.collect(self.history.engine))
        except Exception:
            log.exception("could not compute the experiment's statistics")
            return Answer(AnswerKind.ERROR, text="Sorry, I couldn't read the statistics just now.")
        return Answer(AnswerKind.INFO, text=summary)

    def complete(self, prefix: str, limit: int = 25) -> list[ItemRef]:
        """Autocomplete choices while someone types a query."""
        prefix, _ = self._cap(prefix)
        return [to_ref(i) for i in self.library.matcher.complete(prefix, limit=limit)]

    # ----- helpers ------------------------------------------------------------------------

    def _rate_limited(self, sender: Sender, window: str = "commands") -> Answer | None:
        wait = self.limiter.allow((sender.platform, sender.user_id, window))
        if not wait:
            return None
        return Answer(
            AnswerKind.RATE_LIMITED,
            text=f"That's a lot of requests! Please wait {max(1, round(wait))} s and try again.",
        )

    def _cap(self, query: str) -> tuple[str, tuple[str, ...]]:
        query = clean_display(query)
        limit = self.settings.query_max_chars
        if len(query) <= limit:
            return query, ()
        return query[:limit].rstrip(), (f"I only read the first {limit} characters of that.",)

    async def _prune_updates(self) -> None:
        now = time.monotonic()
        if now - self._updates_pruned_at < UPDATE_PRUNE_SECONDS:
            return
        self._updates_pruned_at = now  # also on failure, as for the sunk songs
        try:
            await self.history.updates.prune(utcnow() - UPDATE_RETENTION)
        except Exception:
            log.warning("could not prune handled updates", exc_info=True)

    async def _latest(self, sender: Sender) -> int | None:
        shown = await self.history.answers.latest(sender.platform, sender.user_id, sender.chat_id)
        return shown.id if shown else None

    def arm(self, sender: Sender) -> str:
        """The A/B arm of this person (see :mod:`bot.chat.experiment`)."""
        s = self.settings
        return assign_arm(
            sender.platform, sender.user_id, salt=s.experiment_salt, random_share=s.random_share, enabled=s.experiment
        )

    async def _picks(
        self,
        sender: Sender,
        query: str,
        match: ItemRef,
        offset: int,
        notes: tuple[str, ...],
        *,
        record: bool = True,
    ) -> Answer:
        """Picks for ``match``; ``offset`` only numbers them (unseen songs come first anyway).

        ``record=False`` shows them without storing them (no ``recommendation_id``).
        """
        count = self.settings.picks_per_answer
        arm = self.arm(sender)
        exclude, later = await self.feedback.exclusions(sender.platform, sender.user_id)
        rec = self.library.recommender
        if arm == ARM_RANDOM:
            candidates = rec.random(self._rng, count=count, exclude=exclude | later, query=(match.kind, match.id))
            has_more = True
        else:
            finder = rec.for_song if match.kind == "song" else rec.for_artist
            candidates = finder(match.id, count=count + 1, exclude=exclude, later=later, feedback=self.feedback.scores())
            has_more = len(candidates) > count
            candidates = candidates[:count]
        if not candidates:
            return Answer(AnswerKind.INFO, query=query, match=match, text="I have no more Korean picks for that.",
                          notes=notes)
        picks = self.library.to_picks(candidates, first_rank=offset + 1)
        if match.korean:
            notes = (*notes, "That one is already K-pop, so here is more that sounds like it.")
        answer = Answer(AnswerKind.PICKS, query=query, match=match, picks=tuple(picks), notes=notes, has_more=has_more)
        if not record:
            return answer
        keys = [self.library.song_key(p.song_id) for p in picks]
        try:
            rec_id = await self.history.answers.record(
                AnswerRecord(
                    platform=sender.platform,
                    user_id=sender.user_id,
                    chat_id=sender.chat_id,
                    query=query,
                    match_kind=match.kind,
                    match_id=match.id,
                    match_label=match.label,
                    arm=arm,
                    page_offset=offset,
                    picks=[PickRecord(p.rank, k, p.title, p.artist, p.distance) for p, k in zip(picks, keys)],
                )
            )
            self.feedback.shown(sender.platform, sender.user_id, rec_id, [(p.rank, k) for p, k in zip(picks, keys)])
        except Exception:
            log.exception("could not record an answer; answering without feedback buttons")
            return replace(answer, notes=(*notes, "I couldn't save this answer, so votes on it won't count."))
        return replace(answer, recommendation_id=rec_id)


def _cannot_read() -> Answer:
    return Answer(AnswerKind.ERROR, text="Sorry, I can't reach my memory of that answer just now. Please try again.")


def _empty_query(notes: tuple[str, ...]) -> Answer:
    return Answer(
        AnswerKind.ERROR,
        text="Tell me a song or an artist you like, for example /kpop Blinding Lights.",
        notes=notes,
    )


def _not_found(query: str, notes: tuple[str, ...]) -> Answer:
    return Answer(
        AnswerKind.NOT_FOUND,
        query=query,
        text="I couldn't find that song or artist in my catalogue. Check the spelling, or try an artist's name.",
        notes=notes,
    )


def _same_title_note(chosen: Item, others: tuple[Item, ...]) -> str:
    """Tell the person which other songs share the title they typed, and how to ask for one of them."""
    title = chosen.title
    if len(others) == 1:
        also = f"Another song called \u201c{title}\u201d is by {others[0].artist}"
    else:
        also = f"Other songs called \u201c{title}\u201d are by {' and '.join(item.artist for item in others)}"
    return f"{also}: add the artist to ask for {'it' if len(others) == 1 else 'one'} (\u201c{title} {others[0].artist}\u201d)."
