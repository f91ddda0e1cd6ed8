"""What the bot says besides picks: help, and the answers to a miss, a refusal or a fault.

One place for the words, so that every entry point that runs into the same
situation says it the same way.
"""

from __future__ import annotations

from bot.chat.replies import Answer, AnswerKind
from recommender.matching.matcher import Item

__all__ = [
    "HELP_TEXT",
    "VOTE_NOT_SAVED",
    "VOTE_NOT_REMOVED",
    "answer_gone",
    "cannot_read",
    "empty_query",
    "not_found",
    "rate_limited",
    "same_title_note",
]

HELP_TEXT = (
    "I turn western music you love into K-pop you might like.\n"
    "Try /kpop Blinding Lights or /kpop Taylor Swift: I find the song or artist and pick Korean songs its fans may like.\n"
    "Vote 👍 or 👎 on my picks to teach me; /kpop more shows more, /kpop forget deletes what I stored about you."
)

VOTE_NOT_SAVED = "Sorry, I couldn't save your vote just now. Please try again."
VOTE_NOT_REMOVED = "Sorry, I couldn't remove your vote just now. Please try again."


def answer_gone() -> Answer:
    """An answer deleted since (``/forget``), or one that was never shown in this chat."""
    return Answer(AnswerKind.ERROR, text="I can't find that answer any more. Please ask again.")


def cannot_read() -> Answer:
    return Answer(AnswerKind.ERROR, text="Sorry, I can't reach my memory of that answer just now. Please try again.")


def empty_query(notes: tuple[str, ...]) -> Answer:
    return Answer(
        AnswerKind.ERROR,
        text="Tell me a song or an artist you like, for example /kpop Blinding Lights.",
        notes=notes,
    )


def not_found(query: str, notes: tuple[str, ...]) -> Answer:
    return Answer(
        AnswerKind.NOT_FOUND,
        query=query,
        text="I couldn't find that song or artist in my catalogue. Check the spelling, or try an artist's name.",
        notes=notes,
    )


def rate_limited(wait: float) -> Answer:
    return Answer(
        AnswerKind.RATE_LIMITED,
        text=f"That's a lot of requests! Please wait {max(1, round(wait))} s and try again.",
    )


def same_title_note(chosen: Item, others: tuple[Item, ...]) -> str:
    """Tell the person which other songs share the title they typed, and how to ask for one of them."""
    title = chosen.title
    if len(others) == 1:
        also = f"Another song called \u201c{title}\u201d is by {others[0].artist}"
    else:
        also = f"Other songs called \u201c{title}\u201d are by {' and '.join(item.artist for item in others)}"
    return f"{also}: add the artist to ask for {'it' if len(others) == 1 else 'one'} (\u201c{title} {others[0].artist}\u201d)."
