"""The wiring: command line, runtime, configuration, logging, and each part's options made from the settings.

The only package that reads :class:`~bot.app.config.Settings` and the only one
that imports ``adapters``. It may import every other package; nothing imports it
but ``bot/__main__.py``.
"""
