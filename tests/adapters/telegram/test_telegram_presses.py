"""Button presses as Telegram delivers them: acknowledged at once, numbered on, kept in their forum topic,
and never trusted beyond what the pressed message shows (a modified client can send any data)."""

from __future__ import annotations

import re

import pytest

from adapters.telegram.handlers import APOLOGY, STALE_BUTTON
from tests.support.fakes.log_guard import ErrorLogGuard
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_updates import (
    DEFAULT_USER,
    command_update,
    forum_chat,
    group_chat,
    make_user,
    private_chat,
    text_update,
)
from tests.support.fixtures.telegram import BotStarter
from tests.support.telegram import JSON, ask_kpop, press, recommendations, reply_to, settle, votes

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


def ranks(message: JSON) -> list[str]:
    return re.findall(r"^(\d+)\. ", message["text"], re.MULTILINE)


def songs(message: JSON) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", message["text"], re.MULTILINE)


async def test_a_press_is_acknowledged_before_the_reply_waits_out_flood_control(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    chat = group_chat()
    _, first, rec = await ask_kpop(bot, "Blinding Lights", chat)
    fake_telegram.callback_query_lifetime = 0.3  # the app gives up on the spinner long before this wait ends
    fake_telegram.fail_next("sendMessage", 429, retry_after=0.6)

    answered = await press(fake_telegram, f"m:{rec.id}", first)
    more = await reply_to(fake_telegram, chat, 2)

    assert answered.ok  # in time: not "query is too old"
    assert ranks(more) == ["4", "5", "6"]


async def test_a_press_whose_handling_fails_is_answered_with_an_apology(
    start_telegram_bot: BotStarter,
    fake_telegram: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    fail_on_error_logs: ErrorLogGuard,
) -> None:
    fail_on_error_logs.allow("handling a Telegram update failed")
    bot = await start_telegram_bot()
    chat = group_chat()
    _, first, rec = await ask_kpop(bot, "Blinding Lights", chat)

    async def broken(*args: object) -> None:
        raise RuntimeError("the core broke")

    monkeypatch.setattr(bot.core, "more", broken)
    answered = await press(fake_telegram, f"m:{rec.id}", first)

    assert answered.ok and answered.params["text"] == APOLOGY
    await settle(fake_telegram, DEFAULT_USER)  # the failure is logged once its handling ends
    assert len(fake_telegram.sent_messages(chat["id"])) == 1
    [record] = fail_on_error_logs.records
    assert "the core broke" in str(record.exc_info[1])  # type: ignore[index]


async def test_more_pressed_again_continues_after_the_last_page(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    chat = private_chat()
    _, first, rec = await ask_kpop(bot, "Blinding Lights", chat)

    await press(fake_telegram, f"m:{rec.id}", first)
    second = await reply_to(fake_telegram, chat, 3)  # after settle()'s help
    await press(fake_telegram, f"m:{rec.id}", first)  # the first answer's button, pressed again
    third = await reply_to(fake_telegram, chat, 4)

    assert (ranks(first), ranks(second), ranks(third)) == (["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"])
    assert len(set(songs(first) + songs(second) + songs(third))) == 9


async def test_more_in_a_forum_topic_stays_in_the_topic(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    forum = forum_chat()
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", chat=forum, thread_id=42))
    answer = await reply_to(fake_telegram, forum)
    await settle(fake_telegram, make_user("Nobody"))  # a stranger's /help goes after the answer is stored
    [rec] = await recommendations(bot.core)

    await press(fake_telegram, f"m:{rec.id}", answer)
    more = await reply_to(fake_telegram, forum, 2)

    assert answer["message_thread_id"] == 42
    assert (more.get("message_thread_id"), ranks(more)) == (42, ["4", "5", "6"])


async def test_forged_presses_reach_no_other_chats_answer(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    """Mallory, in a group with Bob, sends made-up data from a modified client under Bob's answer."""
    bot = await start_telegram_bot()
    alice, bob, mallory = make_user("Alice"), make_user("Bob"), make_user("Mallory")
    group = group_chat()
    _, _, private_answer = await ask_kpop(bot, "Taylor Swift", private_chat(alice), alice)
    _, bobs, group_answer = await ask_kpop(bot, "Blinding Lights", group, bob)
    song_id = private_answer.match_id if private_answer.match_kind == "song" else 1

    more = await press(fake_telegram, f"m:{private_answer.id}", bobs, mallory, forged=True)
    vote = await press(fake_telegram, f"v:{private_answer.id}:-1", bobs, mallory, forged=True)
    query = await press(fake_telegram, f"c:s:{song_id}:something rude", bobs, mallory, forged=True)
    real_vote = await press(fake_telegram, f"v:{group_answer.id}:1", bobs, mallory)  # a button Bob's answer has

    assert [call.params.get("text") for call in (more, vote, query)] == [STALE_BUTTON] * 3
    assert real_vote.params["text"] == "Thanks for the \U0001f44d!"
    assert len(fake_telegram.sent_messages(group["id"])) == 1  # nothing of Alice's answer went to the group
    assert fake_telegram.calls("editMessageText") == []
    assert await votes(bot.core) == {(str(mallory["id"]), group_answer.id, 0, 1)}
    assert [r.query for r in await recommendations(bot.core)] == ["Taylor Swift", "Blinding Lights"]


async def test_a_forged_vote_on_a_message_of_the_same_chat_counts_only_for_its_own_answer(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    group = group_chat()
    _, older, older_rec = await ask_kpop(bot, "Blinding Lights", group)
    _, newer, _ = await ask_kpop(bot, "Taylor Swift", group)

    # the press is under the newer answer, the data names the older one: it is not what the message shows
    forged = await press(fake_telegram, f"v:{older_rec.id}:1", newer, forged=True)
    real = await press(fake_telegram, f"v:{older_rec.id}:-1", older)

    assert forged.params["text"] == STALE_BUTTON and real.params["text"] == "Thanks, noted \U0001f44e."
    assert {vote for *_, vote in await votes(bot.core)} == {-1}


async def test_presses_on_a_message_telegram_no_longer_shows_go_by_that_message(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    """Without the message there is no keyboard to check the data against: a vote counts for the
    answer that message shows, and "more" only for an answer shown in that chat."""
    bot = await start_telegram_bot()
    alice, mallory, group = make_user("Alice"), make_user("Mallory"), group_chat()
    _, _, private_answer = await ask_kpop(bot, "Taylor Swift", private_chat(alice), alice)
    _, old_answer, group_answer = await ask_kpop(bot, "Blinding Lights", group, mallory)

    vote = await press(fake_telegram, f"v:{private_answer.id}:-1", old_answer, mallory, inaccessible=True)
    more = await press(fake_telegram, f"m:{private_answer.id}", old_answer, mallory, inaccessible=True)
    chatter = fake_telegram.push_update(text_update("hi all", chat=group))["message"]
    stray = await press(fake_telegram, "v:1:1", chatter, mallory, inaccessible=True)

    assert vote.params["text"] == "Thanks, noted \U0001f44e."
    assert await votes(bot.core) == {(str(mallory["id"]), group_answer.id, 0, -1)}  # the message's answer
    assert more.params["text"] == "I can't find that answer any more. Please ask again."
    assert stray.params["text"] == STALE_BUTTON
    assert len(fake_telegram.sent_messages(group["id"])) == 1
