"""The Discord adapter: ``/kpop`` with autocomplete, embeds, buttons and 👍/👎 reactions as votes.

Modules, one concern each: ``client`` (the bot: intents, sharding, command sync), ``commands``
(slash commands), ``views`` (buttons that survive restarts), ``reactions`` (votes), ``render``
(answers as embeds within Discord's limits), ``respond`` (answering interactions in time),
``inflight`` (letting answers finish at shutdown), ``options`` (what it is configured with),
``service`` (``serve`` for ``kpop-bot run``). It is handed the core, the autocomplete service and
its options; it may import ``bot.chat`` and ``adapters.errors``.
"""

from typing import Any

__all__ = ["serve", "create_bot"]


def __getattr__(name: str) -> Any:
    """The entry points, imported on first use: discord.py takes about a second to import, and
    ``bot.app`` reads this package's options on every start, a terminal chat's and a script's too."""
    if name == "create_bot":
        from adapters.discord.client import create_bot

        return create_bot
    if name == "serve":
        from adapters.discord.service import serve

        return serve
    raise AttributeError(name)
