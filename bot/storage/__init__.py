"""Persistence through SQLAlchemy 2 (async): all of the bot's SQL, SQLite by default, any URL by configuration.

Opening and migrating the database (``engine``), the catalogue's build
(``catalogue_store``), what was shown and voted (``history`` over the
``answer_log``, ``vote_log`` and ``update_ledger``, sharing one group-commit
``writer``), the A/B test's counts (``arm_counts``), the table models and a
throwaway PostgreSQL server for tests and benchmarks. It takes plain values or
its own records, never chat types. May import ``recommender`` (a build's
types) and nothing else of the bot.
"""
