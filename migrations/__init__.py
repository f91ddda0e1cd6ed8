"""Alembic migrations: the only place the database schema is created or changed.

``env.py`` may import ``bot.storage.models`` (the schema's metadata);
``bot.storage`` runs these scripts on start and finds them as package data.
"""
