"""Discord's limits on what a message (or an autocomplete answer) may hold, checked like Discord does.

Discord answers a body over its limits with 400, code 50035 "Invalid Form Body" and an ``errors`` tree
naming each offending field (``{"embeds": {"0": {"title": {"_errors": [...]}}}}``); discord.py flattens
that into "In embeds.0.title: Must be 256 or fewer in length.". The checks here return the same tree, so
a bot that overflows a limit fails its test with the message it would get in production.

The limits, from Discord's documentation: content 2,000 characters; at most 10 embeds, whose title 256,
description 4,096, 25 fields of name 256 and value 1,024, footer 2,048, author 256, all of them together
6,000; at most 5 action rows of at most 5 buttons, labels 80, ``custom_id`` 1-100 and unique within the
message; autocomplete: at most 25 choices, names and string values 1-100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FormErrors", "message_errors", "choices_errors"]

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_FIELDS = {"title": 256, "description": 4096}
FIELDS = 25
FIELD_NAME, FIELD_VALUE = 256, 1024
FOOTER_TEXT, AUTHOR_NAME = 2048, 256
ROWS, BUTTONS_PER_ROW = 5, 5
LABEL, CUSTOM_ID = 80, 100
CHOICES, CHOICE_TEXT = 25, 100
ACTION_ROW, BUTTON, LINK_STYLE = 1, 2, 5

#: Discord's nested errors: field names (list indexes as strings) down to ``{"_errors": [...]}``.
FormErrors = dict[str, Any]
Sized = str | Sequence[Any]


class _Collector:
    """Builds the errors tree; ``path`` is the field's dotted location."""

    def __init__(self) -> None:
        self.tree: FormErrors = {}

    def add(self, path: str, code: str, message: str) -> None:
        node = self.tree
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: str, value: Sized, limit: int) -> None:
        if len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def between(self, path: str, value: str, low: int, high: int) -> None:
        if not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def message_errors(body: Mapping[str, Any], *, prefix: str = "") -> FormErrors:
    """The errors of a message body (content, embeds, components); ``prefix`` such as ``"data"`` for
    an interaction response, whose message sits under ``data``. Empty when it is within the limits."""
    errors = _Collector()
    where = f"{prefix}." if prefix else ""
    errors.max_length(f"{where}content", body.get("content") or "", CONTENT)
    embeds = body.get("embeds") or []
    errors.max_length(f"{where}embeds", embeds, EMBEDS)
    total = sum(_embed(errors, f"{where}embeds.{n}", embed) for n, embed in enumerate(embeds))
    if total > EMBED_TOTAL:
        errors.add(f"{where}embeds", "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL}")
    _components(errors, f"{where}components", body.get("components") or [])
    return errors.tree


def _embed(errors: _Collector, path: str, embed: Mapping[str, Any]) -> int:
    """Check one embed; returns the characters it counts towards the 6,000 of a message."""
    size = 0
    for key, limit in EMBED_FIELDS.items():
        text = embed.get(key) or ""
        errors.max_length(f"{path}.{key}", text, limit)
        size += len(text)
    fields = embed.get("fields") or []
    errors.max_length(f"{path}.fields", fields, FIELDS)
    for n, field in enumerate(fields):
        for key, limit in (("name", FIELD_NAME), ("value", FIELD_VALUE)):
            text = field.get(key) or ""
            if not text:
                errors.add(f"{path}.fields.{n}.{key}", "BASE_TYPE_REQUIRED", "This field is required")
            errors.max_length(f"{path}.fields.{n}.{key}", text, limit)
            size += len(text)
    for key, inner, limit in (("footer", "text", FOOTER_TEXT), ("author", "name", AUTHOR_NAME)):
        text = (embed.get(key) or {}).get(inner) or ""
        errors.max_length(f"{path}.{key}.{inner}", text, limit)
        size += len(text)
    return size


def _components(errors: _Collector, path: str, rows: Sequence[Mapping[str, Any]]) -> None:
    errors.max_length(path, rows, ROWS)
    seen: set[str] = set()
    for r, row in enumerate(rows):
        items = row.get("components") or []
        if row.get("type") != ACTION_ROW:
            errors.add(f"{path}.{r}.type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
            continue
        errors.max_length(f"{path}.{r}.components", items, BUTTONS_PER_ROW)
        for c, item in enumerate(items):
            where = f"{path}.{r}.components.{c}"
            if item.get("type") == BUTTON:
                errors.max_length(f"{where}.label", item.get("label") or "", LABEL)
                if item.get("style") == LINK_STYLE:
                    continue
            custom_id = item.get("custom_id") or ""
            if not custom_id:
                errors.add(f"{where}.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
                continue
            errors.max_length(f"{where}.custom_id", custom_id, CUSTOM_ID)
            if custom_id in seen:
                errors.add(
                    f"{where}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
                )
            seen.add(custom_id)


def choices_errors(data: Mapping[str, Any]) -> FormErrors:
    """The errors of an autocomplete answer's ``data`` (reported under ``data.choices``)."""
    errors = _Collector()
    choices = data.get("choices") or []
    errors.max_length("data.choices", choices, CHOICES)
    for n, choice in enumerate(choices):
        errors.between(f"data.choices.{n}.name", str(choice.get("name") or ""), 1, CHOICE_TEXT)
        if isinstance(choice.get("value"), str):
            errors.between(f"data.choices.{n}.value", choice["value"], 1, CHOICE_TEXT)
    return errors.tree
