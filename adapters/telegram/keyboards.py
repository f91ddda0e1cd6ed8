"""Inline keyboards under answers, and the callback data their buttons carry.

Telegram gives a button at most 64 bytes of ``callback_data`` and hands them
back verbatim on a press, so each kind of press is a small dataclass with a
compact, strictly parsed encoding:

* ``v:<recommendation>:<1|-1>``: 👍 or 👎 on a whole answer;
* ``m:<recommendation>``: more picks after that answer;
* ``k:<s|a>:<item>:<catalogue>:<query>``: a "did you mean" choice (song or artist) of the build
  whose stamp is ``catalogue`` (item ids are row positions, other songs after a rebuild), with as
  much of the original query as fits, so the answer records what was asked. The older
  ``c:<s|a>:<item>:<query>`` carries no stamp: it decodes with none, and the core refuses it.

Anything else (a forged press) decodes to None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.labels import clip, distinct
from bot.chat.replies import Answer, AnswerKind

__all__ = ["Vote", "More", "Choice", "Press", "encode", "decode", "answer_keyboard", "MAX_CALLBACK_DATA"]

MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit
BUTTON_LABEL = 60  # characters: longer labels are cut by the apps anyway
THUMBS = {1: "\U0001f44d", -1: "\U0001f44e"}
_KINDS = {"song": "s", "artist": "a"}
_KIND_NAMES = {code: kind for kind, code in _KINDS.items()}
_ID = r"(\d{1,18})"
_VOTE = re.compile(rf"v:{_ID}:(1|-1)")
_MORE = re.compile(rf"m:{_ID}")
_CHOICE = re.compile(rf"k:([sa]):{_ID}:([0-9a-f]{{6}}):(.*)", re.DOTALL)
_OLD_CHOICE = re.compile(rf"c:([sa]):{_ID}:(.*)", re.DOTALL)


@dataclass(frozen=True)
class Vote:
    recommendation_id: int
    vote: int  # +1 or -1


@dataclass(frozen=True)
class More:
    recommendation_id: int


@dataclass(frozen=True)
class Choice:
    kind: str  # "song" or "artist"
    item_id: int
    query: str
    catalogue: str | None  # the stamp of the build the choice was made from (None: an old button)


Press = Vote | More | Choice


def encode(press: Press) -> str:
    match press:
        case Vote(recommendation_id, vote):
            return f"v:{recommendation_id}:{vote}"
        case More(recommendation_id):
            return f"m:{recommendation_id}"
        case Choice(kind, item_id, query, catalogue):
            head = f"k:{_KINDS[kind]}:{item_id}:{catalogue}:"
            room = MAX_CALLBACK_DATA - len(head.encode())
            return head + query.encode()[:room].decode(errors="ignore")  # never half a character
    raise TypeError(f"not a button press: {press!r}")


def decode(data: str) -> Press | None:
    if match := _VOTE.fullmatch(data):
        return Vote(int(match[1]), int(match[2]))
    if match := _MORE.fullmatch(data):
        return More(int(match[1]))
    if match := _CHOICE.fullmatch(data):
        return Choice(_KIND_NAMES[match[1]], int(match[2]), match[4], match[3])
    if match := _OLD_CHOICE.fullmatch(data):
        return Choice(_KIND_NAMES[match[1]], int(match[2]), match[3], None)
    return None


def _button(label: str, press: Press) -> InlineKeyboardButton:
    return InlineKeyboardButton(clip(label, BUTTON_LABEL), callback_data=encode(press))


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """👍 / 👎 (and "more" when there is more) under picks; one button per "did you mean" choice,
    labelled so that near-identical long titles stay apart."""
    if answer.kind == AnswerKind.DID_YOU_MEAN:
        labels = distinct([s.label for s in answer.suggestions], BUTTON_LABEL)
        choices = zip(answer.suggestions, labels, strict=True)
        return InlineKeyboardMarkup(
            [[_button(label, Choice(s.kind, s.id, answer.query, answer.catalogue))] for s, label in choices]
        )
    if answer.kind != AnswerKind.PICKS or answer.recommendation_id is None:
        return None  # nothing to vote on: an unsaved answer cannot take feedback
    rec = answer.recommendation_id
    row = [_button(THUMBS[vote], Vote(rec, vote)) for vote in (1, -1)]
    if answer.has_more:
        row.append(_button("More \u25b8", More(rec)))
    return InlineKeyboardMarkup([row])
