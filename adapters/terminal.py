"""The terminal adapter: chat with the bot with no platform token at all.

It speaks the same core as Discord and Telegram. Commands need no slash here
(``help``, ``more``, ``forget``; a song called "Help" is found with its
artist, "Help 10cm", or its punctuation, "Help!"); a number picks one of the last
answer's "did you mean" choices. Votes are typed: ``+`` or ``-`` rates the last
answer, ``+2`` or ``-2`` one pick of it. The terminal is one local person, so
the rate limit does not apply (:data:`bot.chat.ratelimit.LOCAL_PLATFORMS`): lines
typed while the bot was starting are answered in turn.
"""

from __future__ import annotations

import asyncio
import getpass
import re
from typing import TextIO

from bot.chat.core import KpopCore
from bot.chat.render import to_text
from bot.chat.replies import Answer, AnswerKind, ItemRef, Sender

__all__ = ["chat", "GREETING"]

GREETING = (
    "kpop-bot: tell me a song or artist you like (e.g. Blinding Lights), or paste a Spotify link.\n"
    "Type a number to pick one of my \"did you mean\" choices; rate my last answer with + or - "
    "(or +2 / -2 for one pick);\n"
    "'more' for more picks, 'forget' to delete what I stored about you, 'help', and 'quit' to leave."
)
_VOTE = re.compile(r"^(?P<sign>[+\-]|👍|👎)\s*(?P<rank>\d{1,2})?$")
_CHOICE = re.compile(r"^\d{1,2}$")
_QUIT = {"quit", "exit", "/quit", "/exit", "bye"}
#: Words that are commands when typed alone, as with a slash.
_COMMANDS = {"help", "more", "forget"}


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.get_running_loop().run_in_executor(None, stream.readline)
    return None if line == "" else line.rstrip("\n")


async def chat(core: KpopCore, stdin: TextIO, stdout: TextIO, *, user_id: str | None = None) -> None:
    """Run the conversation until ``quit`` or end of input."""
    sender = Sender(platform="terminal", user_id=user_id or getpass.getuser(), chat_id="terminal")
    last_recommendation: int | None = None
    choices: tuple[ItemRef, ...] = ()
    choices_from: str | None = None  # the build the choices were made from (Answer.catalogue)
    asked = ""

    def say(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    say(GREETING)
    while True:
        stdout.write("you> ")
        stdout.flush()
        line = await _read_line(stdin)
        if line is None or line.strip().lower() in _QUIT:
            say("bye!")
            return
        text = line.strip()
        if not text:
            continue
        vote = _VOTE.match(text)
        answer: Answer
        if vote:
            if last_recommendation is None:
                say("bot> Ask me for a song first, then rate my answer.")
                continue
            value = 1 if vote["sign"] in {"+", "👍"} else -1
            answer = await core.vote(sender, last_recommendation, value, pick_rank=int(vote["rank"] or 0))
        elif _CHOICE.match(text) and choices:
            number = int(text)
            if not 1 <= number <= len(choices):
                say(f"bot> Pick a number from 1 to {len(choices)}, or ask for something else.")
                continue
            chosen = choices[number - 1]
            answer = await core.choose(sender, chosen.kind, chosen.id, asked, catalogue=choices_from)
        elif text.lower() in {"more", "/more", "/kpop more"} and last_recommendation is not None:
            answer = await core.more(sender, last_recommendation)
        elif text.lower() in _COMMANDS:
            answer = await core.handle_text(sender, "/" + text.lower())
        else:
            answer = await core.handle_text(sender, text)
            asked = text
        if answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None:
            last_recommendation = answer.recommendation_id
        if answer.kind in (AnswerKind.PICKS, AnswerKind.DID_YOU_MEAN, AnswerKind.NOT_FOUND):
            choices, choices_from = answer.suggestions, answer.catalogue
        say("bot> " + to_text(answer).replace("\n", "\n     "))
