"""A version's files: written from a build (``write_artifact``) and read back, verified, as one (``read_artifact``).

Why this encoding: the arrays are ``.npy`` (numpy's own format: exact dtypes,
no pickle, nothing to install) and the text columns are JSON (exact strings,
Hangul included, ``null`` for a missing value, lists for genres and aliases),
each gzip-compressed at level 1 (about the size of level 6 on the real
catalogue, in a fraction of the time). Parquet would need pyarrow; a pickle
could run code; CSV cannot tell an empty title from a missing one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bot.ops.artifacts.manifest import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    ArtifactError,
    FileEntry,
    Manifest,
    checksum_error,
    parse_manifest,
    verify_manifest,
    version_of,
)
from bot.storage.catalogue_store import StoredBuild
from recommender.catalogue.catalogue import ARTIST_COLUMNS, FEATURES, SONG_COLUMNS, Catalogue
from recommender.catalogue.lastfm import no_tags
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.neighbours import NeighbourTable, NeighbourTables

__all__ = ["Artifact", "write_artifact", "read_artifact", "file_in"]

_GZIP_LEVEL = 1
_SONG_TEXT = ("spotify_id", "title", "artist_id", "korean", "popularity", "sources")


@dataclass(frozen=True)
class Artifact:
    """A version read back: its manifest and the build it holds."""

    manifest: Manifest
    catalogue: Catalogue
    tables: NeighbourTables
    playlists: PlaylistArtists
    tags: pd.DataFrame  # listeners' artist tags (recommender.catalogue.lastfm.TAG_COLUMNS)


def file_in(folder: Path, name: str) -> Path:
    """``folder / name``, refused unless it resolves to a file directly inside ``folder``.

    The manifest's names are already checked against the format's; this is the second lock, on the
    path itself, wherever a version's file is read or written.
    """
    root = folder.resolve()
    path = (root / name).resolve() if "\x00" not in name else root
    if path.parent != root:
        raise ArtifactError(f"refusing the artifact file name {name!r}: it leaves the version folder {folder}")
    return path


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
        "other_ids": [str(v) for v in songs["other_ids"]],
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
        "artist_tags.json.gz": (_json_columns({
            "artist_id": [int(v) for v in build.tags["artist_id"]],
            "tag": [str(v) for v in build.tags["tag"]],
            "users": [int(v) for v in build.tags["users"]],
        }), len(build.tags)),
    }


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
    version = version_of(body)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in encoded.items():
        (folder / name).write_bytes(data)
    manifest_bytes = json.dumps({**body, "version": version}, sort_keys=True, ensure_ascii=False, indent=2)
    (folder / MANIFEST).write_text(manifest_bytes + "\n", encoding="utf-8")
    return parse_manifest(body, version)


def _verified(path: Path, entry: FileEntry, version: str) -> bytes:
    """The file's bytes, only if they hash to the manifest's checksum."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"could not read {path}: {exc.strerror or exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry.sha256:
        raise checksum_error(str(path), entry.sha256, actual, version)
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


def _decode_tags(manifest: Manifest, files: dict[str, bytes]) -> pd.DataFrame:
    """The listeners' artist tags; an artifact published before they were kept has none."""
    if "artist_tags.json.gz" not in files:
        return no_tags()
    columns = _load_columns(files["artist_tags.json.gz"], ("artist_id", "tag", "users"),
                            manifest.files["artist_tags.json.gz"].rows)
    return pd.DataFrame({"artist_id": np.asarray(columns["artist_id"], dtype=np.int64),
                         "tag": pd.Series(columns["tag"], dtype=object),
                         "users": np.asarray(columns["users"], dtype=np.int64)})


def _decode(manifest: Manifest, files: dict[str, bytes]) -> tuple[Catalogue, NeighbourTables]:
    n_songs = manifest.files["songs.json.gz"].rows
    n_artists = manifest.files["artists.json.gz"].rows
    song_text = _load_columns(files["songs.json.gz"], _SONG_TEXT, n_songs)
    features = _load_npy(files["song_features.npy.gz"], (n_songs, len(FEATURES)), "<f8")
    artist_columns = _load_columns(files["artists.json.gz"], ARTIST_COLUMNS, n_artists)
    songs = pd.DataFrame(
        {
            "spotify_id": pd.Series(song_text["spotify_id"], dtype=object),
            # artifacts published before other ids were kept have none
            "other_ids": song_text.get("other_ids") or [""] * n_songs,
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
    files = {name: _verified(file_in(folder, name), entry, manifest.version) for name, entry in manifest.files.items()}
    try:
        catalogue, tables = _decode(manifest, files)
        playlists = _decode_playlists(manifest, files)
        tags = _decode_tags(manifest, files)
    except (KeyError, TypeError, ValueError, OSError, EOFError) as exc:
        raise ArtifactError(f"artifact {manifest.version} in {folder} cannot be decoded: {exc}") from exc
    if catalogue.counts() != manifest.counts:
        raise ArtifactError(f"artifact {manifest.version} in {folder} holds other row counts than its manifest says")
    if len(playlists.pairs) and playlists.pairs[:, 1].max() >= len(catalogue.artists):
        raise ArtifactError(f"artifact {manifest.version} in {folder} has playlists naming artists it does not hold")
    if len(tags) and tags["artist_id"].max() >= len(catalogue.artists):
        raise ArtifactError(f"artifact {manifest.version} in {folder} has tags naming artists it does not hold")
    return Artifact(manifest=manifest, catalogue=catalogue, tables=tables, playlists=playlists, tags=tags)
