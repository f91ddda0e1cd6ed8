"""The one error adapters raise for the operator: a platform refused the bot's setup.

A token Discord or Telegram rejects, a development server the bot is not in,
a webhook secret Telegram would not accept. The message names the setting to
fix and never the secret itself; the command line shows it as one line.
"""

from __future__ import annotations

__all__ = ["PlatformConfigError"]


class PlatformConfigError(Exception):
    """A platform refused (or would refuse) what the bot was configured with; the message is fit for the operator."""
