"""A build as one versioned, checksummed artifact: publish it once, let every worker load it.

Layout of a version (a folder locally, keys under ``prefix/<version>/`` in a store)::

    manifest.json             format, build time, scaling, k, sources, counts,
                              rows rejected at import, the tuned blend weights
                              (null until tuned), and every file's sha256
    songs.json.gz             song columns: spotify_id, title, artist_id, korean,
                              popularity (null when unknown), sources
    song_features.npy.gz      float64 (n_songs, 11), the FEATURES order
    artists.json.gz           artist columns: name, korean, popularity, genres, aliases
    song_neighbours.npy.gz    int32 (n_songs, k_songs), -1 padding
    song_distances.npy.gz     float32 (n_songs, k_songs), inf padding
    artist_neighbours.npy.gz  int32 (n_artists, k_artists)
    artist_distances.npy.gz   float32 (n_artists, k_artists)
    playlists.json.gz         playlist data for co-listening: listener, playlist
    playlist_artists.npy.gz   int32 (n, 2): (playlist row, artist id) pairs

Format 1 (before playlist data and tuned weights) still loads, as a build
without playlists whose signals weigh the same.
and ``prefix/latest.json`` names the current version.

Why this encoding: the arrays are ``.npy`` (numpy's own format: exact dtypes,
no pickle, nothing to install) and the text columns are JSON (exact strings,
Hangul included, ``null`` for a missing value, lists for genres and aliases),
each gzip-compressed at level 1 (within 4% of level 6's size on the real
catalogue, at a quarter of the time). Parquet would need pyarrow; a pickle
could run code; CSV cannot tell an empty title from a missing one.

Every byte is pinned by the version's name: a version is
``<build time>-<first 12 hex digits of the sha256 of the manifest>``, and the
manifest lists the sha256 of each file. Loading checks the manifest against
its name and every file against the manifest before decoding anything, and
refuses with the object's address on any mismatch. The encoding is
deterministic, so the same build always gets the same version, and versions
are immutable: publishing one that exists only moves the pointer.

Publishing writes the data files, then the manifest (a version with a manifest
is complete), then the pointer, so a reader following the pointer never meets
a half-published version.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bot.ops.object_store import MissingObjectError, ObjectStore, open_store
from bot.storage.catalogue_store import StoredBuild
from recommender.ranking.blend import TunedBlend
from recommender.catalogue.catalogue import ARTIST_COLUMNS, FEATURES, SONG_COLUMNS, Catalogue
from recommender.ranking.neighbours import NeighbourTable, NeighbourTables
from recommender.catalogue.listening import PlaylistArtists

__all__ = [
    "FORMAT_VERSION",
    "ArtifactError",
    "FileEntry",
    "Manifest",
    "Artifact",
    "Published",
    "ArtifactLocation",
    "write_artifact",
    "verify_manifest",
    "read_artifact",
    "publish",
    "prune_cache",
]

FORMAT = "kpop-bot-artifact"
FORMAT_VERSION = 2
#: Formats this kpop-bot reads: the current one, and format 1 (no playlist data, no tuned blend).
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
POINTER = "latest.json"
VERSION_PATTERN = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{12}$")
_GZIP_LEVEL = 1
_SONG_TEXT = ("spotify_id", "title", "artist_id", "korean", "popularity", "sources")


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


@dataclass(frozen=True)
class Artifact:
    manifest: Manifest
    catalogue: Catalogue
    tables: NeighbourTables
    playlists: PlaylistArtists


@dataclass(frozen=True)
class Published:
    manifest: Manifest
    version_url: str  # where the version's files are
    pointer_url: str  # the pointer that now names it
    uploaded: bool  # False when the version was already in the store


# --- encoding --------------------------------------------------------------------------------


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=_GZIP_LEVEL, mtime=0)  # mtime=0: same bytes every time


def _npy(array: np.ndarray, dtype: str) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=dtype), allow_pickle=False)
    return _gzip(buffer.getvalue())


def _json_columns(columns: dict[str, list[Any]]) -> bytes:
    return _gzip(json.dumps(columns, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8"))


def _floats_or_null(values: pd.Series) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in values.astype(float)]


def _encode(build: StoredBuild) -> dict[str, tuple[bytes, int]]:
    """Each file's bytes and row count."""
    songs, artists, tables = build.catalogue.songs, build.catalogue.artists, build.tables
    song_columns = {
        "spotify_id": [v if isinstance(v, str) else None for v in songs["spotify_id"]],
        "title": [str(v) for v in songs["title"]],
        "artist_id": [int(v) for v in songs["artist_id"]],
        "korean": [bool(v) for v in songs["korean"]],
        "popularity": _floats_or_null(songs["popularity"]),
        "sources": [str(v) for v in songs["sources"]],
    }
    artist_columns = {
        "name": [str(v) for v in artists["name"]],
        "korean": [bool(v) for v in artists["korean"]],
        "popularity": _floats_or_null(artists["popularity"]),
        "genres": [list(v) for v in artists["genres"]],
        "aliases": [list(v) for v in artists["aliases"]],
    }
    n_songs, n_artists = len(songs), len(artists)
    return {
        "songs.json.gz": (_json_columns(song_columns), n_songs),
        "song_features.npy.gz": (_npy(build.catalogue.features, "<f8"), n_songs),
        "artists.json.gz": (_json_columns(artist_columns), n_artists),
        "song_neighbours.npy.gz": (_npy(tables.songs.neighbours, "<i4"), n_songs),
        "song_distances.npy.gz": (_npy(tables.songs.distances, "<f4"), n_songs),
        "artist_neighbours.npy.gz": (_npy(tables.artists.neighbours, "<i4"), n_artists),
        "artist_distances.npy.gz": (_npy(tables.artists.distances, "<f4"), n_artists),
        "playlists.json.gz": (_json_columns({
            "listener": [str(v) for v in build.playlists.playlists["listener"]],
            "playlist": [str(v) for v in build.playlists.playlists["playlist"]],
        }), len(build.playlists.playlists)),
        "playlist_artists.npy.gz": (_npy(build.playlists.pairs, "<i4"), len(build.playlists.pairs)),
    }


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _version_of(body: dict[str, Any]) -> str:
    """``<build time, UTC, to the second>-<12 hex digits of the manifest body's sha256>``."""
    created = datetime.fromisoformat(body["created_at"]).astimezone(timezone.utc)
    return f"{created:%Y%m%dT%H%M%SZ}-{hashlib.sha256(_canonical(body)).hexdigest()[:12]}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def write_artifact(build: StoredBuild, folder: Path) -> Manifest:
    """Write ``build`` as an artifact into ``folder`` (created; existing files of the same name are replaced)."""
    encoded = _encode(build)
    body: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": _utc(build.info.created_at).isoformat(),
        "scaling": build.tables.scaling,
        "k_songs": int(build.tables.songs.neighbours.shape[1]),
        "k_artists": int(build.tables.artists.neighbours.shape[1]),
        "features": list(FEATURES),
        "sources": list(build.info.sources),
        "counts": build.catalogue.counts(),
        "rejected": dict(build.info.rejected),
        "blend": build.blend.to_json() if build.blend is not None else None,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "rows": rows}
            for name, (data, rows) in encoded.items()
        },
    }
    version = _version_of(body)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in encoded.items():
        (folder / name).write_bytes(data)
    manifest_bytes = json.dumps({**body, "version": version}, sort_keys=True, ensure_ascii=False, indent=2)
    (folder / MANIFEST).write_text(manifest_bytes + "\n", encoding="utf-8")
    return _parse_manifest(body, version)


# --- decoding and verification ---------------------------------------------------------------


def _parse_manifest(body: dict[str, Any], version: str) -> Manifest:
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
        actual = _version_of(body)
        manifest = _parse_manifest(body, actual)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArtifactError(f"{where} is not a valid artifact manifest (bad or missing {exc})") from None
    if claimed != actual or (expected_version is not None and actual != expected_version):
        raise ArtifactError(
            f"{where} does not match its version name {expected_version or claimed}: "
            "the manifest is corrupt or was edited; refusing to load it"
        )
    if body.get("features") != list(FEATURES):
        raise ArtifactError(f"{where} lists audio features {body.get('features')}; this kpop-bot uses {list(FEATURES)}")
    return manifest


def _checksum_error(where: str, expected: str, actual: str, version: str) -> ArtifactError:
    return ArtifactError(
        f"checksum mismatch for {where}: sha256 {actual[:16]}… where the manifest of version {version} "
        f"says {expected[:16]}…; refusing to load a corrupt artifact"
    )


def _verified(path: Path, entry: FileEntry, version: str) -> bytes:
    """The file's bytes, only if they hash to the manifest's checksum."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"could not read {path}: {exc.strerror or exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry.sha256:
        raise _checksum_error(str(path), entry.sha256, actual, version)
    return data


def _load_npy(data: bytes, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    array = np.load(io.BytesIO(gzip.decompress(data)), allow_pickle=False)
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise ValueError(f"holds {array.dtype} {array.shape}, expected {np.dtype(dtype)} {shape}")
    return array


def _load_columns(data: bytes, names: tuple[str, ...], rows: int) -> dict[str, list[Any]]:
    columns = json.loads(gzip.decompress(data).decode("utf-8"))
    for name in names:
        if len(columns[name]) != rows:
            raise ValueError(f"column {name} has {len(columns[name])} values, expected {rows}")
    return columns


def _decode_playlists(manifest: Manifest, files: dict[str, bytes]) -> PlaylistArtists:
    """The playlist data; a format 1 artifact has none."""
    if "playlists.json.gz" not in files:
        return PlaylistArtists.empty()
    n_playlists = manifest.files["playlists.json.gz"].rows
    columns = _load_columns(files["playlists.json.gz"], ("listener", "playlist"), n_playlists)
    n_pairs = manifest.files["playlist_artists.npy.gz"].rows
    pairs = _load_npy(files["playlist_artists.npy.gz"], (n_pairs, 2), "<i4").astype(np.int64)
    if n_pairs and (pairs[:, 0].min() < 0 or pairs[:, 0].max() >= n_playlists):
        raise ValueError("playlist pairs name playlists the artifact does not hold")
    frame = pd.DataFrame({"listener": pd.Series(columns["listener"], dtype=object),
                          "playlist": pd.Series(columns["playlist"], dtype=object)})
    return PlaylistArtists(frame, pairs)


def _decode(manifest: Manifest, files: dict[str, bytes]) -> tuple[Catalogue, NeighbourTables]:
    n_songs = manifest.files["songs.json.gz"].rows
    n_artists = manifest.files["artists.json.gz"].rows
    song_text = _load_columns(files["songs.json.gz"], _SONG_TEXT, n_songs)
    features = _load_npy(files["song_features.npy.gz"], (n_songs, len(FEATURES)), "<f8")
    artist_columns = _load_columns(files["artists.json.gz"], ARTIST_COLUMNS, n_artists)
    songs = pd.DataFrame(
        {
            "spotify_id": pd.Series(song_text["spotify_id"], dtype=object),
            "title": song_text["title"],
            "artist_id": np.asarray(song_text["artist_id"], dtype=np.int64),
            "korean": np.asarray(song_text["korean"], dtype=bool),
            "popularity": np.asarray(song_text["popularity"], dtype=np.float64),  # None -> NaN
            **{name: features[:, j] for j, name in enumerate(FEATURES)},
            "sources": song_text["sources"],
        }
    )[list(SONG_COLUMNS)]
    artists = pd.DataFrame(
        {
            "name": artist_columns["name"],
            "korean": np.asarray(artist_columns["korean"], dtype=bool),
            "popularity": np.asarray(artist_columns["popularity"], dtype=np.float64),
            "genres": [tuple(v) for v in artist_columns["genres"]],
            "aliases": [tuple(v) for v in artist_columns["aliases"]],
        }
    )
    song_shape, artist_shape = (n_songs, manifest.k_songs), (n_artists, manifest.k_artists)
    tables = NeighbourTables(
        scaling=manifest.scaling,  # type: ignore[arg-type]
        songs=NeighbourTable(
            neighbours=_load_npy(files["song_neighbours.npy.gz"], song_shape, "<i4"),
            distances=_load_npy(files["song_distances.npy.gz"], song_shape, "<f4"),
        ),
        artists=NeighbourTable(
            neighbours=_load_npy(files["artist_neighbours.npy.gz"], artist_shape, "<i4"),
            distances=_load_npy(files["artist_distances.npy.gz"], artist_shape, "<f4"),
        ),
    )
    return Catalogue(songs=songs, artists=artists), tables


def read_artifact(folder: Path, expected_version: str | None = None) -> Artifact:
    """Load the artifact in ``folder``: the manifest and every file are verified before any is decoded."""
    manifest_path = folder / MANIFEST
    try:
        manifest_bytes = manifest_path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"could not read {manifest_path}: {exc.strerror or exc}") from exc
    manifest = verify_manifest(manifest_bytes, str(manifest_path), expected_version)
    files = {name: _verified(folder / name, entry, manifest.version) for name, entry in manifest.files.items()}
    try:
        catalogue, tables = _decode(manifest, files)
        playlists = _decode_playlists(manifest, files)
    except (KeyError, TypeError, ValueError, OSError, EOFError) as exc:
        raise ArtifactError(f"artifact {manifest.version} in {folder} cannot be decoded: {exc}") from exc
    if catalogue.counts() != manifest.counts:
        raise ArtifactError(f"artifact {manifest.version} in {folder} holds other row counts than its manifest says")
    if len(playlists.pairs) and playlists.pairs[:, 1].max() >= len(catalogue.artists):
        raise ArtifactError(f"artifact {manifest.version} in {folder} has playlists naming artists it does not hold")
    return Artifact(manifest=manifest, catalogue=catalogue, tables=tables, playlists=playlists)


# --- stores: publishing and fetching ---------------------------------------------------------


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
        target = folder / name
        if target.is_file() and _sha256_file(target) == entry.sha256:
            return
        url = self.store.url(self.key(version, name))
        partial = folder / f".{name}.part"
        try:
            self.store.download(self.key(version, name), partial)
        except MissingObjectError:
            raise ArtifactError(f"artifact version {version} is incomplete: {url} is missing") from None
        actual = _sha256_file(partial)
        if actual != entry.sha256:
            partial.unlink()
            raise _checksum_error(url, entry.sha256, actual, version)
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
