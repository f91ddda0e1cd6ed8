"""Autocomplete, the service the Discord adapter is handed for its query option."""

from __future__ import annotations

from bot.chat.completion import Completion
from bot.chat.core import KpopCore


async def test_autocomplete_offers_catalogue_items(core: KpopCore) -> None:
    completion = Completion(core.library, core.options)
    choices = completion.complete("blin")
    assert choices and choices[0].title == "Blinding Lights"
    assert len(completion.complete("", limit=25)) <= 25
    assert len(completion.complete("Blinding " * 2_000)) <= 25  # capped, and no crash on a huge prefix
