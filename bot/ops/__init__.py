"""Work besides answering: building or fetching the catalogue (``build``), publishing it as an artifact
(``artifacts``, ``stores``), and ``evaluate``, ``tune`` and ``report`` for the command line.

May import ``bot.storage``, ``recommender`` and ``bot.chat`` (for the A/B arms' names); never ``bot.app``
or ``adapters``. Everything here takes explicit parameters, never the settings.
"""
