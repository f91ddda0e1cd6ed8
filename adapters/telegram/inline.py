"""Inline mode: ``@botname blinding lights`` in any chat offers the picks as results to share.

One result per matched song or artist (one for a confident match, one per
"did you mean" choice), each sending the whole answer as a message. When
there is nothing to offer, a button above the (empty) results says why and
opens a private chat with the bot.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent

from adapters.labels import clip
from adapters.telegram.render import answer_html
from bot.chat.replies import Answer, AnswerKind

__all__ = ["inline_results", "inline_hint", "CACHE_SECONDS"]

#: Telegram caches results per person (they depend on the person's votes and A/B arm) this long.
CACHE_SECONDS = 30
START_PARAMETER = "inline"  # /start inline: the private chat opens on the help text
_HINTS = {
    AnswerKind.NOT_FOUND: "Nothing by that name yet: keep typing",
    AnswerKind.RATE_LIMITED: "That was a lot at once: wait a few seconds",
}
_DEFAULT_HINT = "Type a song or artist you like"


def inline_results(answers: Sequence[Answer]) -> list[InlineQueryResultArticle]:
    return [_article(a) for a in answers if a.kind == AnswerKind.PICKS and a.match is not None]


def _article(answer: Answer) -> InlineQueryResultArticle:
    assert answer.match is not None
    return InlineQueryResultArticle(
        id=f"{answer.match.kind}:{answer.match.id}",
        title=clip(f"K-pop for {answer.match.label}", 100),
        description=clip(" \u00b7 ".join(f"{p.title} \u2014 {p.artist}" for p in answer.picks), 200),
        input_message_content=InputTextMessageContent(answer_html(answer)),
    )


def inline_hint(answers: Sequence[Answer]) -> InlineQueryResultsButton:
    """The button to show when :func:`inline_results` has nothing: it says why."""
    kind = answers[0].kind if answers else AnswerKind.ERROR
    return InlineQueryResultsButton(text=_HINTS.get(kind, _DEFAULT_HINT), start_parameter=START_PARAMETER)
