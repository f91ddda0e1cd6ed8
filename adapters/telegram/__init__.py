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

from adapters.telegram.application import build_application, serve

__all__ = ["build_application", "serve"]
