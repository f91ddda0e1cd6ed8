"""Links people paste instead of typing: what they point at, and any words they carry.

People share music as links: a Spotify share link (``open.spotify.com/intl-de/track/<id>?si=...``
or ``spotify:track:<id>``), a YouTube video or search, an Apple Music song page. A
Spotify track link names a song by its Spotify id, which the catalogue stores; the
other services' ids mean nothing offline, but their addresses often carry the song's
name ("music.apple.com/us/song/blinding-lights/...", a YouTube search), and a message
may name it next to the link. Parsing is pure text work: nothing here is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote_plus, urlsplit

__all__ = ["Link", "find_link"]

Service = Literal["spotify", "youtube", "apple_music", "other"]

# A Spotify id is 22 base-62 characters.
_SPOTIFY_URI = re.compile(r"spotify:(?P<kind>track|artist|album|playlist):(?P<id>[0-9A-Za-z]{22})\b")
_SPOTIFY_PATH = re.compile(r"^/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?(?P<kind>track|artist|album|playlist)/(?P<id>[0-9A-Za-z]{22})")
# Anything that looks like an address: with a scheme, or a bare known music host.
_URL = re.compile(
    r"<?(?P<url>(?:https?://|(?=(?:www\.|m\.)?(?:open\.spotify\.com|youtube\.com|youtu\.be|music\.youtube\.com"
    r"|music\.apple\.com)/))[^\s<>]+)>?",
    re.IGNORECASE,
)
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"})


@dataclass(frozen=True)
class Link:
    """A music link found in a message."""

    service: Service
    kind: str  # track, artist, album, playlist (Spotify); video, search (YouTube); song, album (Apple); page
    id: str | None  # the service's id when the link has one (a Spotify id is 22 characters)
    text: str  # words the address itself gives for the music ("blinding lights"), "" when none
    url: str

    @property
    def service_name(self) -> str:
        """How people call the service."""
        return {"spotify": "Spotify", "youtube": "YouTube", "apple_music": "Apple Music"}.get(self.service, "web")


def find_link(message: str) -> tuple[Link | None, str]:
    """The first music link in ``message``, and the message without it (the words around the link)."""
    uri = _SPOTIFY_URI.search(message)
    if uri:
        link = Link("spotify", uri["kind"], uri["id"], "", uri[0])
        return link, _without(message, uri.start(), uri.end())
    found = _URL.search(message)
    if not found:
        return None, message
    url = found["url"].rstrip(".,;:!?)]}\"'")
    end = found.start("url") + len(url)
    return _parse_url(url), _without(message, found.start(), max(end, found.end()) if found[0].endswith(">") else end)


def _without(message: str, start: int, end: int) -> str:
    return " ".join(f"{message[:start]} {message[end:]}".split())


def _parse_url(url: str) -> Link:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").casefold()
    query = parse_qs(parts.query)
    if host == "open.spotify.com":
        path = _SPOTIFY_PATH.match(parts.path)
        if path:
            return Link("spotify", path["kind"], path["id"], "", url)
        return Link("spotify", "page", None, "", url)
    if host in _YOUTUBE_HOSTS:
        if parts.path.rstrip("/") == "/results" and "search_query" in query:
            return Link("youtube", "search", None, _words(query["search_query"][0]), url)
        video = query.get("v", [None])[0] if host != "youtu.be" else parts.path.strip("/").split("/")[0] or None
        return Link("youtube", "video", video, "", url)
    if host == "music.apple.com":
        segments = [s for s in parts.path.split("/") if s]
        # /{country}/song/{slug}/{id}: the slug is the song's name; an album's slug names the album
        if len(segments) >= 3 and segments[1] == "song":
            return Link("apple_music", "song", segments[-1] if len(segments) >= 4 else None, _words(segments[2]), url)
        kind = segments[1] if len(segments) >= 2 else "page"
        return Link("apple_music", kind, segments[-1] if len(segments) >= 4 else None, "", url)
    return Link("other", "page", None, "", url)


def _words(slug: str) -> str:
    """``"blinding-lights"`` or ``"The+Weeknd+Blinding+Lights"`` -> words."""
    return " ".join(unquote_plus(slug).replace("-", " ").split())
