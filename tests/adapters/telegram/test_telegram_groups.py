"""Groups as Telegram runs them: a flooding member holds up nobody else and costs the group one notice."""

from __future__ import annotations

import pytest

from adapters.telegram import application
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.fakes.telegram_updates import command_update, group_chat, make_user, private_chat
from tests.support.fixtures.telegram import BotStarter
from tests.support.telegram import reply_to, settle

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


async def test_refused_commands_cost_a_group_one_notice(start_telegram_bot: BotStarter, fake_telegram: FakeTelegram) -> None:
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
