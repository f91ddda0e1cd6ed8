"""Answers as Discord messages: escaping, mentions, Discord's size limits, and the buttons that go with them."""

from __future__ import annotations

import re

import pytest

from adapters.discord import render, views
from bot.chat.replies import Answer, AnswerKind, ItemRef, Pick

BLINDING = ItemRef("song", 1, "Blinding Lights", "The Weeknd", korean=False)


def pick(rank: int, title: str = "Dynamite", artist: str = "BTS", reason: str = "both danceable") -> Pick:
    return Pick(rank, rank, title, artist, "4saklk6nie3yiGePpBwUoc", 0.5, reason)


def picks_answer(*picks: Pick, match: ItemRef = BLINDING, notes: tuple[str, ...] = (), rec: int | None = 7) -> Answer:
    return Answer(AnswerKind.PICKS, "q", match, picks=picks, recommendation_id=rec, notes=notes, has_more=True)


def embed_size(answer: Answer) -> tuple[int, dict]:  # type: ignore[type-arg]
    rendered = render.render(answer)
    assert rendered.embed is not None and rendered.content is None and not rendered.ephemeral
    return len(rendered.embed), rendered.embed.to_dict()  # type: ignore[return-value]


def test_picks_show_rank_title_artist_reason_and_both_links() -> None:
    _, embed = embed_size(picks_answer(pick(1), pick(2, "Fancy", "TWICE", "same tempo")))
    assert embed["title"] == "If you like Blinding Lights \u2014 The Weeknd, try:"
    assert embed["fields"][1] == {
        "name": "2. Fancy \u2014 TWICE",
        "value": "same tempo\n[Spotify](https://open.spotify.com/track/4saklk6nie3yiGePpBwUoc) \u00b7 "
        "[YouTube](https://www.youtube.com/results?search_query=TWICE+Fancy)",
        "inline": False,
    }
    assert embed["footer"]["text"] == render.VOTE_HINT


def test_an_unsaved_answer_has_no_vote_hint_and_shows_its_notes() -> None:
    _, embed = embed_size(picks_answer(pick(1), rec=None, notes=("I couldn't save this answer",)))
    assert "footer" not in embed
    assert embed["description"] == "(I couldn't save this answer)"


def test_catalogue_markdown_and_mentions_are_neutralised() -> None:
    sneaky = pick(1, "**Bold** _song_ @here", "<@&123456789012345678> `x` ~~y~~ ||z||", "[click](https://evil.example)")
    _, embed = embed_size(picks_answer(sneaky, match=ItemRef("artist", 2, "> quote @everyone", "", korean=False)))
    name, value = embed["fields"][0]["name"], embed["fields"][0]["value"]
    assert embed["title"] == "If you like > quote @\u200beveryone, try:"  # ">" quotes only at a line's start
    assert name == (
        "1. \\*\\*Bold\\*\\* \\_song\\_ @\u200bhere \u2014 "
        "<\u200b@\u200b&123456789012345678> \\`x\\` \\~\\~y\\~\\~ \\|\\|z\\|\\|"
    )
    assert value.startswith("\\[click](https://evil.example)\n")


def test_plain_text_answers_are_private_escaped_and_within_2000_characters() -> None:
    rendered = render.render(Answer(AnswerKind.ERROR, text="*" * 3000, notes=("a note",)))
    assert rendered.ephemeral and rendered.embed is None and rendered.content is not None
    assert len(rendered.content) <= render.CONTENT_LIMIT
    assert rendered.content.endswith("\\*\u2026")  # cut between escapes, never inside one


@pytest.mark.parametrize("count", [1, 3, 10])
def test_huge_catalogue_strings_fit_every_discord_limit(count: int) -> None:
    title, artist, reason = "T\u00edtulo *" * 200, "Artist_" * 100, "reason " * 400
    huge = [pick(rank, title, artist, reason) for rank in range(1, count + 1)]
    match = ItemRef("song", 1, "M" * 300, "N" * 300, korean=False)
    size, embed = embed_size(picks_answer(*huge, match=match, notes=("note " * 2000,)))
    assert size <= render.EMBED_LIMIT
    assert len(embed["title"]) <= render.TITLE_LIMIT and len(embed.get("description", "")) <= render.DESCRIPTION_LIMIT
    assert len(embed["fields"]) == count
    for field, shown in zip(embed["fields"], huge, strict=True):
        assert len(field["name"]) <= render.FIELD_NAME_LIMIT and len(field["value"]) <= render.FIELD_VALUE_LIMIT
        links = re.findall(r"\]\((https://[^)]*)\)", field["value"])
        assert links and all(link in (shown.spotify_url, shown.youtube_url) for link in links)  # whole or absent


def test_a_link_too_long_for_its_field_is_left_out_rather_than_cut() -> None:
    answer = picks_answer(*(pick(rank, "\ud55c" * 400, "\uae00" * 100, "why") for rank in range(1, 11)))
    size, embed = embed_size(answer)
    assert size <= render.EMBED_LIMIT
    for field in embed["fields"]:
        assert "[YouTube]" not in field["value"] and field["value"].startswith("why\n[Spotify](")


def test_did_you_mean_echoes_the_query_and_offers_one_button_per_choice() -> None:
    stays = (ItemRef("song", 7, "Stay", "Justin Bieber", False), ItemRef("artist", 3, "S" * 120, "", False))
    answer = Answer(AnswerKind.DID_YOU_MEAN, "stai @here", suggestions=stays, text="Did you mean:", catalogue="0a1b2c")
    rendered = render.render(answer)
    assert rendered.embed is not None
    assert rendered.embed.description == "You asked for \u201cstai @\u200bhere\u201d.\nDid you mean:"
    view = views.for_answer(answer)
    assert view is not None and view.timeout is None
    labels = [(item.item.label, item.item.custom_id) for item in view.children]  # type: ignore[attr-defined]
    assert labels == [
        ("Stay \u2014 Justin Bieber", "kpop:choose:song:7:0a1b2c"),
        ("S" * 79 + "\u2026", "kpop:choose:artist:3:0a1b2c"),  # Discord's 80-character label limit
    ]


@pytest.mark.parametrize(
    ("answer", "buttons"),
    [
        (picks_answer(pick(1)), ["kpop:more:7"]),
        (picks_answer(pick(1), rec=None), []),  # "more" needs the saved answer
        (Answer(AnswerKind.NOT_FOUND, "x", text="no"), []),
        (Answer(AnswerKind.HELP, text="help"), []),
    ],
)
def test_only_saved_picks_with_more_to_come_get_a_more_button(answer: Answer, buttons: list[str]) -> None:
    view = views.for_answer(answer)
    found = [item.item.custom_id for item in view.children] if view else []  # type: ignore[attr-defined]
    assert found == buttons


def test_button_ids_are_parsed_back_by_their_templates() -> None:
    largest_answer_id = 2**63 - 1  # answer ids are 63-bit (bot.storage.answer_log.new_id)
    more_id = views.MoreButton(largest_answer_id).custom_id
    choose = views.ChooseButton.__discord_ui_compiled_template__.fullmatch("kpop:choose:artist:42:0a1b2c")
    old = views.ChooseButton.__discord_ui_compiled_template__.fullmatch("kpop:choose:artist:42")
    assert old is not None and old["catalogue"] is None  # a button from before stamps: the core refuses it
    more = views.MoreButton.__discord_ui_compiled_template__.fullmatch(more_id)
    assert choose is not None and (choose["kind"], choose["id"], choose["catalogue"]) == ("artist", "42", "0a1b2c")
    assert more is not None and int(more["id"]) == largest_answer_id and len(more_id) <= 100
    assert views.ChooseButton.__discord_ui_compiled_template__.fullmatch("kpop:choose:user:1") is None


def test_a_table_is_shown_in_a_code_block_that_nothing_can_close_and_mentions_nobody() -> None:
    text = "arm   votes\nknn   *12*\n```@everyone"
    rendered = render.render(Answer(AnswerKind.INFO, text=text), table=True)
    assert rendered.ephemeral
    assert rendered.content == "```\narm   votes\nknn   *12*\n`\u200b``@\u200beveryone\n```"
    refusal = render.render(Answer(AnswerKind.ERROR, text="only owners"), table=True)
    assert refusal.content == "only owners"  # only information becomes a table


def test_discord_markup_in_angle_brackets_is_neutralised() -> None:
    """Slash-command mentions, timestamps, custom emoji and guild links render from ``<...>``: broken."""
    sneaky = "</kpop:1234567890> <t:1700000000:R> <:kpop:123> <a:dance:456> <id:customize> <#123>"
    _, embed = embed_size(picks_answer(pick(1, sneaky)))
    name = embed["fields"][0]["name"]
    assert not re.search(r"<[/:#@atid]", name), name
    assert name.replace("\u200b", "").startswith("1. </kpop:1234567890> <t:1700000000:R>")  # looks the same
