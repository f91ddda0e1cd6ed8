"""Downloading a catalogue file once, verified, into a cache folder.

Files are streamed to disk (the larger catalogues are tens of megabytes),
checked against their sha256 when it is known, and renamed into place only
when complete, so a second start needs no network and a truncated or changed
upstream file is caught before it is parsed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
import platformdirs
from tqdm import tqdm

__all__ = ["CatalogueError", "default_cache_dir", "download"]


class CatalogueError(Exception):
    """A catalogue source that cannot be used; the message says which and what to do instead."""


def default_cache_dir() -> Path:
    """Downloads are a cache: they can be fetched again, so they live in the user's cache folder."""
    return Path(platformdirs.user_cache_dir("kpop-bot", appauthor=False)) / "sources"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _offline_hint(url: str, reason: str) -> str:
    return (
        f"could not download catalogue source {url}: {reason}. "
        "Without internet access, fetch the file elsewhere and pass the local copy "
        "with --source PATH or KPOP_SOURCES=PATH (a file or a folder of CSV files)."
    )


def download(url: str, cache_dir: Path, *, sha256: str | None = None, progress: bool = False) -> Path:
    """The cached copy of ``url``, downloading it first if needed.

    The file is streamed to a ``.part`` file and renamed only once complete
    (and matching ``sha256`` when given), so an interrupted download never
    passes for a cached one.
    """
    name = PurePosixPath(unquote(urlsplit(url).path)).name or "download.csv"
    target = cache_dir / hashlib.sha256(url.encode()).hexdigest()[:16] / name
    if target.is_file() and (sha256 is None or _file_sha256(target) == sha256):
        return target
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with httpx.stream("GET", url, follow_redirects=True, timeout=httpx.Timeout(30.0)) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or 0) or None
            with partial.open("wb") as fh, tqdm(total=total, unit="B", unit_scale=True, desc=name,
                                                disable=not progress, file=sys.stderr, leave=False) as bar:
                for chunk in response.iter_bytes():
                    fh.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPStatusError as exc:
        partial.unlink(missing_ok=True)
        raise CatalogueError(_offline_hint(url, f"HTTP {exc.response.status_code}")) from None
    except (httpx.HTTPError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise CatalogueError(_offline_hint(url, str(exc) or type(exc).__name__)) from None
    actual = digest.hexdigest()
    if sha256 is not None and actual != sha256:
        partial.unlink(missing_ok=True)
        raise CatalogueError(
            f"downloaded {url} but its sha256 is {actual}, expected {sha256}: the file is damaged or was "
            "changed upstream. Check it and pass a trusted local copy with --source PATH or KPOP_SOURCES=PATH."
        )
    os.replace(partial, target)
    return target
