"""Telegram's HTML parse mode as the Bot API applies it: markup in, plain text and entities out.

A message sent with ``parse_mode=HTML`` is stored by Telegram as its text *without* the markup plus a
list of entities (offsets and lengths in UTF-16 code units); the message a bot gets back, and every
later update showing it, carries that form. Telegram refuses markup it cannot parse with "Bad Request:
can't parse entities: ..." (texts as the Bot API words them, byte offsets in UTF-8), so a bot that
forgets to escape a ``<`` from a song title fails its test here.

Only the rules of the Bot API documentation ("Formatting options", HTML style) are enforced: the tags
listed there, the four named entities and numeric ones, tags closed in order. Attributes other than the
ones that carry meaning are ignored, as by Telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HtmlError", "parse_html", "utf16_length"]

JSON = dict[str, Any]

# Supported tags and the entity type each one makes (span only with class="tg-spoiler").
_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"""\s*([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


class HtmlError(ValueError):
    """Markup Telegram refuses; ``str()`` is the part after "can't parse entities: "."""


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 units into the text parsed so far
    attributes: dict[str, str] = field(default_factory=dict)


def utf16_length(text: str) -> int:
    """Telegram counts text lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """The text Telegram shows for ``source`` and its entities; raises :class:`HtmlError`."""
    text: list[str] = []
    length = 0  # UTF-16 units in text so far
    entities: list[JSON] = []
    stack: list[_Open] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            decoded, i = _entity_at(source, i)
        elif char == "<" and source.startswith("</", i):
            i = _close(source, i, stack, length, entities)
            continue
        elif char == "<":
            opened, i = _open(source, i, length)
            stack.append(opened)
            continue
        else:
            decoded, i = char, i + 1
        text.append(decoded)
        length += utf16_length(decoded)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(text), entities


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _entity_at(source: str, i: int) -> tuple[str, int]:
    """The character an HTML entity at ``i`` stands for; a lone ``&`` (or an unknown name) stays."""
    match = _ENTITY.match(source, i)
    if match is None:
        return "&", i + 1
    decimal, hexadecimal, name = match.groups()
    code = int(decimal) if decimal else int(hexadecimal, 16) if hexadecimal else None
    if code is None:
        return _NAMED_ENTITIES[name], match.end()
    return (chr(code) if 0 < code <= 0x10FFFF else "\ufffd"), match.end()


def _open(source: str, i: int, offset: int) -> tuple[_Open, int]:
    """A start tag at ``i``: its name checked, its attributes read; returns it and where text resumes."""
    name_match = _TAG_NAME.match(source, i + 1)
    name = name_match.group().lower() if name_match else ""
    end = name_match.end() if name_match else i + 1
    if name not in _ENTITY_OF_TAG:
        shown = name or source[i + 1 : i + 2]
        raise HtmlError(f'Unsupported start tag "{shown}" at byte offset {_byte_offset(source, i)}')
    attributes: dict[str, str] = {}
    while True:
        attribute = _ATTRIBUTE.match(source, end)
        if attribute is None or attribute.end() == end:
            break
        key, *values = attribute.groups()
        attributes[key.lower()] = next((value for value in values if value is not None), "")
        end = attribute.end()
    rest = source[end:].lstrip()
    if not rest.startswith(">"):
        if not rest:
            raise HtmlError(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}')
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, i)}')
    return _Open(name, offset, attributes), len(source) - len(rest) + 1


def _close(source: str, i: int, stack: list[_Open], offset: int, entities: list[JSON]) -> int:
    """An end tag at ``i``: it must close the innermost open tag; records that tag's entity."""
    end = source.find(">", i)
    if end < 0:
        raise HtmlError(f"Unclosed end tag at byte offset {_byte_offset(source, i)}")
    name = source[i + 2 : end].strip().lower()
    if not stack:
        raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
    opened = stack[-1]
    if name != opened.tag:
        raise HtmlError(
            f'Unmatched end tag at byte offset {_byte_offset(source, i)}, expected "</{opened.tag}>", '
            f'found "</{name}>"'
        )
    stack.pop()
    entity = _entity(opened, offset)
    if entity is not None:
        entities.append(entity)
    return end + 1


def _entity(opened: _Open, end: int) -> JSON | None:
    """The entity a closed tag makes; None when it covers no text or (a link) points nowhere."""
    if end == opened.offset:
        return None
    entity: JSON = {"type": _ENTITY_OF_TAG[opened.tag], "offset": opened.offset, "length": end - opened.offset}
    if opened.tag == "a":
        url = opened.attributes.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif opened.tag == "blockquote" and "expandable" in opened.attributes:
        entity["type"] = "expandable_blockquote"
    elif opened.tag == "tg-emoji":
        entity["custom_emoji_id"] = opened.attributes.get("emoji-id", "")
    return entity
