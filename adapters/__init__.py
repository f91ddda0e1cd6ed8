"""Chat platforms (Discord, Telegram, the terminal) translated to and from the core."""
