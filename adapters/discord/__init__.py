"""The Discord adapter: ``/kpop`` with autocomplete, embeds, buttons and 👍/👎 reactions as votes.

Modules, one concern each: ``client`` (the bot: intents, sharding, command sync), ``commands``
(slash commands), ``views`` (buttons that survive restarts), ``reactions`` (votes), ``render``
(answers as embeds within Discord's limits), ``respond`` (answering interactions in time),
``inflight`` (letting answers finish at shutdown).
"""

from adapters.discord.client import create_bot

__all__ = ["create_bot"]
