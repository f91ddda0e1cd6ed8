"""The Telegram adapter end to end in chats: real python-telegram-bot, fake Bot API, real core and SQLite.

Each test starts the adapter with ``serve()`` (as ``kpop-bot run`` does), pushes
updates into the fake and asserts on the Bot API calls and on the stored rows.
"""

from __future__ import annotations

import re

import pytest

from adapters.telegram.application import ALLOWED_UPDATES, COMMANDS
from adapters.telegram.handlers import STALE_BUTTON
from bot.chat.messages import HELP_TEXT
from tests.support.fixtures.telegram import BotStarter, RunningBot
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_html import utf16_length
from tests.support.fakes.telegram_updates import (
    DEFAULT_USER,
    callback_query_update,
    command_update,
    group_chat,
    make_user,
    private_chat,
    reaction_update,
    text_update,
)
from tests.support.telegram import (
    DOWN,
    UP,
    ask_kpop,
    buttons,
    press,
    recommendations,
    reply_to,
    settle,
    shown_text,
    votes,
)

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


async def test_kpop_in_a_private_chat_answers_with_picks_links_and_vote_buttons(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    chat = private_chat()
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", chat=chat))
    sent = await fake_telegram.wait_for_call("sendMessage")

    assert sent.params["parse_mode"] == "HTML"
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in sent.params  # no quoting in a private chat
    text = shown_text(sent.params["text"])
    assert text.startswith("If you like Blinding Lights \u2014 The Weeknd, try:")
    assert re.findall(r"^(\d)\. ", text, re.MULTILINE) == ["1", "2", "3"]
    assert sent.params["text"].count('<a href="https://www.youtube.com/results?search_query=') == 3
    await settle(fake_telegram, DEFAULT_USER)  # the message id is stored just after sending
    [rec] = await recommendations(bot.core)
    assert (rec.platform, rec.user_id, rec.chat_id) == ("telegram", str(DEFAULT_USER["id"]), str(chat["id"]))
    assert rec.message_id == str(sent.result["message_id"])  # so reactions on it find it
    assert buttons(sent.result) == [[(UP, f"v:{rec.id}:1"), (DOWN, f"v:{rec.id}:-1"), ("More \u25b8", f"m:{rec.id}")]]


async def test_kpop_in_a_group_answers_commands_for_this_bot_and_quotes_them(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    group, bob = group_chat(), make_user("Bob")
    fake_telegram.push_update(command_update("kpop", "BTS", bot_username="other_bot", user=bob, chat=group))
    addressed = fake_telegram.push_update(
        command_update("kpop", "Taylor Swift", bot_username=fake_telegram.bot_username, user=bob, chat=group)
    )
    bare = fake_telegram.push_update(command_update("kpop", "Shape of You", user=bob, chat=group))
    first, second = await fake_telegram.wait_for_calls("sendMessage", 2)

    assert shown_text(first.params["text"]).startswith("If you like Taylor Swift, try:")
    assert shown_text(second.params["text"]).startswith("If you like Shape of You \u2014 Ed Sheeran, try:")
    quoted = first.params["reply_parameters"]
    assert (quoted["message_id"], quoted["allow_sending_without_reply"]) == (addressed["message"]["message_id"], True)
    assert second.params["reply_parameters"]["message_id"] == bare["message"]["message_id"]
    assert len(fake_telegram.calls("sendMessage")) == 2  # /kpop@other_bot was not ours
    assert {(r.user_id, r.chat_id) for r in await recommendations(bot.core)} == {(str(bob["id"]), str(group["id"]))}


async def test_plain_text_is_a_query_in_a_private_chat_but_not_in_a_group(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot()
    group, private = group_chat(), private_chat()
    ignored = fake_telegram.push_update(text_update("blinding lights", chat=group))
    fake_telegram.push_update(text_update("blinding lights", chat=private))
    answer = await reply_to(fake_telegram, private)  # same person: the group message came first

    assert ignored["update_id"] in fake_telegram.delivered_update_ids()
    assert answer["text"].startswith("If you like Blinding Lights")
    assert [call.params["chat_id"] for call in fake_telegram.calls("sendMessage")] == [private["id"]]


async def test_start_help_and_unknown_commands_explain_the_bot(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot()
    chat = private_chat()
    fake_telegram.push_update(command_update("start", chat=chat))
    fake_telegram.push_update(command_update("kpop", chat=chat))
    fake_telegram.push_update(command_update("dance", chat=chat))
    start, bare_kpop, unknown = await fake_telegram.wait_for_calls("sendMessage", 3)

    assert shown_text(start.params["text"]) == HELP_TEXT
    assert shown_text(bare_kpop.params["text"]) == HELP_TEXT
    assert "I don't know /dance" in shown_text(unknown.params["text"])
    assert "reply_markup" not in start.params


async def test_the_command_list_is_registered_and_reactions_are_requested(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot()
    fake_telegram.push_update(command_update("help"))
    await fake_telegram.wait_for_call("sendMessage")

    [registered] = fake_telegram.calls("setMyCommands")
    assert registered.params["commands"] == [{"command": c.command, "description": c.description} for c in COMMANDS]
    assert {c.command for c in COMMANDS} == {"kpop", "more", "forget", "help"}
    polls = fake_telegram.calls("getUpdates")
    assert polls[0].params["allowed_updates"] == list(ALLOWED_UPDATES)
    assert {"message_reaction", "callback_query", "inline_query"} <= set(ALLOWED_UPDATES)
    assert [call.method for call in fake_telegram.calls()][:3] == ["getMe", "setMyCommands", "deleteWebhook"]


async def test_did_you_mean_buttons_edit_the_message_into_the_answer(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    chat = private_chat()
    fake_telegram.push_update(command_update("kpop", "Stai", chat=chat))
    offer = await reply_to(fake_telegram, chat)
    choices = buttons(offer)
    assert choices and all(label.startswith("Stay \u2014 ") for [(label, _)] in choices)
    assert all(re.fullmatch(r"k:s:\d+:[0-9a-f]{6}:Stai", data) for [(_, data)] in choices)
    assert offer["text"].startswith("\u201cStai\u201d\nI'm not sure which one you mean.")

    [(label, data)] = choices[-1]
    answered = await press(fake_telegram, data, offer)
    await fake_telegram.wait_for_call("editMessageText")

    assert answered.params == {"callback_query_id": answered.params["callback_query_id"]}  # no toast needed
    await settle(fake_telegram, DEFAULT_USER)
    edited = fake_telegram.message(chat["id"], offer["message_id"])
    assert edited["text"].startswith(f"If you like {label}, try:")
    [rec] = await recommendations(bot.core)
    assert (rec.query, rec.match_label, rec.message_id) == ("Stai", label, str(offer["message_id"]))
    assert buttons(edited)[0][:2] == [(UP, f"v:{rec.id}:1"), (DOWN, f"v:{rec.id}:-1")]
    assert len(fake_telegram.sent_messages(chat["id"])) == 2  # the offer, now the answer, and settle()'s


async def test_vote_buttons_save_one_vote_per_person_and_a_second_tap_changes_it(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    group, alice, bob = group_chat(), make_user("Alice"), make_user("Bob")
    _, answer, rec = await ask_kpop(bot, "Blinding Lights", group, alice)

    liked = await press(fake_telegram, f"v:{rec.id}:1", answer, alice)
    assert liked.params["text"] == "Thanks for the \U0001f44d!"
    changed = await press(fake_telegram, f"v:{rec.id}:-1", answer, alice)
    assert changed.params["text"] == "Thanks, noted \U0001f44e."
    await press(fake_telegram, f"v:{rec.id}:1", answer, bob)
    await press(fake_telegram, f"v:{rec.id}:1", answer, bob)  # the same tap again changes nothing

    assert await votes(bot.core) == {(str(alice["id"]), rec.id, 0, -1), (str(bob["id"]), rec.id, 0, 1)}
    assert len(fake_telegram.sent_messages(group["id"])) == 1  # votes are answered in the button, not the chat


async def test_reactions_on_an_answer_are_votes(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
    bot = await start_telegram_bot()
    group, bob = group_chat(), make_user("Bob")
    asked, answer, rec = await ask_kpop(bot, "Blinding Lights", group)
    bobs = str(bob["id"])

    def react(old: list[str], new: list[str], message_id: int = answer["message_id"]) -> None:
        fake_telegram.push_update(reaction_update(chat=group, message_id=message_id, user=bob, old=old, new=new))

    react([], [UP])
    await settle(fake_telegram, bob)
    assert await votes(bot.core) == {(bobs, rec.id, 0, 1)}
    react([UP], [DOWN])
    await settle(fake_telegram, bob)
    assert await votes(bot.core) == {(bobs, rec.id, 0, -1)}
    react([DOWN], [DOWN, "\u2764"])  # a heart says nothing about the picks
    react([], [UP], message_id=asked["message"]["message_id"])  # not one of our answers
    await settle(fake_telegram, bob)
    assert await votes(bot.core) == {(bobs, rec.id, 0, -1)}
    react([DOWN, "\u2764"], ["\u2764"])  # taking the 👎 back
    await settle(fake_telegram, bob)
    assert await votes(bot.core) == set()

    react(["\u2764"], [UP])
    await press(fake_telegram, f"v:{rec.id}:-1", answer, bob)  # the button changes the vote to 👎
    react([UP], [])  # taking the 👍 off later does not undo the newer 👎
    await settle(fake_telegram, bob)
    assert await votes(bot.core) == {(bobs, rec.id, 0, -1)}
    assert len(fake_telegram.sent_messages(group["id"])) == 1  # reactions get no reply


async def test_more_button_sends_the_next_picks_as_a_new_answer(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    chat = group_chat()
    _, first, rec = await ask_kpop(bot, "Blinding Lights", chat)

    answered = await press(fake_telegram, f"m:{rec.id}", first)
    more = await reply_to(fake_telegram, chat, 2)

    assert "text" not in answered.params
    await settle(fake_telegram, DEFAULT_USER)
    assert re.findall(r"^(\d)\. ", more["text"], re.MULTILINE) == ["4", "5", "6"]
    first_rec, next_rec = await recommendations(bot.core)
    assert (next_rec.page_offset, next_rec.message_id) == (3, str(more["message_id"]))
    assert buttons(more)[0][0] == (UP, f"v:{next_rec.id}:1")
    assert fake_telegram.message(chat["id"], first["message_id"]) == first  # the first answer stays


async def test_every_press_is_answered_even_a_stale_or_rate_limited_one(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot(KPOP_RATE_LIMIT_COUNT=1)
    chat = group_chat()
    _, answer, rec = await ask_kpop(bot, "Blinding Lights", chat)

    stale = await press(fake_telegram, "like:1", answer, forged=True)
    limited = await press(fake_telegram, f"m:{rec.id}", answer)
    vote = await press(fake_telegram, f"v:{rec.id}:1", answer)  # votes are never rate limited

    assert stale.params["text"] == STALE_BUTTON
    assert limited.params["text"].startswith("That's a lot of requests!")
    assert vote.params["text"] == "Thanks for the \U0001f44d!"
    assert len(fake_telegram.sent_messages(chat["id"])) == 1
    assert len(await recommendations(bot.core)) == 1


async def test_replayed_updates_are_handled_once(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
    bot = await start_telegram_bot()
    chat = group_chat()
    asked, answer, rec = await ask_kpop(bot, "Blinding Lights", chat)
    pressed = fake_telegram.push_update(callback_query_update(f"v:{rec.id}:1", message=answer))
    await fake_telegram.wait_for_call("answerCallbackQuery")

    fake_telegram.replay(asked)  # as after a crash before the offset was confirmed
    fake_telegram.replay(pressed)
    await settle(fake_telegram, DEFAULT_USER)

    assert fake_telegram.delivered_update_ids().count(asked["update_id"]) == 2
    assert len(await recommendations(bot.core)) == 1
    assert await votes(bot.core) == {(str(DEFAULT_USER["id"]), rec.id, 0, 1)}
    assert len(fake_telegram.calls("answerCallbackQuery")) == 1
    assert len(fake_telegram.sent_messages(chat["id"])) == 1


async def test_forget_deletes_what_was_stored(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
    bot = await start_telegram_bot()
    chat = group_chat()
    _, answer, rec = await ask_kpop(bot, "Blinding Lights", chat)
    await press(fake_telegram, f"v:{rec.id}:1", answer)
    fake_telegram.push_update(command_update("forget", chat=chat))
    done = await reply_to(fake_telegram, chat, 2)

    assert done["text"].startswith("Done: I deleted")
    assert await recommendations(bot.core) == [] and await votes(bot.core) == set()


async def test_started_and_stopped_bots_leave_nothing_running(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot: RunningBot = await start_telegram_bot()
    fake_telegram.push_update(command_update("help"))
    await fake_telegram.wait_for_call("sendMessage")
    await bot.shutdown()
    assert bot.task.result() is None
    last = fake_telegram.calls("getUpdates")[-1]
    assert last.params.get("timeout") == 0  # PTB's final call confirming the offset


async def test_stats_are_for_owners_only(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
    owner, stranger = make_user("Owner"), make_user("Stranger")
    bot = await start_telegram_bot(KPOP_OWNER_IDS=f"telegram:{owner['id']}")
    await ask_kpop(bot, "Blinding Lights", private_chat(owner), owner)
    fake_telegram.push_update(command_update("stats", user=owner, chat=private_chat(owner)))
    fake_telegram.push_update(command_update("stats", user=stranger, chat=private_chat(stranger)))
    table = await reply_to(fake_telegram, private_chat(owner), 3)
    refusal = await reply_to(fake_telegram, private_chat(stranger))

    assert table["text"].startswith("arm ")
    assert table["entities"] == [{"type": "pre", "offset": 0, "length": utf16_length(table["text"])}]
    assert re.search(r"^knn +1 +1 ", table["text"], re.MULTILINE)
    assert refusal["text"] == "Sorry, only the bot's owners can see its statistics."
