"""Any text, however hostile, gets an answer from the parser, the matcher and the core."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from bot.chat.commands import parse
from bot.chat.core import KpopCore
from bot.chat.render import to_json, to_text
from bot.chat.replies import AnswerKind, Sender
from tests.support.strategies import any_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=any_text)
def test_parser_never_fails_and_strips_invisibles(text: str) -> None:
    command = parse(text)
    assert command.name in {"kpop", "help", "forget", "more", "stats", "query", "unknown"}
    for invisible in ("\u200b", "\u200f", "\u202e", "\x00", "\ufeff"):
        assert invisible not in command.arg


@FUZZ
@given(text=any_text)
async def test_core_answers_any_text(core: KpopCore, text: str) -> None:
    sender = Sender("fuzz", "someone", "chat")
    core.limiter.count = 10**9  # the property is about text, not the rate limit
    for message in (text, "/kpop " + text):
        answer = await core.handle_text(sender, message)
        assert answer.kind in set(AnswerKind)
        assert len(answer.query) <= core.options.query_max_chars
        assert len(answer.suggestions) <= 3 and len(answer.picks) <= core.options.picks_per_answer
        rendered = to_text(answer)
        assert rendered and "\x00" not in rendered
        to_json(answer)
