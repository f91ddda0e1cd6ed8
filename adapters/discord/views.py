"""The buttons under answers: "did you mean" choices and "more".

Each button carries everything its click needs in its ``custom_id`` (``kpop:choose:song:12``,
``kpop:more:34``) and is a ``discord.ui.DynamicItem``: discord.py rebuilds it from the id on every
click, so buttons on messages sent before a restart keep working and no view is kept in memory per
message.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord import respond
from adapters.labels import distinct
from bot.chat.replies import Answer, AnswerKind

__all__ = ["ChooseButton", "MoreButton", "for_answer", "DYNAMIC_ITEMS"]

BUTTON_LABEL_LIMIT = 80
BUTTONS_LIMIT = 25  # five rows of five


class ChooseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"kpop:choose:(?P<kind>song|artist):(?P<id>[0-9]{1,19})(?::(?P<catalogue>[0-9a-f]{6}))?",
):
    """One "did you mean" choice; clicking it answers for that item in place of the question.

    ``label`` must fit Discord's 80 characters (see :func:`for_answer`); rebuilt from a click, the
    button needs none.
    """

    def __init__(self, kind: str, item_id: int, catalogue: str | None, label: str = "?") -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label,
            style=discord.ButtonStyle.primary,
            custom_id=f"kpop:choose:{kind}:{item_id}:{catalogue}",
        )
        super().__init__(button)
        self.kind = kind
        self.item_id = item_id
        self.catalogue = catalogue  # the build's stamp (item ids mean other songs after a rebuild)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChooseButton:
        return cls(match["kind"], int(match["id"]), match["catalogue"])  # None: a button from before stamps

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            work = respond.core_of(interaction).choose(
                respond.sender_of(interaction), self.kind, self.item_id, catalogue=self.catalogue
            )
            await respond.reply_in_place(interaction, work, for_answer)
        except Exception as error:
            await respond.report_failure(interaction, error)


class MoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"kpop:more:(?P<id>[0-9]{1,19})"):
    """The next picks after an answer, as a new message of their own (with their own votes)."""

    def __init__(self, recommendation_id: int) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="More like this",
            emoji="\u2795",
            style=discord.ButtonStyle.secondary,
            custom_id=f"kpop:more:{recommendation_id}",
        )
        super().__init__(button)
        self.recommendation_id = recommendation_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            work = respond.core_of(interaction).more(respond.sender_of(interaction), self.recommendation_id)
            await respond.reply(interaction, work, for_answer)
        except Exception as error:
            await respond.report_failure(interaction, error)


#: Registered on the bot at start (``Client.add_dynamic_items``).
DYNAMIC_ITEMS = (ChooseButton, MoreButton)


def for_answer(answer: Answer) -> discord.ui.View | None:
    """The buttons that go under ``answer``, if any."""
    buttons: list[discord.ui.Item[Any]] = []
    if answer.kind == AnswerKind.DID_YOU_MEAN:
        suggestions = answer.suggestions[:BUTTONS_LIMIT]
        labels = distinct([item.label for item in suggestions], BUTTON_LABEL_LIMIT)
        buttons = [ChooseButton(item.kind, item.id, answer.catalogue, label)
                   for item, label in zip(suggestions, labels, strict=True)]
    elif answer.kind == AnswerKind.PICKS and answer.has_more and answer.recommendation_id is not None:
        buttons = [MoreButton(answer.recommendation_id)]
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    return view
