"""The Discord adapter: ``/kpop`` with autocomplete, embeds, buttons and 👍/👎 reactions as votes.

Modules, one concern each: ``client`` (the bot: intents, sharding, command sync), ``commands``
(slash commands), ``views`` (buttons that survive restarts), ``reactions`` (votes), ``render``
(answers as embeds within Discord's limits), ``respond`` (answering interactions in time),
``inflight`` (letting answers finish at shutdown), ``service`` (``serve`` for ``kpop-bot run``).
"""

from adapters.discord.client import create_bot
from adapters.discord.service import serve

__all__ = ["serve", "create_bot"]
