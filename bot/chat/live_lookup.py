"""Looking up, on the internet, a song or link the catalogue does not know (``KPOP_LIVE_LOOKUP``, off by default).

A bot with internet access can say more about a song newer than its catalogue:
Deezer's public search (no key) names the artist of "Espresso", and the keyless
oEmbed endpoints of Spotify and YouTube give the title behind a link. The
answer found there is matched against the catalogue like typed text, so it
still ends in the catalogue's own songs and artists ("I don't know Espresso
yet; here is K-pop for fans of Sabrina Carpenter").

The offline answer always stands behind it: each request has a short timeout,
a per-minute budget caps what one bot sends, answers (and misses) are cached,
and any failure (timeout, refused connection, an error status, unexpected
JSON) gives the answer the bot would give without the internet. Tests run it
against a local fake server; nothing in the tests or CI reaches the services.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.chat.ratelimit import RateLimiter
from recommender.matching.links import Link
from recommender.matching.matcher import Match, Matcher

__all__ = ["LiveLookup", "Endpoints", "DEEZER", "TIMEOUT_SECONDS", "CACHE_SIZE"]

log = logging.getLogger(__name__)

#: Seconds one request may take before the offline answer is given instead.
TIMEOUT_SECONDS = 2.0
#: Queries (and links) whose lookup is remembered, found or not.
CACHE_SIZE = 1024
#: Search results considered per query: the services rank the best known first.
RESULTS = 3


@dataclass(frozen=True)
class Endpoints:
    """Where the services are; tests point these at a local fake server."""

    deezer_search: str = "https://api.deezer.com/search"
    spotify_oembed: str = "https://open.spotify.com/oembed"
    youtube_oembed: str = "https://www.youtube.com/oembed"


DEEZER = Endpoints()


class LiveLookup:
    """Resolves what the catalogue could not, through public music services; never raises."""

    def __init__(
        self,
        matcher: Matcher,
        *,
        per_minute: int = 30,
        endpoints: Endpoints = DEEZER,
        timeout: float = TIMEOUT_SECONDS,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._matcher = matcher
        self._endpoints = endpoints
        self._client = httpx.AsyncClient(timeout=timeout, headers={"User-Agent": "kpop-bot"})
        self._budget = RateLimiter(per_minute, 60.0, **({"clock": clock} if clock else {}))
        self._cache: OrderedDict[str, Match | None] = OrderedDict()

    async def close(self) -> None:
        await self._client.aclose()

    async def improve(self, query: str, offline: Match) -> Match:
        """A better match for ``query`` than ``offline`` if the services know it, else ``offline`` itself."""
        if offline.item is not None and not offline.unknown_title:
            return offline
        key = offline.link.url if offline.link is not None else query.casefold().strip()
        if key in self._cache:
            self._cache.move_to_end(key)
            found = self._cache[key]
        else:
            try:
                found = await self._look_up(query, offline.link)
            except _OverBudget:
                return offline  # not cached: the next minute may look it up
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                log.warning("live lookup failed (%s); answering offline", type(error).__name__)
                return offline
            self._cache[key] = found
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        if found is None or found.item is None:
            return offline
        if offline.item is not None and not (found.item.kind == "song" and not found.unknown_title):
            return offline  # the catalogue already answered for the artist; only the song itself is better
        return Match(found.item, found.score, False, (), unknown_title=found.unknown_title, link=offline.link)

    async def _look_up(self, query: str, link: Link | None) -> Match | None:
        """The catalogue's reading of what the services call this query or link."""
        if link is not None:
            title = await self._title_of(link)
            if not title:
                return None
            named = self._matcher.match(title)
            if named.item is not None:
                return named
            query = title
        for title, artist in await self._search(query):
            found = self._matcher.match(f"{title} {artist}")
            if found.item is not None:
                return found
            by_artist = self._matcher.match(artist)
            if by_artist.item is not None and by_artist.item.kind == "artist":
                return Match(by_artist.item, by_artist.score, False, (), unknown_title=title)
        return None

    async def _title_of(self, link: Link) -> str:
        """The name a Spotify or YouTube link's oEmbed page gives ("" for other links)."""
        endpoint = {"spotify": self._endpoints.spotify_oembed, "youtube": self._endpoints.youtube_oembed}.get(
            link.service
        )
        if endpoint is None:
            return ""
        body = await self._get(endpoint, {"url": link.url, "format": "json"})
        return str(body.get("title", "")).strip()

    async def _search(self, query: str) -> list[tuple[str, str]]:
        """(title, artist) of Deezer's best results for ``query``."""
        body = await self._get(self._endpoints.deezer_search, {"q": query, "limit": str(RESULTS)})
        return [(str(hit["title"]), str(hit["artist"]["name"])) for hit in body.get("data", [])[:RESULTS]]

    async def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        if self._budget.allow("requests"):
            raise _OverBudget
        response = await self._client.get(url, params=params)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object")
        return body


class _OverBudget(Exception):
    """This minute's requests are spent."""

