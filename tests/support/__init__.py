"""What tests share, and only tests: nothing under ``bot``, ``recommender``, ``adapters`` or ``benchmarks`` imports it.

- ``fixtures/``: pytest plugins registered in ``tests/conftest.py`` (a real core, databases on
  both engines, catalogue CSV writers, the platform fakes started per test);
- ``fakes/``: local Discord and Telegram servers the real client libraries talk to;
- ``processes/``: bot processes that tests start, kill or run side by side;
- modules named for the tests they serve (``artifacts``, ``blend``, ``discord``, ``telegram``)
  and for what they give (``strategies``: hypothesis input; ``tcp_proxy``: an outage on demand).

Synthetic catalogues come from :mod:`recommender.catalogue.synthetic`, which benchmarks share.
"""
