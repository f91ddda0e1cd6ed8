"""KPOP_LIVE_LOOKUP: unknown songs and links looked up in public music services, always with the offline answer behind.

The services are a local fake on 127.0.0.1 (tests/support/fakes/music_services.py); nothing here reaches the internet.
"""

from __future__ import annotations

import time

import pytest

from bot.app.config import load_settings
from bot.chat.live_lookup import LiveLookup
from bot.chat.replies import AnswerKind, Sender
from tests.support.fakes.music_services import FakeMusicServices
from tests.support.fixtures.core import CoreFactory

ALICE = Sender("test", "alice", "chat-1")
SERVICES = [("Espresso", "Sabrina Carpenter"), ("Espresso", "Taylor Swift"), ("Butter", "BTS"),
            ("Supernova", "aespa"), ("Bohemian Rhapsody", "Queen")]
SPOTIFY = "https://open.spotify.com/track/2qSkIjg1o9h3YT9RAgYN75"



def test_it_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPOP_LIVE_LOOKUP", raising=False)
    assert not load_settings().live_lookup
    assert load_settings(KPOP_LIVE_LOOKUP="true").live_lookup


async def test_an_unknown_song_is_answered_for_the_artist_the_service_names(make_core: CoreFactory) -> None:
    fake = FakeMusicServices([("Espresso", "Taylor Swift"), *SERVICES])
    core = await make_core()
    offline = await core.recommend(ALICE, "Espresso")
    assert offline.kind == AnswerKind.NOT_FOUND
    async with fake.running() as endpoints:
        core.lookup = LiveLookup(core.library.matcher, endpoints=endpoints)
        try:
            answer = await core.recommend(ALICE, "Espresso")
            again = await core.recommend(ALICE, "espresso ")
        finally:
            await core.lookup.close()
    assert answer.kind == AnswerKind.PICKS and answer.match is not None
    assert (answer.match.kind, answer.match.title) == ("artist", "Taylor Swift")
    assert answer.notes[0] == "I don't know \u201cEspresso\u201d yet; here is K-pop for fans of Taylor Swift."
    assert again.match == answer.match and len(fake.requests) == 1  # the second one came from the cache


async def test_a_link_is_looked_up_by_its_title(make_core: CoreFactory) -> None:
    fake = FakeMusicServices(SERVICES, titles={SPOTIFY: "Butter", "https://youtu.be/abc": "BTS - Butter (Official MV)"})
    core = await make_core()
    async with fake.running() as endpoints:
        core.lookup = LiveLookup(core.library.matcher, endpoints=endpoints)
        try:
            spotify = await core.recommend(ALICE, SPOTIFY)
            youtube = await core.recommend(ALICE, "https://youtu.be/abc")
            unknown = await core.recommend(ALICE, "https://open.spotify.com/track/0000000000000000000000")
        finally:
            await core.lookup.close()
    assert spotify.match is not None and (spotify.match.title, spotify.match.artist) == ("Butter", "BTS")
    assert youtube.match is not None and (youtube.match.title, youtube.match.artist) == ("Butter", "BTS")
    assert unknown.kind == AnswerKind.NOT_FOUND and "Spotify link" in unknown.text  # the offline answer


@pytest.mark.parametrize("failure", ["status", "stall", "refused"])
async def test_any_failure_gives_the_offline_answer(make_core: CoreFactory, failure: str) -> None:
    fake = FakeMusicServices(SERVICES, status=500 if failure == "status" else 200,
                             stall_seconds=1.0 if failure == "stall" else 0.0)
    core = await make_core()
    async with fake.running() as endpoints:
        if failure == "refused":
            endpoints = type(endpoints)("http://127.0.0.1:9/search", "http://127.0.0.1:9/o", "http://127.0.0.1:9/o")
        core.lookup = LiveLookup(core.library.matcher, endpoints=endpoints, timeout=0.2)
        try:
            started = time.monotonic()
            answer = await core.recommend(ALICE, "Espresso")
            took = time.monotonic() - started
        finally:
            await core.lookup.close()
    assert answer.kind == AnswerKind.NOT_FOUND and answer.text.startswith("I don't know that one yet")
    assert took < 0.9


async def test_the_per_minute_budget_caps_requests(make_core: CoreFactory) -> None:
    fake = FakeMusicServices(SERVICES)
    now = [0.0]
    core = await make_core()
    async with fake.running() as endpoints:
        core.lookup = LiveLookup(core.library.matcher, endpoints=endpoints, per_minute=2, clock=lambda: now[0])
        try:
            answers = [await core.recommend(ALICE, f"Unknown Song {n}") for n in range(4)]
            assert len(fake.requests) == 2 and all(a.kind == AnswerKind.NOT_FOUND for a in answers)
            now[0] += 61.0
            await core.recommend(ALICE, "Unknown Song 3")  # not cached while over budget: asked now
        finally:
            await core.lookup.close()
    assert len(fake.requests) == 3


async def test_the_catalogue_answer_is_kept_when_it_has_one(make_core: CoreFactory) -> None:
    fake = FakeMusicServices(SERVICES)
    core = await make_core()
    async with fake.running() as endpoints:
        core.lookup = LiveLookup(core.library.matcher, endpoints=endpoints)
        try:
            answer = await core.recommend(ALICE, "Blinding Lights")
        finally:
            await core.lookup.close()
    assert answer.match is not None and answer.match.title == "Blinding Lights" and fake.requests == []
