"""The terminal adapter: chat with the bot with no platform token at all.

It speaks the same core as Discord and Telegram. Votes are typed: ``+`` or
``-`` rates the last answer, ``+2`` or ``-2`` one pick of it, ``more`` pages on.
"""

from __future__ import annotations

import asyncio
import getpass
import re
from typing import TextIO

from bot.chat.core import KpopCore
from bot.chat.render import to_text
from bot.chat.replies import AnswerKind, Sender

__all__ = ["chat", "GREETING"]

GREETING = (
    "kpop-bot: tell me a song or artist you like (e.g. Blinding Lights).\n"
    "Rate my last answer with + or - (or +2 / -2 for one pick), 'more' for more, 'quit' to leave."
)
_VOTE = re.compile(r"^(?P<sign>[+\-]|👍|👎)\s*(?P<rank>\d{1,2})?$")
_QUIT = {"quit", "exit", "/quit", "/exit", "bye"}


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.get_running_loop().run_in_executor(None, stream.readline)
    return None if line == "" else line.rstrip("\n")


async def chat(core: KpopCore, stdin: TextIO, stdout: TextIO, *, user_id: str | None = None) -> None:
    """Run the conversation until ``quit`` or end of input."""
    sender = Sender(platform="terminal", user_id=user_id or getpass.getuser(), chat_id="terminal")
    last_recommendation: int | None = None

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
        if vote:
            if last_recommendation is None:
                say("bot> Ask me for a song first, then rate my answer.")
                continue
            value = 1 if vote["sign"] in {"+", "👍"} else -1
            answer = await core.vote(sender, last_recommendation, value, pick_rank=int(vote["rank"] or 0))
        elif text.lower() in {"more", "/more", "/kpop more"} and last_recommendation is not None:
            answer = await core.more(sender, last_recommendation)
        else:
            answer = await core.handle_text(sender, text)
        if answer.kind == AnswerKind.PICKS and answer.recommendation_id is not None:
            last_recommendation = answer.recommendation_id
        say("bot> " + to_text(answer).replace("\n", "\n     "))
