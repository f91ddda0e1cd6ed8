"""The Discord adapter: ``/kpop`` with autocomplete, embeds, buttons and 👍/👎 reactions as votes.

Modules, one concern each: ``client`` (the bot: intents, sharding, command sync), ``commands``
(slash commands), ``views`` (buttons that survive restarts), ``reactions`` (votes), ``render``
(answers as embeds within Discord's limits), ``respond`` (answering interactions in time),
``inflight`` (letting answers finish at shutdown), ``options`` (what it is configured with),
``service`` (``serve`` for ``kpop-bot run``). It is handed the core, the autocomplete service and
its options; it may import ``bot.chat`` and ``adapters.errors``.
"""

from adapters.discord.client import create_bot
from adapters.discord.service import serve

__all__ = ["serve", "create_bot"]
