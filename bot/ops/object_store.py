"""Where artifacts live: a small object-store interface, a local directory and S3.

Publishing and fetching an artifact (:mod:`bot.ops.artifacts`) need five things
from a store: read and write small objects (manifests, the pointer), upload
and download files, and a URL for messages. Keeping it to that lets a local
directory stand in for S3 for people without a bucket and for tests, and keeps
boto3 out of every process that never touches S3 (:mod:`bot.ops.s3` is imported
only for ``s3://`` URLs).

Every failure is a :class:`StoreError` whose message names the object and is
fit to show the operator as one line; :class:`MissingObjectError` is the one
callers act on (a version not published yet, a pointer not written yet).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

__all__ = [
    "StoreError",
    "MissingObjectError",
    "ObjectStore",
    "DirectoryStore",
    "StoreUrl",
    "parse_store_url",
    "open_store",
]


class StoreError(Exception):
    """An artifact store could not be read or written; the message is fit for the operator."""


class MissingObjectError(StoreError):
    """The object asked for does not exist (the bucket or directory does)."""


class ObjectStore(Protocol):
    """Keys are ``/``-separated paths below the store's root (a bucket or a directory)."""

    def url(self, key: str) -> str:
        """The object's address, for messages (``s3://bucket/key``, ``/dir/key``)."""
        ...

    def read(self, key: str) -> bytes:
        """A small object's bytes; :class:`MissingObjectError` when it does not exist."""
        ...

    def write(self, key: str, data: bytes) -> None:
        """Create or replace a small object; readers see the old bytes or the new, never a mix."""
        ...

    def upload(self, path: Path, key: str) -> None:
        """Copy a local file to ``key``."""
        ...

    def download(self, key: str, path: Path) -> None:
        """Copy ``key`` to a local file (which may be left partial on failure)."""
        ...


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL: ``s3://bucket/prefix``, ``file:///dir/prefix`` or a plain directory path."""

    scheme: str  # "s3" or "file"
    bucket: str  # the S3 bucket; empty for directories
    path: str  # key prefix in the bucket (no leading or trailing "/"), or the directory


def parse_store_url(text: str) -> StoreUrl:
    """Check and split a store URL without touching the network; ``ValueError`` says what is wrong."""
    text = text.strip()
    if not text:
        raise ValueError("is empty")
    parts = urlsplit(text)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("an s3:// URL needs a bucket: s3://bucket/prefix")
        if parts.query or parts.fragment:
            raise ValueError("an s3:// URL takes no ?query or #fragment")
        return StoreUrl("s3", parts.netloc, parts.path.strip("/"))
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError("a file:// URL names a local directory: file:///path/to/dir")
        return StoreUrl("file", "", unquote(parts.path).rstrip("/") or "/")
    if parts.scheme:
        raise ValueError(f"unsupported scheme {parts.scheme}://: use s3://bucket/prefix or a directory")
    return StoreUrl("file", "", text)


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


def open_store(text: str) -> tuple[ObjectStore, str]:
    """The store a URL names and the key prefix inside it.

    For S3 the prefix is the URL's path; a directory is its own root, with an
    empty prefix. Credentials, region and endpoint (``AWS_ENDPOINT_URL``) come
    from boto3's usual sources: environment, shared config files, instance roles.
    """
    try:
        parsed = parse_store_url(text)
    except ValueError as exc:
        raise StoreError(f"bad artifact location: {exc}") from None  # not echoed: it may hold a secret
    if parsed.scheme == "s3":
        from bot.ops.s3 import S3Store

        return S3Store(parsed.bucket), parsed.path
    return DirectoryStore(Path(parsed.path).expanduser()), ""
