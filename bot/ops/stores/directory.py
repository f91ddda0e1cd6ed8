"""A local directory as an object store: for people without a bucket, and for tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from bot.ops.stores.base import MissingObjectError, StoreError

__all__ = ["DirectoryStore"]


class DirectoryStore:
    """A local directory as an object store (keys are relative paths below ``root``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def url(self, key: str) -> str:
        return str(self.root / key)

    def _existing(self, key: str) -> Path:
        path = self.root / key
        if not path.is_file():
            raise MissingObjectError(f"{path} not found")
        return path

    def read(self, key: str) -> bytes:
        path = self._existing(key)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise StoreError(f"could not read {path}: {exc.strerror or exc}") from exc

    def _replace(self, key: str, fill: Callable[[BinaryIO], object], what: str) -> None:
        """Write beside the target and rename over it: a reader never sees half a file."""
        target = self.root / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fill(fh)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(f"could not write {what} to {target}: {exc.strerror or exc}") from exc

    def write(self, key: str, data: bytes) -> None:
        self._replace(key, lambda fh: fh.write(data), "data")

    def upload(self, path: Path, key: str) -> None:
        def copy(fh: BinaryIO) -> None:
            with path.open("rb") as source:
                shutil.copyfileobj(source, fh)

        self._replace(key, copy, str(path))

    def download(self, key: str, path: Path) -> None:
        source = self._existing(key)
        try:
            shutil.copyfile(source, path)
        except OSError as exc:
            raise StoreError(f"could not copy {source} to {path}: {exc.strerror or exc}") from exc
