"""The fake Discord gateway: the websocket discord.py keeps open per shard to receive events.

It speaks the real protocol so the client library's own connection code runs: HELLO, heartbeat ACKs,
IDENTIFY -> READY + GUILD_CREATE, RESUME -> replay of missed events + RESUMED, INVALID_SESSION. Frames
go out as JSON *text*: discord.py asks for zlib/zstd streams but only decompresses binary frames, so text
frames need no compression at all.

Like Discord, the fake routes guild events to shard ``(guild_id >> 22) % shard_count`` (DMs to shard 0)
and drops events whose intent the client did not request, so a bot that forgot an intent fails its test
here rather than in production.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fakes.discord_world import DiscordWorld
from tests.support.fakes.recorder import Recorder

_log = logging.getLogger(__name__)

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 9, 10, 11
# Client requests that are valid but need no answer here: presence and voice state updates, and member
# requests (GUILD_CREATE always lists every member, so discord.py never needs to chunk a fake guild).
_RECORDED_ONLY = {3, 4, 8}

CLOSE_UNKNOWN_OPCODE, CLOSE_DECODE_ERROR, CLOSE_NOT_AUTHENTICATED, CLOSE_AUTHENTICATION_FAILED = 4001, 4002, 4003, 4004
CLOSE_ALREADY_AUTHENTICATED, CLOSE_INVALID_SHARD, CLOSE_INVALID_INTENTS = 4005, 4010, 4013

INTENT_GUILDS = 1 << 0
# Which intent an event needs, when it happens in a guild and when it happens in a DM. Events not listed
# (READY, INTERACTION_CREATE, ...) are always delivered.
_GUILD_EVENT_INTENTS = {
    "GUILD_CREATE": INTENT_GUILDS,
    "GUILD_UPDATE": INTENT_GUILDS,
    "GUILD_DELETE": INTENT_GUILDS,
    "CHANNEL_CREATE": INTENT_GUILDS,
    "GUILD_MEMBER_ADD": 1 << 1,
    "GUILD_MEMBER_REMOVE": 1 << 1,
    "MESSAGE_CREATE": 1 << 9,
    "MESSAGE_UPDATE": 1 << 9,
    "MESSAGE_DELETE": 1 << 9,
    "MESSAGE_REACTION_ADD": 1 << 10,
    "MESSAGE_REACTION_REMOVE": 1 << 10,
    "MESSAGE_REACTION_REMOVE_ALL": 1 << 10,
    "MESSAGE_REACTION_REMOVE_EMOJI": 1 << 10,
}
# Events whose data is the guild itself, so its id is "id" rather than "guild_id".
_GUILD_EVENTS = {"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"}
_DM_EVENT_INTENTS = {
    "MESSAGE_CREATE": 1 << 12,
    "MESSAGE_UPDATE": 1 << 12,
    "MESSAGE_DELETE": 1 << 12,
    "MESSAGE_REACTION_ADD": 1 << 13,
    "MESSAGE_REACTION_REMOVE": 1 << 13,
    "MESSAGE_REACTION_REMOVE_ALL": 1 << 13,
    "MESSAGE_REACTION_REMOVE_EMOJI": 1 << 13,
}


@dataclass(frozen=True)
class GatewayFrame:
    """One frame the client sent, recorded after the fake handled it.

    ``shard_id`` is None for frames that arrived before IDENTIFY/RESUME said which shard the connection is.
    """

    shard_id: int | None
    op: int
    data: Any


@dataclass
class _Session:
    """A gateway session: survives disconnects, so RESUME can replay what the client missed."""

    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    log: list[tuple[int, str]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    resumable: bool = True
    # Serialises sends and the replay on RESUME so events never overtake each other.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _frame(op: int, data: Any, *, seq: int | None = None, event: str | None = None) -> str:
    return json.dumps({"op": op, "d": data, "s": seq, "t": event}, ensure_ascii=False)


class FakeGateway:
    """Serves the gateway of ``world``; ``received`` records every frame the client sent."""

    def __init__(self, world: DiscordWorld) -> None:
        self._world = world
        self._sessions: dict[int, _Session] = {}  # current session per shard id
        self._by_session_id: dict[str, _Session] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self.received: Recorder[GatewayFrame] = Recorder(lambda f: f"shard {f.shard_id}: op {f.op} {f.data!r:.120}")

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The aiohttp handler for one websocket connection (one shard, until it drops)."""
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: _Session | None = None
        try:
            await ws.send_str(_frame(OP_HELLO, {"heartbeat_interval": self._world.heartbeat_interval}))
            async for message in ws:
                if message.type is WSMsgType.BINARY:  # only ETF would be binary, and it was not asked for
                    await ws.close(code=CLOSE_DECODE_ERROR)
                if message.type is not WSMsgType.TEXT:
                    break
                frame = json.loads(message.data)
                op, data = frame.get("op"), frame.get("d")
                session = await self._handle_frame(ws, session, op, data, request.host)
                self.received.append(GatewayFrame(session.shard_id if session else None, op, data))
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _handle_frame(
        self, ws: web.WebSocketResponse, session: _Session | None, op: int, data: Any, host: str
    ) -> _Session | None:
        if op == OP_HEARTBEAT:
            await ws.send_str(_frame(OP_HEARTBEAT_ACK, None))
        elif op == OP_IDENTIFY:
            if session is not None:
                await ws.close(code=CLOSE_ALREADY_AUTHENTICATED)
                return session
            return await self._identify(ws, data, resume_url=f"ws://{host}/gateway")
        elif op == OP_RESUME:
            return await self._resume(ws, data)
        elif session is None:
            await ws.close(code=CLOSE_NOT_AUTHENTICATED)
        elif op not in _RECORDED_ONLY:
            await ws.close(code=CLOSE_UNKNOWN_OPCODE)
        return session

    async def _identify(
        self, ws: web.WebSocketResponse, data: Mapping[str, Any], *, resume_url: str
    ) -> _Session | None:
        shard_id, shard_count = data.get("shard") or (0, 1)
        if data.get("token") != self._world.token:
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        if not 0 <= shard_id < shard_count:
            await ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return None
        if not isinstance(data.get("intents"), int):
            await ws.close(code=CLOSE_INVALID_INTENTS, message=b"Invalid intent(s).")
            return None
        session = _Session(uuid.uuid4().hex, shard_id, shard_count, data["intents"])
        self._sessions[shard_id] = session
        self._by_session_id[session.session_id] = session
        guilds = [g for g in self._world.guild_payloads() if (int(g["id"]) >> 22) % shard_count == shard_id]
        ready = {
            "v": 10,
            "user": self._world.bot_user,
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": resume_url,
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "application": {"id": str(self._world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "shard": [shard_id, shard_count],
        }
        async with session.lock:
            session.ws = ws
            await self._send(session, "READY", ready)
            if session.intents & INTENT_GUILDS:
                for guild in guilds:
                    await self._send(session, "GUILD_CREATE", guild)
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: Mapping[str, Any]) -> _Session | None:
        session = self._by_session_id.get(data.get("session_id", ""))
        if data.get("token") != self._world.token:
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        if session is None or not session.resumable or self._sessions.get(session.shard_id) is not session:
            # d=false: the client must IDENTIFY again with a new session.
            await ws.send_str(_frame(OP_INVALID_SESSION, False))
            return None
        async with session.lock:
            last_seen = data.get("seq") or 0
            for seq, text in session.log:
                if seq > last_seen:
                    await ws.send_str(text)
            session.ws = ws
            await ws.send_str(_frame(OP_DISPATCH, {}, event="RESUMED"))
        return session

    async def _send(self, session: _Session, event: str, data: Any) -> None:
        """Log a dispatch under the next sequence number and send it if the shard is connected.

        The caller holds ``session.lock``. An event that cannot be sent stays in the log and is replayed
        when the client resumes, exactly like a real missed event.
        """
        seq = len(session.log) + 1
        text = _frame(OP_DISPATCH, data, seq=seq, event=event)
        session.log.append((seq, text))
        if session.ws is not None:
            try:
                await session.ws.send_str(text)
            except ConnectionError:
                session.ws = None

    def _route(self, guild_id: str | None, shard_id: int | None) -> _Session:
        if not self._sessions:
            raise RuntimeError("no gateway session: the client has not IDENTIFYed yet")
        if shard_id is None:
            shard_count = next(iter(self._sessions.values())).shard_count
            shard_id = (int(guild_id) >> 22) % shard_count if guild_id is not None else 0
        session = self._sessions.get(shard_id)
        if session is None:
            raise RuntimeError(f"no gateway session for shard {shard_id}")
        if not session.resumable:
            # Discord would lose the event; in a test that is a race to fix, so say so.
            raise RuntimeError(f"shard {shard_id} is between sessions: wait for its new IDENTIFY first")
        return session

    async def dispatch(self, event: str, data: Mapping[str, Any], *, shard_id: int | None = None) -> bool:
        """Send event ``event`` to the shard that owns it; False if its intent was not requested.

        An event sent while that shard is disconnected is delivered when the client resumes.
        """
        guild_id = data.get("id") if event in _GUILD_EVENTS else data.get("guild_id")
        session = self._route(guild_id, shard_id)
        needed = (_GUILD_EVENT_INTENTS if guild_id is not None else _DM_EVENT_INTENTS).get(event, 0)
        if needed and not session.intents & needed:
            _log.warning("fake Discord dropped %s: the client did not request intent bit %#x", event, needed)
            return False
        async with session.lock:
            await self._send(session, event, data)
        return True

    async def disconnect(self, *, code: int = 4000, shard_id: int | None = None, resumable: bool = True) -> None:
        """Drop the connection of one shard (or all) with close ``code``.

        discord.py reconnects and RESUMEs after any code except 4004 and 4010-4014 (those end the client).
        With ``resumable=False`` the session is forgotten: the RESUME gets INVALID_SESSION and the client
        IDENTIFYs again, as after a long outage.
        """
        sessions = [s for s in self._sessions.values() if shard_id is None or s.shard_id == shard_id]
        connected = [s for s in sessions if s.ws is not None]
        if not connected:
            raise RuntimeError(f"no connected gateway session for shard {shard_id}")
        for session in connected:
            async with session.lock:
                ws, session.ws = session.ws, None
                session.resumable = resumable
            assert ws is not None
            await ws.close(code=code)

    async def close(self) -> None:
        """Close every open websocket (1001: going away) so the server can stop without waiting."""
        for ws in list(self._sockets):
            await ws.close(code=1001)
