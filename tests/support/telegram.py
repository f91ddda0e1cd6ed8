"""Assertions shared by the Telegram adapter tests: stored rows, and HTML as Telegram reads it."""

from __future__ import annotations

import asyncio
import html
import re
from html.parser import HTMLParser

from sqlalchemy import select

from bot.chat.core import KpopCore
from bot.storage.models import Feedback, Recommendation

_TAG = re.compile(r'</?(?:b|i|pre)>|<a href="[^"<>]*">|</a>')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


async def recommendations(core: KpopCore) -> list[Recommendation]:
    async with core.history.engine.connect() as conn:
        return list((await conn.execute(select(Recommendation).order_by(Recommendation.id))).all())  # type: ignore[arg-type]


async def wait_until_listening(port: int, timeout: float = 3.0) -> None:
    """PTB registers the webhook before its server listens: wait for the port to accept."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.01)
                continue
            writer.close()
            await writer.wait_closed()
            return


async def votes(core: KpopCore) -> set[tuple[str, int, int, int]]:
    """Every stored vote as (user_id, recommendation_id, pick_rank, vote)."""
    async with core.history.engine.connect() as conn:
        rows = await conn.execute(
            select(Feedback.user_id, Feedback.recommendation_id, Feedback.pick_rank, Feedback.vote)
        )
        return {(user, rec, rank, vote) for user, rec, rank, vote in rows}


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            assert str(dict(attrs).get("href")).startswith("https://"), attrs
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> does not close {self.open}"
        self.open.pop()


def shown_text(message_html: str) -> str:
    """The text Telegram shows for ``message_html``, after asserting the markup is harmless.

    Harmless: the only tags are <b>, <i>, <pre> and https links, each closed in order;
    no other ``<`` or ``>``; every ``&`` begins a complete entity.
    """
    bare = _TAG.sub("", message_html)
    assert "<" not in bare and ">" not in bare, f"markup beyond b, i, pre and a in {message_html!r}"
    assert "&" not in _ENTITY.sub("", bare), f"a broken entity in {message_html!r}"
    nesting = _Nesting()
    nesting.feed(message_html)
    nesting.close()
    assert not nesting.open, f"unclosed {nesting.open} in {message_html!r}"
    return html.unescape(bare)
