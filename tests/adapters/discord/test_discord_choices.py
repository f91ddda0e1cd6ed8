"""Choices a person can tell apart and that do what they say: autocomplete values for long titles,
"did you mean" buttons for near-identical ones, and "More like this" clicked twice at once."""

from __future__ import annotations

import asyncio

import pytest

from bot.chat.core import KpopCore
from recommender.catalogue.synthetic import make_catalogue
from tests.support.discord import buttons, invoke, make_bot, picks_for, send
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fixtures.core import KOREAN, WESTERN, CoreFactory

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

# Titles that differ only after their 100th character, by an artist whose name makes labels longer still.
LONG = "Variations on a Theme That Goes On and On Through Every Single Movement of the Night Until the Dawn"
ARTIST = "The Extraordinarily Long-Named Chamber Orchestra"
LIVE = [f"{LONG} (Live at {venue})" for venue in ("Wembley Stadium", "Budokan Arena")]


@pytest.fixture
async def long_titles(make_core: CoreFactory) -> KpopCore:
    rows = [(t, a, False, p) for t, a, p in WESTERN] + [(t, a, True, p) for t, a, p in KOREAN]
    rows += [(title, ARTIST, False, 60.0) for title in LIVE]
    return await make_core(make_catalogue(rows, seed=7))


async def test_a_long_title_chosen_in_autocomplete_is_answered_exactly(
    long_titles: KpopCore, fake_discord: FakeDiscord
) -> None:
    async with fake_discord.running(make_bot(long_titles)):
        typing = fake_discord.autocomplete("kpop", {"query": "Variations on a Theme"}, focused="query")
        offered = (await send(fake_discord, typing)).json["data"]["choices"]
        [chosen] = [choice for choice in offered if "Budokan" in choice["name"]]
        answer = await picks_for(fake_discord, chosen["value"])

    assert len({choice["name"] for choice in offered}) == len(offered) >= 2  # told apart
    assert answer["embeds"][0]["title"] == f"If you like {LIVE[1]} \u2014 {ARTIST}, try:"


async def test_near_identical_long_titles_get_buttons_that_differ(
    long_titles: KpopCore, fake_discord: FakeDiscord
) -> None:
    async with fake_discord.running(make_bot(long_titles)):
        interaction, _ = await invoke(fake_discord, "kpop", {"query": f"{LONG} live"})
        question = fake_discord.original_response(interaction)

    assert question is not None and question["embeds"][0]["title"] == "Did you mean\u2026?"
    labels = [label for label, _ in buttons(question)]
    assert len(labels) == len(set(labels)) >= 2
    assert any("Wembley" in label for label in labels) and any("Budokan" in label for label in labels)


async def test_more_clicked_twice_at_once_gives_the_next_two_pages(core: KpopCore, fake_discord: FakeDiscord) -> None:
    bot = make_bot(core)
    async with fake_discord.running(bot):
        first = await picks_for(fake_discord, "Blinding Lights")
        [(_, more_id)] = buttons(first)
        clicks = [fake_discord.button_click(first, more_id) for _ in range(2)]
        await asyncio.gather(*(send(fake_discord, click) for click in clicks))
        assert await bot.in_flight.drained(timeout=2)
        pages = [fake_discord.original_response(click) for click in clicks]

    ranks = sorted([field["name"].split(".")[0] for field in page["embeds"][0]["fields"]] for page in pages if page)
    assert ranks == [["4", "5", "6"], ["7", "8", "9"]]
    names = [field["name"].split(". ", 1)[1] for m in (first, *pages) if m for field in m["embeds"][0]["fields"]]
    assert len(set(names)) == 9
