"""From a matched song or artist to an answer of Korean picks, in the person's arm of the A/B test.

The recommender arm ranks with everyone's votes and leaves out what the
person disliked, putting what they saw last; the random arm draws from the
catalogue with the same exclusions. An answer that will be shown is recorded
first (its id keys votes and "more"); when recording fails the answer still
goes out, without vote buttons.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from bot.chat.experiment import ARM_RANDOM, Experiment
from bot.chat.library import Library
from bot.chat.replies import Answer, AnswerKind, ItemRef, Pick, Sender
from bot.storage.answer_log import AnswerLog, AnswerRecord, PickRecord
from bot.votes.feedback import Feedback
from recommender.ranking.picks import Candidate

__all__ = ["Picker"]

log = logging.getLogger(__name__)


class Picker:
    """Answers of picks over one library, recorded in one answer log, with one person's votes applied."""

    def __init__(
        self, library: Library, answers: AnswerLog, feedback: Feedback, *, count: int, experiment: Experiment
    ) -> None:
        self.library = library
        self.answers = answers
        self.feedback = feedback
        self.count = count
        self.experiment = experiment
        self._rng = np.random.default_rng()  # the random arm's; seeding one per answer cost more than drawing

    def arm(self, sender: Sender) -> str:
        """The A/B arm of this person (see :mod:`bot.chat.experiment`)."""
        return self.experiment.arm(sender.platform, sender.user_id)

    async def answer(
        self, sender: Sender, query: str, match: ItemRef, offset: int, notes: tuple[str, ...], *, record: bool = True
    ) -> Answer:
        """Picks for ``match``; ``offset`` only numbers them (unseen songs come first anyway).

        ``record=False`` shows them without storing them (no ``recommendation_id``).
        """
        arm = self.arm(sender)
        candidates, has_more = await self._candidates(sender, match, arm)
        if not candidates:
            return Answer(AnswerKind.INFO, query=query, match=match, text="I have no more Korean picks for that.",
                          notes=notes)
        picks = self.library.to_picks(candidates, first_rank=offset + 1)
        if match.korean:
            notes = (*notes, "That one is already K-pop, so here is more that sounds like it.")
        answer = Answer(AnswerKind.PICKS, query=query, match=match, picks=tuple(picks), notes=notes, has_more=has_more)
        if not record:
            return answer
        try:
            rec_id = await self._record(sender, query, match, picks, arm, offset)
        except Exception:
            log.exception("could not record an answer; answering without feedback buttons")
            return replace(answer, notes=(*notes, "I couldn't save this answer, so votes on it won't count."))
        return replace(answer, recommendation_id=rec_id)

    async def _candidates(self, sender: Sender, match: ItemRef, arm: str) -> tuple[list[Candidate], bool]:
        """This answer's candidates in the person's arm, and whether more would follow."""
        exclude, later = await self.feedback.exclusions(sender.platform, sender.user_id)
        rec = self.library.recommender
        if arm == ARM_RANDOM:
            return rec.random(self._rng, count=self.count, exclude=exclude | later, query=(match.kind, match.id)), True
        finder = rec.for_song if match.kind == "song" else rec.for_artist
        candidates = finder(match.id, count=self.count + 1, exclude=exclude, later=later, feedback=self.feedback.scores())
        return candidates[: self.count], len(candidates) > self.count

    async def _record(
        self, sender: Sender, query: str, match: ItemRef, picks: list[Pick], arm: str, offset: int
    ) -> int:
        """Store the answer about to be shown and remember its songs as seen; returns its id."""
        keys = [self.library.song_key(p.song_id) for p in picks]
        rec_id = await self.answers.record(
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
        return rec_id
