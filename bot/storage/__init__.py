"""Persistence through SQLAlchemy 2 (async): SQLite by default, any URL by configuration."""
