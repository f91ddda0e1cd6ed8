"""Groups as Telegram runs them: a flooding member holds up nobody else and costs the group one notice,
an upgrade to a supergroup keeps the answers, and thumbs on people's own messages (heard where the
bot is an admin) cost almost nothing."""

from __future__ import annotations

import pytest

from adapters.telegram import application
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_updates import (
    command_update,
    group_chat,
    make_user,
    private_chat,
    reaction_update,
    text_update,
)
from tests.support.fixtures.telegram import BotStarter
from tests.support.telegram import ask_kpop, recommendations, reply_to, settle, votes

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")


async def test_one_persons_flood_holds_up_nobody_else(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application, "MAX_CONCURRENT_UPDATES", 4)
    await start_telegram_bot(KPOP_RATE_LIMIT_COUNT=2)
    group, flooder, other = group_chat(), make_user("Flooder"), make_user("Other")
    fake_telegram.fail_next("sendMessage", 429, retry_after=0.5)  # the flooder's first answer waits a while
    for _ in range(10):
        fake_telegram.push_update(command_update("kpop", "Blinding Lights", user=flooder, chat=group))
    fake_telegram.push_update(command_update("help", user=other, chat=private_chat(other)))

    await reply_to(fake_telegram, private_chat(other))

    assert fake_telegram.sent_messages(group["id"]) == []  # answered while the flooder's first still waits


async def test_refused_commands_cost_a_group_one_notice(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    await start_telegram_bot(KPOP_RATE_LIMIT_COUNT=2)
    group, flooder, other = group_chat(), make_user("Flooder"), make_user("Other")
    for _ in range(8):
        fake_telegram.push_update(command_update("kpop", "Blinding Lights", user=flooder, chat=group))
    await reply_to(fake_telegram, group, 3)
    await settle(fake_telegram, flooder)  # the flood is handled to its last command
    fake_telegram.push_update(command_update("kpop", "Taylor Swift", user=other, chat=group))
    await reply_to(fake_telegram, group, 4)

    texts = [message["text"] for message in fake_telegram.sent_messages(group["id"])]
    assert [text.split(",")[0].split("!")[0] for text in texts] == [
        "If you like Blinding Lights \u2014 The Weeknd",
        "If you like Blinding Lights \u2014 The Weeknd",
        "That's a lot of requests",  # once; the other five refusals are silent
        "If you like Taylor Swift",  # the limit is the flooder's alone
    ]


async def test_thumbs_on_other_peoples_messages_cost_one_lookup(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_telegram_bot()
    group = group_chat()
    _, answer, rec = await ask_kpop(bot, "Blinding Lights", group)
    chatter = fake_telegram.push_update(text_update("what a song", chat=group))["message"]
    lookups: list[str] = []
    find = bot.core.history.answers.find_by_message

    async def counted(platform: str, chat_id: str, message_id: str) -> object:
        lookups.append(message_id)
        return await find(platform, chat_id, message_id)

    monkeypatch.setattr(bot.core.history.answers, "find_by_message", counted)
    fans = [make_user(f"Fan {n}") for n in range(5)]
    for fan in fans:  # one after the other, as people react over a conversation
        fake_telegram.push_update(reaction_update(chat=group, message_id=chatter["message_id"], user=fan))
        fake_telegram.push_update(reaction_update(chat=group, message_id=answer["message_id"], user=fan))
        await settle(fake_telegram, fan)

    assert lookups.count(str(chatter["message_id"])) == 1
    assert {(user, r, vote) for user, r, _, vote in await votes(bot.core)} == {(str(f["id"]), rec.id, 1) for f in fans}


async def test_a_group_upgraded_to_a_supergroup_keeps_its_answers(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    group, bob = group_chat("Fans", supergroup=False), make_user("Bob")
    await ask_kpop(bot, "Blinding Lights", group, bob)

    supergroup = fake_telegram.migrate_group(group, by=bob)
    fake_telegram.push_update(command_update("more", user=bob, chat=supergroup))
    more = await reply_to(fake_telegram, supergroup)

    assert more["text"].startswith("If you like Blinding Lights") and "\n\n4. " in more["text"]
    assert {r.chat_id for r in await recommendations(bot.core)} == {str(supergroup["id"])}


async def test_a_reply_to_a_group_that_moved_goes_to_its_supergroup(
    start_telegram_bot: BotStarter, fake_telegram: FakeTelegram
) -> None:
    bot = await start_telegram_bot()
    group, bob = group_chat("Fans", supergroup=False), make_user("Bob")
    fake_telegram.add_chat(group)
    supergroup = fake_telegram.migrate_group(group, by=bob)
    # sent in the old group just before the upgrade, delivered just after it
    fake_telegram.push_update(command_update("kpop", "Blinding Lights", user=bob, chat=group))

    answer = await reply_to(fake_telegram, supergroup)
    await settle(fake_telegram, bob)

    assert answer["text"].startswith("If you like Blinding Lights")
    [rec] = await recommendations(bot.core)
    assert (rec.chat_id, rec.message_id) == (str(supergroup["id"]), str(answer["message_id"]))
