"""Artifacts in a store: publishing a version, following the ``latest.json`` pointer, fetching into a local cache.

Publishing writes the data files, then the manifest (a version with a manifest
is complete), then the pointer, so a reader following the pointer never meets
a half-published version. Fetching verifies each file against the manifest
before it is renamed into the cache, so the cache never holds a corrupt file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.ops.artifacts.files import file_in, write_artifact
from bot.ops.artifacts.manifest import (
    FORMAT,
    MANIFEST,
    POINTER,
    VERSION_PATTERN,
    ArtifactError,
    FileEntry,
    Manifest,
    checksum_error,
    verify_manifest,
)
from bot.ops.stores.base import MissingObjectError, ObjectStore
from bot.ops.stores.opener import open_store
from bot.storage.catalogue_store import StoredBuild

__all__ = ["Published", "ArtifactLocation", "publish", "prune_cache"]


@dataclass(frozen=True)
class Published:
    """What ``publish`` did: the version, where it is, and whether its files had to be uploaded."""

    manifest: Manifest
    version_url: str  # where the version's files are
    pointer_url: str  # the pointer that now names it
    uploaded: bool  # False when the version was already in the store


def _split_version(url: str) -> tuple[str, str | None]:
    """``(base, version)`` when the URL's last segment is a version, else ``(url, None)``."""
    base, _, last = url.rstrip("/").rpartition("/")
    if base and VERSION_PATTERN.match(last):
        return base, last
    return url, None


def _join(*parts: str) -> str:
    return "/".join(part for part in parts if part)


@dataclass(frozen=True)
class ArtifactLocation:
    """``s3://bucket/prefix`` (follow the pointer) or ``s3://bucket/prefix/<version>`` (pinned); also directories."""

    store: ObjectStore
    prefix: str
    pinned: str | None

    @classmethod
    def open(cls, url: str) -> "ArtifactLocation":
        base, version = _split_version(url)
        store, prefix = open_store(base)
        return cls(store=store, prefix=prefix, pinned=version)

    def key(self, *parts: str) -> str:
        return _join(self.prefix, *parts)

    @property
    def pointer_url(self) -> str:
        return self.store.url(self.key(POINTER))

    def resolve(self) -> str:
        """The pinned version, or the one the pointer names."""
        if self.pinned is not None:
            return self.pinned
        try:
            data = self.store.read(self.key(POINTER))
        except MissingObjectError:
            raise ArtifactError(
                f"no artifact has been published at {self.store.url(self.prefix)} "
                f"({self.pointer_url} not found): run kpop-bot publish first"
            ) from None
        try:
            version = json.loads(data.decode("utf-8"))["version"]
            if not isinstance(version, str) or not VERSION_PATTERN.match(version):
                raise ValueError(version)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise ArtifactError(f"{self.pointer_url} does not name an artifact version") from None
        return version

    def fetch(self, version: str, cache_root: Path) -> Path:
        """Download ``version`` into ``cache_root/<version>`` (files already there and intact are kept)."""
        manifest_key = self.key(version, MANIFEST)
        try:
            manifest_bytes = self.store.read(manifest_key)
        except MissingObjectError:
            raise ArtifactError(f"artifact version {version} not found: {self.store.url(manifest_key)} is missing") from None
        manifest = verify_manifest(manifest_bytes, self.store.url(manifest_key), expected_version=version)
        folder = cache_root / version
        with _cache_errors(cache_root):
            folder.mkdir(parents=True, exist_ok=True)
            for name, entry in manifest.files.items():
                self._fetch_file(version, name, entry, folder)
            _write_atomically(folder / MANIFEST, manifest_bytes)
        return folder

    def _fetch_file(self, version: str, name: str, entry: FileEntry, folder: Path) -> None:
        """One file into ``folder``, unless an intact copy is there; it is renamed into place only once verified."""
        target = file_in(folder, name)
        if target.is_file() and _sha256_file(target) == entry.sha256:
            return
        url = self.store.url(self.key(version, name))
        partial = target.with_name(f".{target.name}.part")
        try:
            self.store.download(self.key(version, name), partial)
        except MissingObjectError:
            raise ArtifactError(f"artifact version {version} is incomplete: {url} is missing") from None
        actual = _sha256_file(partial)
        if actual != entry.sha256:
            partial.unlink()
            raise checksum_error(url, entry.sha256, actual, version)
        os.replace(partial, target)


@contextmanager
def _cache_errors(cache_root: Path) -> Iterator[None]:
    """A full disk or an unwritable KPOP_DATA_DIR is one line for the operator, like any other failure."""
    try:
        yield
    except OSError as exc:
        raise ArtifactError(f"could not write the artifact cache in {cache_root}: {exc.strerror or exc}") from exc


def _sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def _stage(build: StoredBuild, cache_root: Path) -> tuple[Manifest, Path]:
    """Write the build into ``cache_root/<version>``, through a scratch folder so the cache never holds half of it."""
    with _cache_errors(cache_root):
        cache_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache_root))
        try:
            manifest = write_artifact(build, scratch)
            folder = cache_root / manifest.version
            folder.mkdir(exist_ok=True)
            for name in [*manifest.files, MANIFEST]:  # the manifest last, as in a store
                os.replace(scratch / name, folder / name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return manifest, folder


def publish(build: StoredBuild, url: str, cache_root: Path) -> Published:
    """Upload ``build`` as a new version under ``url`` and point ``latest.json`` at it.

    Order matters: the data files, then the manifest, then the pointer. A
    version whose manifest is already in the store is complete and immutable:
    it is not uploaded again (a different manifest there is refused), only the
    pointer moves, which also makes publishing an older build a rollback.
    """
    location = ArtifactLocation.open(url)
    if location.pinned is not None:
        raise ArtifactError(f"publish to a prefix, not to a version: versions are named by their content ({url})")
    manifest, folder = _stage(build, cache_root)
    store, version = location.store, manifest.version
    manifest_key = location.key(version, MANIFEST)
    local_manifest = (folder / MANIFEST).read_bytes()
    try:
        existing: bytes | None = store.read(manifest_key)
    except MissingObjectError:
        existing = None
    if existing is not None and existing != local_manifest:
        raise ArtifactError(f"{store.url(manifest_key)} already exists with other content; versions are immutable")
    if existing is None:
        for name in [*manifest.files, MANIFEST]:
            store.upload(folder / name, location.key(version, name))
    pointer = {"format": FORMAT, "version": version, "published_at": datetime.now(timezone.utc).isoformat()}
    store.write(location.key(POINTER), json.dumps(pointer, indent=2).encode("utf-8") + b"\n")
    return Published(
        manifest=manifest,
        version_url=store.url(location.key(version)) + "/",
        pointer_url=location.pointer_url,
        uploaded=existing is None,
    )


def prune_cache(cache_root: Path, keep: str, *, spare: int = 2) -> None:
    """Delete cached versions but ``keep`` and the ``spare`` most recently written others.

    The spares cover a rolling deploy, where workers sharing a data directory
    briefly run two versions.
    """
    others = [
        p for p in cache_root.iterdir() if p.is_dir() and p.name != keep and VERSION_PATTERN.match(p.name)
    ] if cache_root.is_dir() else []
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in others[spare:]:
        shutil.rmtree(folder, ignore_errors=True)
