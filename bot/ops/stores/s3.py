"""S3 (or any S3-compatible store) as an :class:`~bot.ops.stores.base.ObjectStore`, through boto3.

Credentials, region and endpoint come from boto3's own chain: environment
variables, shared config files, instance or container roles. A custom
endpoint (MinIO, Ceph, R2, a local moto server) is ``AWS_ENDPOINT_URL`` or
``AWS_ENDPOINT_URL_S3``, which botocore reads natively since 1.31.

Objects are sent with one ``PutObject`` and read with one streamed
``GetObject``: an artifact's files are tens of megabytes (one request each is
well below the 5 GB single-request limit), and the plain client calls raise
plain ``ClientError``s, where boto3's transfer manager re-wraps upload errors
as text. Every botocore error becomes one :class:`~bot.ops.stores.base.StoreError`
line naming the object; no message ever includes a key, a secret or a token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bot.ops.stores.base import MissingObjectError, StoreError

__all__ = ["S3Store"]


_CHUNK = 1 << 20
_TIMEOUTS = Config(connect_timeout=10, read_timeout=60)
_MISSING = {"NoSuchKey", "NotFound", "404"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired"}
_DENIED = {"AccessDenied", "AllAccessDisabled", "403"}


class S3Store:
    """One bucket; keys are object keys in it."""

    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        if client is None:
            try:
                client = boto3.session.Session().client("s3", config=_TIMEOUTS)
            except (BotoCoreError, ValueError) as exc:  # a bad profile, region or endpoint URL
                raise StoreError(f"could not set up the S3 client: {exc}") from exc
        self._client = client

    @property
    def endpoint(self) -> str:
        return str(self._client.meta.endpoint_url)

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def read(self, key: str) -> bytes:
        with self._failures("read", key):
            return bytes(self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def write(self, key: str, data: bytes) -> None:
        with self._failures("write", key):
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def upload(self, path: Path, key: str) -> None:
        with self._failures("write", key), path.open("rb") as body:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=body)

    def download(self, key: str, path: Path) -> None:
        with self._failures("read", key):
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
            with path.open("wb") as out:
                for chunk in body.iter_chunks(_CHUNK):
                    out.write(chunk)

    @contextmanager
    def _failures(self, action: str, key: str) -> Iterator[None]:
        try:
            yield
        except ClientError as exc:
            raise self._explain(exc, action, key) from exc
        except BotoCoreError as exc:  # no credentials, endpoint unreachable, a dropped connection
            raise StoreError(f"could not {action} {self.url(key)}: {exc}") from exc
        except OSError as exc:  # the local file
            raise StoreError(f"could not {action} {self.url(key)}: {exc.strerror or exc}") from exc

    def _explain(self, exc: ClientError, action: str, key: str) -> StoreError:
        """One line an operator can act on, by S3 error code."""
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
        code = str(error.get("Code") or status)
        url = self.url(key)
        if code in _MISSING:
            return MissingObjectError(f"{url} not found")
        if code == "NoSuchBucket":
            return StoreError(f"bucket {self.bucket!r} does not exist at {self.endpoint}")
        if code == "InvalidAccessKeyId":
            return StoreError(
                f"{self.endpoint} does not know the AWS access key id in use (InvalidAccessKeyId): "
                "check AWS_ACCESS_KEY_ID or the AWS profile"
            )
        if code == "SignatureDoesNotMatch":
            return StoreError(
                f"{self.endpoint} rejected the request signature (SignatureDoesNotMatch): "
                "the secret access key does not belong to the access key id"
            )
        if code in _EXPIRED:
            return StoreError(f"the AWS credentials have expired ({code}): renew them and try again")
        if code == "InvalidToken":
            return StoreError(f"{self.endpoint} rejected the session token (InvalidToken): check AWS_SESSION_TOKEN")
        if code in _DENIED:
            return StoreError(f"access denied to {url} ({code}): these credentials may not {action} it")
        message = str(error.get("Message") or "").strip()
        return StoreError(f"could not {action} {url}: {code} (HTTP {status}) {message}".rstrip())
