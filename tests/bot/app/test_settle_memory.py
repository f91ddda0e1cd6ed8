"""Before serving, garbage is collected and everything loaded is frozen out of the collector's walks."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.app.runtime import settle_memory


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # give the rest of the test session its collector back


def test_garbage_goes_and_what_is_loaded_is_frozen(unfrozen: None) -> None:
    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage
    loaded = Node()
    settle_memory()
    assert gone() is None  # collected, not frozen with the rest
    assert gc.get_freeze_count() > 0
    assert not any(obj is loaded for obj in gc.get_objects())  # full collections no longer walk it
