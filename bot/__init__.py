"""kpop-bot's bot: everything around the recommender that talks to people and keeps what they said.

Packages, lowest first (each may import those before it, and ``recommender``):
``storage`` (all SQL), ``votes`` (what votes do), ``chat`` (the platform-neutral
conversation), ``ops`` (building, publishing, evaluating, reporting) and ``app``
(the wiring and command line: the only package that imports ``adapters``).
``tests/test_architecture.py`` holds the code to these directions.
"""
