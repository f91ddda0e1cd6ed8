"""The platform-neutral conversation: from a person's words to an answer.

:class:`~bot.chat.core.KpopCore` is the façade every adapter calls; beside it
live the commands people type, the picks of an answer, the words the bot
says, the reference rendering, the A/B arm, the rate limit, the loaded
library, and the services only some platforms are handed (autocomplete,
handled-update claims). May import ``bot.votes``, ``bot.storage`` and
``recommender``; never ``bot.ops``, ``bot.app`` or ``adapters``.
"""
