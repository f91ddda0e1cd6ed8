"""Answers as Discord messages: an embed for answers to a query, plain text for everything else.

Every string from the catalogue or from a person is escaped where Discord renders markdown (content,
embed title, description, field names and values) and its mentions and other ``<...>`` markup are
neutralised, so a song called ``**@everyone**`` or ``</kpop:1> <t:1700000000:R>`` shows as written,
pings nobody and renders no command link or timestamp. Discord refuses a message over its limits
(content 2000, embed title 256, description 4096, field 1024, embed total 6000 characters), so every
piece is cut to fit, always before escaping: a cut never splits an escape sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from adapters.labels import ELLIPSIS, clip
from bot.chat.replies import Answer, AnswerKind, Pick

__all__ = ["Rendered", "render", "safe", "PUBLIC_KINDS", "VOTE_HINT"]

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
EMBED_LIMIT = 6000
ZERO_WIDTH_SPACE = "\u200b"

#: Answers to a query are public: they are what the channel asked the bot for. The rest (help,
#: confirmations, errors, "slow down") only concern the person who asked, so only they see it.
PUBLIC_KINDS = frozenset({AnswerKind.PICKS, AnswerKind.DID_YOU_MEAN, AnswerKind.NOT_FOUND})
VOTE_HINT = "React 👍 or 👎 to rate these picks."
COLOUR = discord.Colour.from_rgb(255, 95, 162)


@dataclass(frozen=True)
class Rendered:
    """What to send: ``content`` or ``embed`` (never both), and whether only the asker sees it."""

    content: str | None = None
    embed: discord.Embed | None = None
    ephemeral: bool = False


def _neutralise(text: str) -> str:
    """Markdown escaped, and no ``@`` or ``<`` that Discord could render as a mention or markup."""
    return _break_markup(discord.utils.escape_markdown(text))


def _break_markup(text: str) -> str:
    """A zero-width space after every ``@`` and ``<``: it looks the same, but nothing renders.

    Discord renders ``@everyone``, ``<@id>``, ``<#channel>``, ``</command:id>``, ``<t:time>``,
    ``<:emoji:id>`` and ``<id:customize>``; ``discord.utils.escape_mentions`` only breaks ids of
    17-20 digits (``<@&123>`` would still show as a role) and none of the rest.
    """
    return text.replace("@", "@" + ZERO_WIDTH_SPACE).replace("<", "<" + ZERO_WIDTH_SPACE)


def safe(text: str, limit: int) -> str:
    """``text`` escaped for Discord and at most ``limit`` characters long (cut with an ellipsis).

    Escaping can double the length, so the longest raw prefix that fits once escaped is searched for.
    """
    escaped = _neutralise(text)
    if len(escaped) <= limit:
        return escaped
    shortest, longest = 0, min(len(text), limit - 1)
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        if len(_neutralise(text[:middle].rstrip())) < limit:
            shortest = middle
        else:
            longest = middle - 1
    return _neutralise(text[:shortest].rstrip()) + ELLIPSIS


def render(answer: Answer, *, table: bool = False) -> Rendered:
    """The message for ``answer``; with ``table``, an information's text is shown in a monospace block
    (its columns line up), as for the A/B statistics."""
    if table and answer.kind == AnswerKind.INFO:
        return Rendered(content=_code_block(answer.text), ephemeral=True)
    if answer.kind == AnswerKind.PICKS and answer.match is not None:
        return Rendered(embed=_picks_embed(answer))
    if answer.kind == AnswerKind.DID_YOU_MEAN:
        return Rendered(embed=_query_embed("Did you mean\u2026?", answer))
    if answer.kind == AnswerKind.NOT_FOUND:
        return Rendered(embed=_query_embed("No match", answer))
    lines = [answer.text, *(f"({note})" for note in answer.notes)]
    return Rendered(content=safe("\n".join(line for line in lines if line), CONTENT_LIMIT), ephemeral=True)


def _code_block(text: str) -> str:
    """``text`` verbatim in a code block: nothing renders inside, no fence in it can close it, and
    mentions are broken there too (clients that do not render the block must not show one)."""
    fence = "```"
    body = clip(
        _break_markup(text.replace(fence, "`" + ZERO_WIDTH_SPACE + "``")), CONTENT_LIMIT - 2 * len(fence) - 2
    )
    return f"{fence}\n{body}\n{fence}"


def _query_embed(title: str, answer: Answer) -> discord.Embed:
    """A reply that echoes the query (escaped, so it can hold any text) above the core's text."""
    lines = [f"You asked for \u201c{answer.query}\u201d.", answer.text, *(f"({note})" for note in answer.notes)]
    description = safe("\n".join(line for line in lines if line), DESCRIPTION_LIMIT)
    return discord.Embed(title=title, description=description, colour=COLOUR)


def _picks_embed(answer: Answer) -> discord.Embed:
    """The match as title, one field per pick (name, reason, links), notes and the vote hint.

    Fields get equal shares of what the total limit leaves after the title and footer; the notes
    (least important) get what the fields leave.
    """
    assert answer.match is not None
    footer = VOTE_HINT if answer.recommendation_id is not None else None
    picks = answer.picks[:FIELD_COUNT_LIMIT]
    share = (EMBED_LIMIT - TITLE_LIMIT - len(footer or "")) // max(1, len(picks))
    name_limit = min(FIELD_NAME_LIMIT, share // 4)
    value_limit = min(FIELD_VALUE_LIMIT, share - name_limit)
    embed = discord.Embed(title=safe(f"If you like {answer.match.label}, try:", TITLE_LIMIT), colour=COLOUR)
    for pick in picks:
        name = safe(f"{pick.rank}. {pick.title} \u2014 {pick.artist}", name_limit)
        embed.add_field(name=name, value=_pick_value(pick, value_limit), inline=False)
    room = min(DESCRIPTION_LIMIT, EMBED_LIMIT - len(embed) - len(footer or ""))
    notes = "\n".join(f"({note})" for note in answer.notes)
    if notes and room > 0:
        embed.description = safe(notes, room)
    if footer:
        embed.set_footer(text=footer)
    return embed


def _pick_value(pick: Pick, limit: int) -> str:
    """The reason, then the listening links that fit (links are never cut: a cut link is broken)."""
    links = [f"[Spotify]({pick.spotify_url})"] if pick.spotify_url else []
    links.append(f"[YouTube]({pick.youtube_url})")
    while links and len(" \u00b7 ".join(links)) > limit:
        links.pop()
    line = " \u00b7 ".join(links)
    reason_limit = limit - len(line) - 1 if line else limit
    reason = safe(pick.reason, reason_limit) if reason_limit > 0 else ""
    return "\n".join(part for part in (reason, line) if part) or ELLIPSIS
