"""A fake of the public music services the live lookup asks (Deezer search, Spotify and YouTube oEmbed), on 127.0.0.1.

It answers from a small table the test gives, records every request, and can be
told to fail (an error status) or to stall past the client's timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from bot.chat.live_lookup import Endpoints


@dataclass
class FakeMusicServices:
    songs: list[tuple[str, str]]  # (title, artist), best known first
    titles: dict[str, str] = field(default_factory=dict)  # link URL -> the oEmbed title
    requests: list[str] = field(default_factory=list)  # path?query of every request
    status: int = 200
    stall_seconds: float = 0.0

    async def _respond(self, request: web.Request, body: object) -> web.Response:
        self.requests.append(request.path_qs)
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        if self.status != 200:
            return web.json_response({"error": "fake failure"}, status=self.status)
        return web.json_response(body)

    async def search(self, request: web.Request) -> web.Response:
        words = request.query["q"].casefold().split()
        hits = [{"title": t, "artist": {"name": a}} for t, a in self.songs
                if all(w in f"{t} {a}".casefold() for w in words)]
        return await self._respond(request, {"data": hits[: int(request.query.get("limit", "25"))], "total": len(hits)})

    async def oembed(self, request: web.Request) -> web.Response:
        title = self.titles.get(request.query["url"])
        if title is None:
            self.requests.append(request.path_qs)
            return web.json_response({"error": "not found"}, status=404)
        return await self._respond(request, {"title": title, "type": "rich", "version": "1.0"})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Endpoints]:
        app = web.Application()
        app.router.add_get("/search", self.search)
        app.router.add_get("/spotify/oembed", self.oembed)
        app.router.add_get("/youtube/oembed", self.oembed)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        try:
            yield Endpoints(f"{base}/search", f"{base}/spotify/oembed", f"{base}/youtube/oembed")
        finally:
            await runner.cleanup()
