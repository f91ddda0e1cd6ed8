"""Answers as Telegram messages in HTML, and the plain-text bits around them.

Every catalogue string and query is escaped with :func:`html.escape`, so a title
like ``<3`` or a query full of tags shows as typed and can never open markup, and
every ``@`` is followed by an invisible word joiner, so an echoed ``@someone``
is not a mention that notifies them.
A message is built as a list of :class:`Span` (raw text, optionally in one
tag) and only escaped when it is put together; that is what lets
:func:`fit` keep a message within Telegram's 4096 characters without ever
cutting inside a tag or an entity: whole spans are dropped from the end, and
the one that overflows has its *raw* text cut before it is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from adapters.labels import ELLIPSIS
from bot.chat.replies import Answer, AnswerKind

__all__ = ["MAX_MESSAGE", "Span", "escape", "fit", "answer_html", "utf16_length"]

#: Telegram's limit on a message, counted here in UTF-16 code units of the HTML source: that
#: bounds the parsed text (shorter) in the units Telegram counts (never fewer than characters).
MAX_MESSAGE = 4096
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Text safe inside Telegram HTML: markup escaped, ``@`` unable to start a mention."""
    return html.escape(text, quote=False).replace("@", "@" + WORD_JOINER)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Span:
    """Raw text, shown bold (``b``), italic (``i``), monospace (``pre``), as a link (``a`` with ``href``) or plain."""

    text: str
    tag: str = ""
    href: str = ""

    @property
    def opening(self) -> str:
        if self.tag == "a":
            return f'<a href="{html.escape(self.href, quote=True)}">'
        return f"<{self.tag}>" if self.tag else ""

    @property
    def closing(self) -> str:
        return f"</{self.tag}>" if self.tag else ""

    @property
    def html(self) -> str:
        return self.opening + escape(self.text) + self.closing


def fit(spans: Sequence[Span], limit: int = MAX_MESSAGE) -> str:
    """The spans as HTML of at most ``limit`` UTF-16 units, ending in "…" when cut."""
    pieces = [span.html for span in spans]
    if sum(utf16_length(piece) for piece in pieces) <= limit:
        return "".join(pieces)
    room = limit - utf16_length(ELLIPSIS)
    kept: list[str] = []
    for span, piece in zip(spans, pieces):
        size = utf16_length(piece)
        if size <= room:
            kept.append(piece)
            room -= size
            continue
        text = _prefix(span.text, room - utf16_length(span.opening + span.closing))
        if text:
            kept.append(span.opening + escape(text) + span.closing)
        break
    return "".join(kept) + ELLIPSIS


def _prefix(text: str, room: int) -> str:
    """The longest start of ``text`` whose escaped form takes at most ``room`` units."""
    used = 0
    for end, char in enumerate(text):
        used += utf16_length(escape(char))
        if used > room:
            return text[:end]
    return text


def answer_html(answer: Answer, *, table: bool = False) -> str:
    """The whole answer as one message: picks with links and reasons, or its text, then notes.

    ``table=True`` sets the text in a monospace block, for text laid out in columns (the
    owners' statistics).
    """
    return fit(list(_spans(answer, "pre" if table else "")))


def _spans(answer: Answer, text_tag: str) -> Iterator[Span]:
    if answer.kind == AnswerKind.PICKS and answer.match is not None:
        yield from (Span("If you like "), Span(answer.match.label, "b"), Span(", try:"))
        for pick in answer.picks:
            yield from (Span(f"\n\n{pick.rank}. "), Span(pick.title, "b"), Span(f" \u2014 {pick.artist}"))
            yield from (Span("\n"), Span(pick.reason, "i"), Span("\n"))
            if pick.spotify_url:
                yield from (Span("Spotify", "a", pick.spotify_url), Span(" \u00b7 "))
            yield Span("YouTube", "a", pick.youtube_url)
    else:
        if answer.query and answer.kind in (AnswerKind.DID_YOU_MEAN, AnswerKind.NOT_FOUND):
            yield from (Span(f"\u201c{answer.query}\u201d", "b"), Span("\n"))
        yield Span(answer.text, text_tag)
    for note in answer.notes:
        yield from (Span("\n\n"), Span(note, "i"))
