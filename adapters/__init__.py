"""Chat platforms (Discord, Telegram, the terminal) translated to and from the core.

Each adapter is handed the core, the services its platform needs and its own
options object (built by ``bot.app``), so adapters import ``bot.chat`` and
nothing else of the bot; ``errors`` holds the one error they raise for the operator, and
``labels`` the short labels (buttons, choices) both chat platforms cut to size.
"""
