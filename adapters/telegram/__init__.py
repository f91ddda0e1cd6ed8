"""The Telegram adapter (python-telegram-bot 22): /kpop in chats and groups, inline mode, 👍/👎.

``kpop-bot run`` starts it when ``TELEGRAM_BOT_TOKEN`` is set and awaits
:func:`serve`; tests build the same Application with :func:`build_application`
pointed at a fake Bot API. Modules: ``application`` (building and running),
``handlers`` (updates to core calls), ``presses`` (button presses answered at
once, taken only for buttons their message shows), ``notices`` ("slow down" once
in a group), ``render`` (HTML within Telegram's limits), ``keyboards`` (buttons
and their callback data), ``inline``, ``reactions``, ``updates`` (each update
once, one person's in order), ``retries``, ``webhook`` (receiving updates by
webhook) and ``options`` (what it is configured with). It is handed the core, the
handled-update claims and its options; it may import ``bot.chat`` and
``adapters.errors``.
"""

from typing import Any

__all__ = ["build_application", "serve"]


def __getattr__(name: str) -> Any:
    """The entry points, imported on first use: python-telegram-bot takes half a second to import,
    and ``bot.app`` reads this package's options on every start, a terminal chat's and a script's too."""
    if name in __all__:
        from adapters.telegram import application

        return getattr(application, name)
    raise AttributeError(name)
