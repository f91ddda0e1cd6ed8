"""The artifact format: what a manifest holds, how a version is named, and the checks before anything is decoded.

Every byte is pinned by the version's name: a version is
``<build time>-<first 12 hex digits of the sha256 of the manifest>``, and the
manifest lists the sha256 of each file. Loading checks the manifest against
its name and every file against the manifest before decoding anything, and
refuses with the object's address on any mismatch. The encoding is
deterministic, so the same build always gets the same version, and versions
are immutable: publishing one that exists only moves the pointer.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from recommender.catalogue.catalogue import FEATURES
from recommender.ranking.blend import TunedBlend

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "READABLE_FORMATS",
    "MANIFEST",
    "POINTER",
    "FILE_NAMES",
    "VERSION_PATTERN",
    "ArtifactError",
    "FileEntry",
    "Manifest",
    "version_of",
    "parse_manifest",
    "verify_manifest",
    "checksum_error",
]

FORMAT = "kpop-bot-artifact"
FORMAT_VERSION = 2
#: Formats this kpop-bot reads: the current one, and format 1 (no playlist data, no tuned blend).
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
POINTER = "latest.json"
VERSION_PATTERN = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{12}$")
#: Every data file a version may hold (format 1 has the first seven; format 2 before Last.fm tags, all but the last). A manifest naming any other is
#: refused before anything is fetched: a name is a path on the worker, and "../../x" would write outside
#: the cache (a crafted manifest's version name is easily recomputed, so the name check is what stops it).
FILE_NAMES = frozenset({
    "songs.json.gz",
    "song_features.npy.gz",
    "artists.json.gz",
    "song_neighbours.npy.gz",
    "song_distances.npy.gz",
    "artist_neighbours.npy.gz",
    "artist_distances.npy.gz",
    "playlists.json.gz",
    "playlist_artists.npy.gz",
    "artist_tags.json.gz",
})


class ArtifactError(Exception):
    """An artifact is missing, corrupt or unreadable; the message names it and is fit for the operator."""


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    bytes: int
    rows: int


@dataclass(frozen=True)
class Manifest:
    """What a version holds; ``files`` maps each file name to its checksum, size and row count."""

    version: str
    created_at: datetime
    scaling: str
    k_songs: int
    k_artists: int
    sources: list[str]
    counts: dict[str, int]
    rejected: dict[str, int]  # rows rejected at import, by reason
    files: dict[str, FileEntry]
    blend: TunedBlend | None = None  # the tuned weights, None until tuned

    @property
    def total_bytes(self) -> int:
        return sum(entry.bytes for entry in self.files.values())


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def version_of(body: dict[str, Any]) -> str:
    """``<build time, UTC, to the second>-<12 hex digits of the manifest body's sha256>``."""
    created = datetime.fromisoformat(body["created_at"]).astimezone(timezone.utc)
    return f"{created:%Y%m%dT%H%M%SZ}-{hashlib.sha256(_canonical(body)).hexdigest()[:12]}"


def parse_manifest(body: dict[str, Any], version: str) -> Manifest:
    """The manifest a JSON body describes, under ``version`` (raises on a missing or mistyped field)."""
    return Manifest(
        version=version,
        created_at=datetime.fromisoformat(body["created_at"]),
        scaling=str(body["scaling"]),
        k_songs=int(body["k_songs"]),
        k_artists=int(body["k_artists"]),
        sources=[str(s) for s in body["sources"]],
        counts={str(k): int(v) for k, v in body["counts"].items()},
        rejected={str(k): int(v) for k, v in body["rejected"].items()},
        files={
            str(name): FileEntry(sha256=str(e["sha256"]), bytes=int(e["bytes"]), rows=int(e["rows"]))
            for name, e in body["files"].items()
        },
        blend=TunedBlend.from_json(body["blend"]) if body.get("blend") is not None else None,
    )


def verify_manifest(data: bytes, where: str, expected_version: str | None = None) -> Manifest:
    """The manifest in ``data`` (read from ``where``), checked against its version name."""
    try:
        body = json.loads(data.decode("utf-8"))
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArtifactError(f"{where} is not a readable artifact manifest ({exc})") from None
    if body.get("format") != FORMAT:
        raise ArtifactError(f"{where} is not a kpop-bot artifact manifest")
    if body.get("format_version") not in READABLE_FORMATS:
        raise ArtifactError(
            f"{where} is artifact format {body.get('format_version')!r}; this kpop-bot reads formats "
            f"{', '.join(map(str, READABLE_FORMATS))}: publish the build again with this version, or upgrade"
        )
    claimed = body.pop("version", None)
    try:
        actual = version_of(body)
        manifest = parse_manifest(body, actual)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArtifactError(f"{where} is not a valid artifact manifest (bad or missing {exc})") from None
    if claimed != actual or (expected_version is not None and actual != expected_version):
        raise ArtifactError(
            f"{where} does not match its version name {expected_version or claimed}: "
            "the manifest is corrupt or was edited; refusing to load it"
        )
    unknown = sorted(set(manifest.files) - FILE_NAMES)
    if unknown:
        raise ArtifactError(
            f"{where} lists a file this artifact format does not have ({unknown[0]!r}); refusing to load it"
        )
    if body.get("features") != list(FEATURES):
        raise ArtifactError(f"{where} lists audio features {body.get('features')}; this kpop-bot uses {list(FEATURES)}")
    return manifest


def checksum_error(where: str, expected: str, actual: str, version: str) -> ArtifactError:
    """The one message for a file whose bytes are not the ones its manifest lists."""
    return ArtifactError(
        f"checksum mismatch for {where}: sha256 {actual[:16]}… where the manifest of version {version} "
        f"says {expected[:16]}…; refusing to load a corrupt artifact"
    )

