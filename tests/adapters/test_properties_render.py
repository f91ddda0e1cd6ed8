"""Any answer, however hostile its strings, renders within each platform's limits, pings nobody
and opens no markup.

Every string an answer carries (the query, titles, artists, reasons, notes, suggestions) is drawn
from hostile text: markdown and HTML, mentions, invisible and right-to-left characters, NUL bytes,
Hangul and emoji, up to thousands of characters. Markup is checked with sentinels: a user string
``Q**bold**Z`` must never reach the output verbatim, because escaping changes every markup character.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord import render as discord_render
from adapters.telegram.render import MAX_MESSAGE, answer_html, utf16_length
from bot.chat.replies import Answer, AnswerKind, ItemRef, Pick
from recommender.catalogue.normalize import clean_display
from tests.support.strategies import any_text

LIVE_DISCORD_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
LINK_TARGET = re.compile(r"\]\(https://[^\s()]+\)")
LIVE_TELEGRAM_MENTION = re.compile(r"@[A-Za-z0-9_]{3,}")
MARKDOWN = ["**", "__", "~~", "`", "||", "*", "_"]  # ("> " quotes only at a line start)
TELEGRAM_TAGS = {"b", "i", "a", "pre"}

# Strings as the core hands them over: tidied by clean_display (as queries and catalogue text are).
hostile = any_text.map(clean_display)
sentinel = st.builds(lambda mark, inner: f"Q{mark}{inner}{mark}Z", st.sampled_from(MARKDOWN), st.text(
    alphabet="abc xyz", min_size=1, max_size=8))
field = st.one_of(hostile, sentinel)


def _item(kind: str, title: str, artist: str) -> ItemRef:
    return ItemRef(kind, 1, title or "x", artist or "y", False)  # type: ignore[arg-type]


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    kind = draw(st.sampled_from(list(AnswerKind)))
    picks = tuple(
        Pick(rank, rank, draw(field) or "t", draw(field) or "a", draw(st.sampled_from([None, "abc123"])),
             draw(st.sampled_from([None, 0.5])), draw(field))
        for rank in range(1, draw(st.integers(0, 10)) + 1)
    )
    return Answer(
        kind=kind,
        query=draw(field),
        match=_item(draw(st.sampled_from(["song", "artist"])), draw(field), draw(field)),
        suggestions=tuple(_item("song", draw(field), draw(field)) for _ in range(draw(st.integers(0, 3)))),
        picks=picks if kind == AnswerKind.PICKS else (),
        recommendation_id=draw(st.sampled_from([None, 123456789])),
        text=draw(field) or "text",  # the core never gives an answer without text (help, errors, info)
        notes=tuple(draw(field) for _ in range(draw(st.integers(0, 2)))),
        has_more=draw(st.booleans()),
    )


def _user_strings(answer: Answer) -> list[str]:
    strings = [answer.query, answer.text, *answer.notes]
    if answer.match:
        strings += [answer.match.title, answer.match.artist]
    for s in answer.suggestions:
        strings += [s.title, s.artist]
    for p in answer.picks:
        strings += [p.title, p.artist, p.reason]
    return strings


def _sentinels(answer: Answer) -> list[str]:
    return [s for s in _user_strings(answer) if s.startswith("Q") and s.endswith("Z") and len(s) < 20]


def _discord_texts(rendered: discord_render.Rendered) -> list[str]:
    texts = [rendered.content or ""]
    embed = rendered.embed
    if embed is not None:
        texts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        texts += [f.name or "" for f in embed.fields] + [f.value or "" for f in embed.fields]
    return texts


@settings(max_examples=300, deadline=None)
@given(answers(), st.booleans())
def test_discord_messages_fit_ping_nobody_and_escape_markdown(answer: Answer, table: bool) -> None:
    rendered = discord_render.render(answer, table=table)
    assert (rendered.content is None) != (rendered.embed is None)
    if rendered.content is not None:
        assert 0 < len(rendered.content) <= discord_render.CONTENT_LIMIT
    embed = rendered.embed
    if embed is not None:
        assert len(embed) <= discord_render.EMBED_LIMIT  # discord.py's own count of an embed's text
        assert len(embed.title or "") <= discord_render.TITLE_LIMIT
        assert len(embed.description or "") <= discord_render.DESCRIPTION_LIMIT
        assert len(embed.fields) <= discord_render.FIELD_COUNT_LIMIT
        for f in embed.fields:
            assert 0 < len(f.name or "") <= discord_render.FIELD_NAME_LIMIT
            assert 0 < len(f.value or "") <= discord_render.FIELD_VALUE_LIMIT
    # link targets are URLs (percent-encoded, never rendered as markdown): check what people read
    texts = [LINK_TARGET.sub("]()", text) for text in _discord_texts(rendered)]
    for text in texts:
        assert not LIVE_DISCORD_MENTION.search(text), text
    if not (table and answer.kind == AnswerKind.INFO):  # a code block shows text verbatim, inertly
        for mark in _sentinels(answer):
            assert all(mark not in text for text in texts), mark


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset: only known tags, properly nested; collects the text people see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in TELEGRAM_TAGS, tag
        assert not self.open or tag != self.open[-1], "nested twice"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@settings(max_examples=300, deadline=None)
@given(answers(), st.booleans())
def test_telegram_messages_fit_ping_nobody_and_open_no_markup(answer: Answer, table: bool) -> None:
    message = answer_html(answer, table=table)
    assert 0 < utf16_length(message) <= MAX_MESSAGE
    parser = _TelegramHtml()
    parser.feed(message)
    parser.close()
    assert parser.open == []
    shown = "".join(parser.text)
    assert not LIVE_TELEGRAM_MENTION.search(shown), shown
    assert "\x00" not in message


def test_the_sentinel_check_would_catch_an_unescaped_renderer() -> None:
    """Guard for the guard: without escaping, a sentinel reaches the output verbatim."""
    answer = Answer(AnswerKind.HELP, text="Q**bold**Z")
    assert "Q**bold**Z" not in discord_render.render(answer).content  # type: ignore[operator]
    naive = discord_render.Rendered(content="Q**bold**Z")
    assert "Q**bold**Z" in _discord_texts(naive)
