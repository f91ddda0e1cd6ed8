"""Platform-neutral messages in and out of the core.

Adapters build a :class:`Sender` from a platform event and turn an
:class:`Answer` into a platform message; the core never sees a Discord or
Telegram object. Every string here is raw catalogue or user text: each adapter
escapes it for its own markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal
from urllib.parse import quote_plus

__all__ = ["Sender", "AnswerKind", "ItemRef", "Pick", "Answer", "spotify_track_url", "youtube_search_url"]


@dataclass(frozen=True)
class Sender:
    """Who asked, and where. Ids are the platform's own, as strings."""

    platform: str  # "discord", "telegram", "terminal"
    user_id: str
    chat_id: str


class AnswerKind(str, Enum):
    PICKS = "picks"  # a match and its Korean picks
    DID_YOU_MEAN = "did_you_mean"  # no confident match; ``suggestions`` holds choices
    NOT_FOUND = "not_found"  # nothing close at all
    HELP = "help"
    INFO = "info"  # a plain message: forget confirmation, stats, "no more picks"
    ERROR = "error"  # bad input or a fault the user should know about
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class ItemRef:
    """A catalogue song or artist as shown to a user."""

    kind: Literal["song", "artist"]
    id: int
    title: str  # the song title, or the artist name for an artist
    artist: str
    korean: bool

    @property
    def label(self) -> str:
        return self.title if self.kind == "artist" else f"{self.title} \u2014 {self.artist}"


def spotify_track_url(spotify_id: str | None) -> str | None:
    return f"https://open.spotify.com/track/{spotify_id}" if spotify_id else None


def youtube_search_url(title: str, artist: str) -> str:
    return "https://www.youtube.com/results?search_query=" + quote_plus(f"{artist} {title}")


@dataclass(frozen=True)
class Pick:
    """One Korean song recommended, with the reason it was chosen."""

    rank: int  # 1-based position across pages of the same recommendation
    song_id: int
    title: str
    artist: str
    spotify_id: str | None
    distance: float | None  # audio distance that ranked it; None for a random pick
    reason: str

    @property
    def spotify_url(self) -> str | None:
        return spotify_track_url(self.spotify_id)

    @property
    def youtube_url(self) -> str:
        return youtube_search_url(self.title, self.artist)


@dataclass(frozen=True)
class Answer:
    """What the core says back. ``recommendation_id`` keys feedback and "more"."""

    kind: AnswerKind
    query: str = ""
    match: ItemRef | None = None
    suggestions: tuple[ItemRef, ...] = ()
    picks: tuple[Pick, ...] = ()
    recommendation_id: int | None = None
    text: str = ""  # help, info and error text
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. "your query was cut to 100 characters"
    has_more: bool = False
    catalogue: str = ""  # the stamp of the build it was made from (Library.stamp): buttons carry it
