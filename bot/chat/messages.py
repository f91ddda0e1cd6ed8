"""What the bot says besides picks: help, what it understood, and the answers to a miss, a refusal or a fault.

One place for the words, so that every entry point that runs into the same
situation says it the same way. The matcher (:mod:`recommender.matching.matcher`)
decides what a query names; the notes here turn what it could not settle into
words a person can act on: the other song or artist the same words name, a song
newer than the catalogue, a link that points at nothing the catalogue has, or a
query that names nothing known.
"""

from __future__ import annotations

from bot.chat.library import to_ref
from bot.chat.replies import Answer, AnswerKind, ItemRef
from recommender.catalogue.normalize import strip_credits
from recommender.matching.links import Link
from recommender.matching.matcher import Item, Match

__all__ = [
    "HELP_TEXT",
    "VOTE_NOT_SAVED",
    "VOTE_NOT_REMOVED",
    "answer_gone",
    "no_such_pick",
    "catalogue_changed",
    "cannot_read",
    "empty_query",
    "NOT_KNOWN_YET",
    "notes_for",
    "other_choices",
    "unanswered",
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
NOT_KNOWN_YET = "I don't know that one yet. Try another song, or the artist's name."


def answer_gone() -> Answer:
    """An answer deleted since (``/forget``), or one that was never shown in this chat."""
    return Answer(AnswerKind.ERROR, text="I can't find that answer any more. Please ask again.")


def catalogue_changed() -> Answer:
    """A button or answer made from an earlier build: its item may be another song now, so nothing is guessed."""
    return Answer(AnswerKind.ERROR, text="My catalogue changed since that message. Please ask again.")


def no_such_pick(rank: int) -> Answer:
    """A vote on a pick number the answer does not have (only a forged or mistyped vote names one)."""
    return Answer(AnswerKind.ERROR, text=f"That answer has no pick {max(rank, 0):,}; nothing was saved.")


def cannot_read() -> Answer:
    return Answer(AnswerKind.ERROR, text="Sorry, I can't reach my memory of that answer just now. Please try again.")


def empty_query(notes: tuple[str, ...]) -> Answer:
    return Answer(
        AnswerKind.ERROR,
        text="Tell me a song or an artist you like, for example /kpop Blinding Lights.",
        notes=notes,
    )


def rate_limited(wait: float) -> Answer:
    return Answer(
        AnswerKind.RATE_LIMITED,
        text=f"That's a lot of requests! Please wait {max(1, round(wait))} s and try again.",
    )


def same_title_note(chosen: Item, others: tuple[Item, ...]) -> str:
    """Tell the person which other songs share the title they typed, and how to ask for one of them.

    The shared title is said without credits: "STAY (with Justin Bieber)" is The Kid Laroi's, Zedd's is "Stay".
    """
    title = strip_credits(chosen.title)
    if len(others) == 1:
        also = f"Another song called \u201c{title}\u201d is by {others[0].artist}"
    else:
        also = f"Other songs called \u201c{title}\u201d are by {' and '.join(item.artist for item in others)}"
    return f"{also}: add the artist to ask for {'it' if len(others) == 1 else 'one'} (\u201c{title} {others[0].artist}\u201d)."


def notes_for(match: Match) -> tuple[str, ...]:
    """What to say beside the picks for a confident match."""
    item = match.item
    assert item is not None
    notes = []
    if match.unknown_title:
        kind = "more K-pop like" if item.korean else "K-pop for fans of"
        notes.append(f"I don't know \u201c{match.unknown_title}\u201d yet; here is {kind} {item.title}.")
    if match.same_title:
        notes.append(same_title_note(item, match.same_title))
    if match.other_reading is not None:
        notes.append(_other_reading_note(item, match.other_reading))
    return tuple(notes)


def other_choices(match: Match) -> tuple[ItemRef, ...]:
    """Other items the same words name, offered beside the picks (the terminal numbers them)."""
    return (to_ref(match.other_reading),) if match.other_reading is not None else ()


def unanswered(match: Match, query: str, notes: tuple[str, ...]) -> Answer:
    """"Did you mean" choices, or a plain word on why nothing was found."""
    if match.suggestions:
        return Answer(
            AnswerKind.DID_YOU_MEAN,
            query=query,
            suggestions=tuple(to_ref(s) for s in match.suggestions),
            text="I'm not sure which one you mean. Did you mean:",
            notes=notes,
        )
    text = _unknown_link(match.link) if match.link is not None else NOT_KNOWN_YET
    return Answer(AnswerKind.NOT_FOUND, query=query, text=text, notes=notes)


def _unknown_link(link: Link) -> str:
    if link.service == "other":
        return "I can read Spotify, YouTube and Apple Music links. Type the song or artist instead."
    what = {"track": "song", "video": "song", "search": "song", "song": "song"}.get(link.kind, link.kind)
    if link.id is None and not link.text and link.kind not in {"search"}:
        return f"I can't tell which {what} that {link.service_name} link is. Type its title or artist instead."
    return (f"I don't know the {what} behind that {link.service_name} link yet. "
            "Type its title or artist instead, and I'll look for it.")


def _other_reading_note(chosen: Item, other: Item) -> str:
    """The song named like the artist answered, or the artist named like the song answered."""
    if other.kind == "song":
        title = strip_credits(other.title)
        return (f"\u201c{title}\u201d is also a song by {other.artist}: "
                f"ask for \u201c{title} {other.artist}\u201d to get picks for it.")
    return f"\u201c{chosen.title}\u201d is also the name of an artist; ask for one of their songs to get picks for them."
