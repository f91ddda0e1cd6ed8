"""Benchmarks, each measuring its own baseline in the same run (``python -m benchmarks [NAME ...]``).

Benchmarks import the product and :mod:`recommender.catalogue.synthetic` for
made-up catalogues: never the tests, and never each other (what they share is here).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["shared_data"]


def shared_data() -> Path:
    """The team's real data: ``KPOP_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    return Path(os.environ.get("KPOP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
