"""The store a URL names: ``s3://bucket/prefix`` or a directory (``file://`` or a plain path)."""

from __future__ import annotations

from pathlib import Path

from bot.ops.stores.base import ObjectStore, StoreError, parse_store_url
from bot.ops.stores.directory import DirectoryStore

__all__ = ["open_store"]


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
        from bot.ops.stores.s3 import S3Store  # boto3 only for S3 URLs

        return S3Store(parsed.bucket), parsed.path
    return DirectoryStore(Path(parsed.path).expanduser()), ""
