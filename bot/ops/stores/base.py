"""What an artifact store must do, how it fails, and the URLs that name one.

Publishing and fetching an artifact (:mod:`bot.ops.artifacts`) need five things
from a store: read and write small objects (manifests, the pointer), upload
and download files, and a URL for messages. Keeping it to that lets a local
directory stand in for S3 for people without a bucket and for tests.

Every failure is a :class:`StoreError` whose message names the object and is
fit to show the operator as one line; :class:`MissingObjectError` is the one
callers act on (a version not published yet, a pointer not written yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

__all__ = ["StoreError", "MissingObjectError", "ObjectStore", "StoreUrl", "parse_store_url"]


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
