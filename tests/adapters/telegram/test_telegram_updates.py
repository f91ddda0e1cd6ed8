"""Pieces of the Telegram adapter below the handlers: reactions as votes, per-person ordering,
and which API failures are retried."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update
from telegram.error import BadRequest, NetworkError, TimedOut

from adapters.telegram.reactions import VoteChange, vote_change
from adapters.telegram.retries import RetryingRateLimiter
from adapters.telegram.updates import PerPersonOrder, person_of
from tests.support.fakes.telegram_updates import group_chat, make_user, reaction_update, text_update

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

UP, DOWN, HEART = "\U0001f44d", "\U0001f44e", "\u2764"


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        ([], [UP], VoteChange(vote=1)),
        ([], [DOWN], VoteChange(vote=-1)),
        ([UP], [DOWN], VoteChange(vote=-1)),
        ([UP], [], VoteChange(retract=frozenset({1}))),
        ([DOWN, HEART], [HEART], VoteChange(retract=frozenset({-1}))),
        ([UP, DOWN], [], VoteChange(retract=frozenset({1, -1}))),
        ([UP, DOWN], [UP], VoteChange(vote=1)),  # the one left on the message
        ([UP], [UP, DOWN], VoteChange(vote=-1)),  # both on: the one just added
        ([DOWN], [UP, DOWN], VoteChange(vote=1)),
        ([], [HEART], None),
        ([UP], [UP, HEART], None),
        ([], [UP, DOWN], None),  # both at once: no telling
        ([UP, DOWN], [UP, DOWN], None),
    ],
)
def test_reactions_as_votes(old: list[str], new: list[str], change: VoteChange | None) -> None:
    assert vote_change(old, new) == change


def update(body: dict[str, Any], update_id: int = 1) -> Update:
    return Update.de_json({"update_id": update_id, **body}, None)


def test_whose_update_it_is() -> None:
    alice, group = make_user("Alice"), group_chat()
    assert person_of(update(text_update("hi", user=alice, chat=group))) == alice["id"]
    assert person_of(update(reaction_update(chat=group, message_id=1, user=alice))) == alice["id"]
    anonymous = reaction_update(chat=group, message_id=1)
    del anonymous["message_reaction"]["user"]
    assert person_of(update(anonymous)) == group["id"]
    assert person_of("not an update") is None


async def test_one_persons_updates_run_in_order_while_others_go_ahead() -> None:
    processor = PerPersonOrder(8)
    alice, bob = make_user("Alice"), make_user("Bob")
    release = asyncio.Event()
    log: list[str] = []

    async def work(name: str, wait: bool = False) -> None:
        log.append(f"{name} start")
        if wait:
            await release.wait()
        log.append(f"{name} end")

    first = asyncio.create_task(processor.process_update(update(text_update("1", user=alice)), work("a1", wait=True)))
    second = asyncio.create_task(processor.process_update(update(text_update("2", user=alice)), work("a2")))
    other = asyncio.create_task(processor.process_update(update(text_update("3", user=bob)), work("b1")))
    await other  # Bob is not held up by Alice's slow update
    assert log == ["a1 start", "b1 start", "b1 end"]
    release.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["a1 end", "a2 start", "a2 end"]
    assert processor._turns == {}  # nothing kept once a person has no updates in hand


async def test_a_persons_waiting_updates_take_no_slot_but_running_ones_are_bounded() -> None:
    processor = PerPersonOrder(2)
    alice, bob, carol = make_user("Alice"), make_user("Bob"), make_user("Carol")
    release = asyncio.Event()
    log: list[str] = []

    async def work(name: str, wait: bool = False) -> None:
        log.append(name)
        if wait:
            await release.wait()

    def start(user: dict[str, Any], name: str, wait: bool = False) -> asyncio.Task[None]:
        return asyncio.create_task(processor.process_update(update(text_update(name, user=user)), work(name, wait)))

    queued = [start(alice, f"a{n}", wait=n == 1) for n in range(1, 6)]  # a1 runs, a2..a5 wait their turn
    slow_bob = start(bob, "b1", wait=True)
    await asyncio.sleep(0.01)
    assert log == ["a1", "b1"]  # Alice's queue did not take Bob's slot
    carol_task = start(carol, "c1")
    await asyncio.sleep(0.01)
    assert "c1" not in log  # two are running: Carol waits for a slot
    release.set()
    await asyncio.gather(*queued, slow_bob, carol_task)
    assert sorted(log[2:]) == ["a2", "a3", "a4", "a5", "c1"]
    assert [name for name in log if name.startswith("a")] == ["a1", "a2", "a3", "a4", "a5"]


async def attempts(limiter: RetryingRateLimiter, failures: list[Exception]) -> int:
    """How many times the limiter called a request that fails with ``failures`` in turn."""
    calls = 0

    async def request() -> bool:
        nonlocal calls
        calls += 1
        if failures:
            raise failures.pop(0)
        return True

    try:
        await limiter.process_request(request, (), {}, "sendMessage", {"chat_id": 1}, None)
    except NetworkError:
        pass
    return calls


async def test_server_errors_are_retried_but_timeouts_and_bad_requests_are_not() -> None:
    limiter = RetryingRateLimiter(server_error_retries=2, first_delay=0.001)
    assert await attempts(limiter, [NetworkError("Bad Gateway"), NetworkError("Internal Server Error")]) == 3
    assert await attempts(limiter, [NetworkError("Bad Gateway")] * 5) == 3  # then it gives up
    assert await attempts(limiter, [TimedOut("read timeout")]) == 1  # it may have been delivered
    assert await attempts(limiter, [BadRequest("can't parse entities")]) == 1
