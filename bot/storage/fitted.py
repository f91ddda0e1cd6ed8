"""Saving what was fitted on a build, and loading it without fitting again.

Fitting the matcher's indexes and the ranking's signals takes seconds at every
start, and so does reading a build's tables; the result depends only on the
build and on this code. One interface serves every fitted object, whatever
it holds: :func:`save` pickles the object graph with each large numpy array
written beside it as a ``.npy`` file, and :func:`load` memory-maps those
arrays back (copy-on-write, so code that writes into an array it owns still
can) and unpickles the rest. A new signal or index needs nothing here: what it
fits is saved and loaded with the object that holds it.

Pickle runs code named in the file, so only the bot's own cache folder is
loaded, and a folder is tied to the code that wrote it (:func:`code_version`):
changed code never reads an older fit.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["save", "load", "code_version", "HOLDERS", "MIN_ARRAY_BYTES"]

#: Arrays at least this large get a file of their own (and are memory-mapped when loaded).
MIN_ARRAY_BYTES = 64 * 1024
_OBJECTS = "objects.pickle"


class _Saver(pickle.Pickler):
    def __init__(self, file: io.BufferedWriter, folder: Path) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._folder = folder
        self._count = 0

    def persistent_id(self, obj: Any) -> str | None:
        if type(obj) is np.ndarray and obj.dtype != object and obj.nbytes >= MIN_ARRAY_BYTES:
            name = f"array-{self._count}.npy"
            self._count += 1
            np.save(self._folder / name, obj, allow_pickle=False)
            return name
        return None


class _Loader(pickle.Unpickler):
    def __init__(self, file: io.BufferedReader, folder: Path) -> None:
        super().__init__(file)
        self._folder = folder

    def persistent_load(self, pid: Any) -> np.ndarray:
        return np.load(self._folder / str(pid), mmap_mode="c", allow_pickle=False)


def save(obj: object, folder: Path) -> None:
    """Write ``obj`` into ``folder`` (replaced whole, never left half-written)."""
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with (staging / _OBJECTS).open("wb") as file:
        _Saver(file, staging).dump(obj)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def load(folder: Path) -> Any:
    """The object :func:`save` wrote into ``folder``; ``FileNotFoundError`` when there is none."""
    with (folder / _OBJECTS).open("rb") as file:
        return _Loader(file, folder).load()


#: Sources whose classes a saved fit holds, besides ``recommender`` (the bot's library and build description).
HOLDERS = ("bot/chat/library.py", "bot/storage/catalogue_store.py")


@cache
def code_version() -> str:
    """A digest of the sources a saved fit depends on: every ``recommender`` module and :data:`HOLDERS`."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for path in [*sorted((root / "recommender").rglob("*.py")), *(root / name for name in HOLDERS)]:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
