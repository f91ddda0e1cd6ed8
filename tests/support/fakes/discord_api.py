"""A local fake Discord (REST API + gateway) that the real discord.py client logs in to.

End-to-end tests of the Discord adapter run the adapter's real ``discord.Client`` against this server on
127.0.0.1: discord.py's own HTTP, rate-limit, webhook and gateway code runs unchanged, only the two base
URLs are redirected (``install``). The fake is protocol-level: it records every REST request and gateway
frame, keeps just enough state for later calls to make sense (messages created get ids and can be edited,
fetched and reacted to; an interaction can be acknowledged once), answers like Discord (same status codes
and error codes), and fails on demand (``fail_next``). It has no opinion about what the bot should say.

Typical test::

    async with fake_discord.running(bot):
        await fake_discord.dispatch("INTERACTION_CREATE", fake_discord.slash_command("kpop", {"query": "IU"}))
        reply = await fake_discord.wait_for_request("POST", "/interactions/{id}/{token}/callback")
        assert reply.json["data"]["content"] == ...

The pieces: ``discord_world`` (state and event payloads), ``discord_rest`` (REST routes, recorder, error
injection), ``discord_gateway`` (websocket sessions), ``discord_payloads`` (raw JSON builders).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import discord
import pytest
import yarl
from aiohttp import web

from tests.support.fakes.discord_gateway import OP_IDENTIFY, OP_RESUME, FakeGateway, GatewayFrame
from tests.support.fakes.discord_rest import API_PREFIX, FakeRestApi, InjectedFailure, RecordedRequest, compile_path
from tests.support.fakes.discord_world import DiscordWorld
from tests.support.fakes.recorder import Recorder


async def _identify_without_pause(self: discord.Client, shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before every IDENTIFY but the first (Discord's identify rate limit).

    The fake has no such limit, and a second shard or a re-IDENTIFY would otherwise cost 5 s per test.
    """


class FakeDiscord(DiscordWorld):
    """A Discord world (see ``DiscordWorld``) served over HTTP and websocket on 127.0.0.1."""

    def __init__(self, *, token: str = "fake-bot-token", bot_name: str = "kpop-bot") -> None:
        super().__init__(token=token, bot_name=bot_name)
        self._recorded: Recorder[RecordedRequest] = Recorder(
            lambda r: f"{r.method} {r.path} -> {r.status} {json.dumps(r.json, ensure_ascii=False):.160}"
        )
        self._failures: list[InjectedFailure] = []
        self._gateway = FakeGateway(self)
        self._rest = FakeRestApi(self, recorded=self._recorded, failures=self._failures)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self._rest.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close open gateway connections and the server."""
        if self._runner is not None:
            await self._gateway.close()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake Discord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway"

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point discord.py at this fake for the current test (REST, webhooks, gateway).

        Also drops discord.py's 5 s pause before every non-initial IDENTIFY (see ``_identify_without_pause``).
        """
        monkeypatch.setattr(discord.http.Route, "BASE", self.api_url)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))
        monkeypatch.setattr(discord.Client, "before_identify_hook", _identify_without_pause)

    @asynccontextmanager
    async def running(self, client: discord.Client, *, timeout: float = 5.0) -> AsyncIterator[discord.Client]:
        """Log ``client`` in, connect it and wait for READY; close it (and await its task) on exit.

        The client should be built with ``guild_ready_timeout=0.05``: discord.py otherwise waits 2 s after
        the last GUILD_CREATE before it is ready. A client that crashes while connecting fails here with
        its own exception instead of a timeout.
        """
        async with client:
            await client.login(self.token)
            connection = asyncio.create_task(client.connect(reconnect=False), name="fake-discord client")
            ready = asyncio.create_task(client.wait_until_ready(), name="fake-discord ready")
            try:
                await asyncio.wait({connection, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if not ready.done():
                    if connection.done():
                        connection.result()
                    raise AssertionError(f"the client was not ready within {timeout:g}s")
                yield client
            finally:
                ready.cancel()
                await client.close()
                await connection

    # -- gateway -------------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: Mapping[str, Any], *, shard_id: int | None = None) -> bool:
        """Send gateway event ``event`` with ``data``; see ``FakeGateway.dispatch`` (routing, intents)."""
        return await self._gateway.dispatch(event, data, shard_id=shard_id)

    async def disconnect(self, *, code: int = 4000, shard_id: int | None = None, resumable: bool = True) -> None:
        """Drop the gateway connection(s); see ``FakeGateway.disconnect``."""
        await self._gateway.disconnect(code=code, shard_id=shard_id, resumable=resumable)

    @property
    def identifies(self) -> list[dict[str, Any]]:
        """Every IDENTIFY payload received (token, intents, shard, properties...), oldest first."""
        return [frame.data for frame in self._gateway.received.items if frame.op == OP_IDENTIFY]

    @property
    def resumes(self) -> list[dict[str, Any]]:
        """Every RESUME payload received (token, session_id, seq), oldest first."""
        return [frame.data for frame in self._gateway.received.items if frame.op == OP_RESUME]

    async def wait_for_gateway(self, op: int, *, shard_id: int | None = None, timeout: float = 2.0) -> GatewayFrame:
        """The next unconsumed frame with opcode ``op`` the client sent, once the fake has handled it."""
        return await self._gateway.received.wait_for(
            lambda f: f.op == op and (shard_id is None or f.shard_id == shard_id),
            timeout=timeout,
            what=f"gateway op {op}" + (f" on shard {shard_id}" if shard_id is not None else ""),
        )

    # -- REST ----------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST request so far, oldest first."""
        return self._recorded.items

    async def wait_for_request(
        self,
        method: str,
        path: str,
        *,
        where: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 2.0,
    ) -> RecordedRequest:
        """The next unconsumed request ``method path`` (``{name}`` = any segment) that ``where`` accepts.

        Waits up to ``timeout`` seconds; the request is recorded once answered, so ``response`` and
        ``status`` are set. Each request is returned once, so successive waits walk through successive
        matching requests.
        """
        pattern = compile_path(path)

        def matches(request: RecordedRequest) -> bool:
            return (
                request.method == method.upper()
                and pattern.fullmatch(request.path) is not None
                and (where is None or where(request))
            )

        return await self._recorded.wait_for(matches, timeout=timeout, what=f"request {method.upper()} {path}")

    @property
    def rate_limits(self) -> dict[str, tuple[int, float]]:
        """(requests, seconds) per route, e.g. ``fake.rate_limits["POST /channels/{channel_id}/messages"] =
        (5, 5.0)``; routes not listed allow a generous default (see ``discord_rest.DEFAULT_LIMIT``)."""
        return self._rest.limits

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests ``method path`` with ``status`` instead of handling them.

        429 comes with the headers (``Retry-After``, ``Via``) and body discord.py needs to wait
        ``retry_after`` seconds (default 0.05) and retry; without ``Via`` it would treat the 429 as a
        Cloudflare ban and raise at once. Note that discord.py retries 500/502/504 itself after sleeping
        1 s, then 3 s, ...; other statuses become ``discord.HTTPException`` subclasses.
        """
        headers: dict[str, str] = {}
        if status == 429:
            wait = 0.05 if retry_after is None else retry_after
            if body is None:
                body = {"message": "You are being rate limited.", "retry_after": wait, "global": False}
            headers = {"Retry-After": f"{wait:g}", "Via": "1.1 google", "X-RateLimit-Scope": "user"}
        elif body is None:
            body = {"code": 0, "message": f"{status}: failure injected by the fake"}
        self._failures.append(InjectedFailure(method.upper(), compile_path(path), status, body, headers, times))
