"""The artifact format and publishing, on a local directory store (S3 is in test_artifacts_s3.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bot.ops.artifacts.location
from bot.ops.artifacts.files import file_in, read_artifact, write_artifact
from bot.ops.artifacts.location import ArtifactLocation, prune_cache, publish
from bot.ops.artifacts.manifest import FORMAT_VERSION, ArtifactError, version_of
from bot.app.cli import main
from bot.app.config import ConfigError, load_settings
from bot.ops.stores.base import StoreError, parse_store_url
from bot.ops.stores.directory import DirectoryStore
from bot.chat.replies import Sender
from bot.app.options import build_options
from bot.app.runtime import open_core
from bot.ops.build import publish_build
from bot.storage.catalogue_store import BuildInfo, StoredBuild, load_build
from bot.storage.engine import database
from tests.support.artifacts import (
    BUILT_AT,
    DATA_FILES,
    ESCAPING_NAMES,
    assert_hangul_intact,
    assert_same_build,
    cli_env,
    forbid_building,
    make_build,
    plant_file,
    planted_manifest,
    write_sources,
)
from recommender.catalogue.catalogue import Catalogue, ImportReport
from recommender.catalogue.listening import PlaylistArtists
from recommender.ranking.neighbours import build_tables
from recommender.catalogue.normalize import contains_hangul
from tests.support.fixtures.catalogue import CsvWriter
from tests.support.fixtures.core import core_settings



class RecordingStore(DirectoryStore):
    """A directory store that remembers every write and download, in order, and can fail on one key."""

    def __init__(self, root: Path, fail_on: str | None = None) -> None:
        super().__init__(root)
        self.writes: list[str] = []
        self.downloads: list[str] = []
        self.fail_on = fail_on

    def _check(self, key: str) -> None:
        if self.fail_on is not None and key.endswith(self.fail_on):
            raise StoreError(f"connection reset while writing {key}")

    def write(self, key: str, data: bytes) -> None:
        self._check(key)
        super().write(key, data)
        self.writes.append(key)

    def upload(self, path: Path, key: str) -> None:
        self._check(key)
        super().upload(path, key)
        self.writes.append(key)

    def download(self, key: str, path: Path) -> None:
        super().download(key, path)
        self.downloads.append(key)


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecordingStore:
    """Every artifact URL opens this one store (rooted at tmp_path/store, prefix from the URL's path)."""
    store = RecordingStore(tmp_path / "store")

    def open_store(url: str) -> tuple[RecordingStore, str]:
        return store, url.removeprefix("rec://").strip("/")

    monkeypatch.setattr(bot.ops.artifacts.location, "open_store", open_store)
    return store


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


# --- the format -------------------------------------------------------------------------------


def test_round_trip_restores_catalogue_and_tables_exactly(tmp_path: Path) -> None:
    build = make_build()
    write_artifact(build, tmp_path / "artifact")
    artifact = read_artifact(tmp_path / "artifact")
    assert_same_build(artifact.catalogue, artifact.tables, build)
    assert_hangul_intact(artifact.catalogue)
    songs, artists = artifact.catalogue.songs, artifact.catalogue.artists
    assert songs.at[0, "spotify_id"] is None and songs.at[1, "spotify_id"] == build.catalogue.songs.at[1, "spotify_id"]
    assert artists.at[2, "genres"] == ("k-pop", "k-pop boy group") and artists.at[3, "genres"] == ()


def test_playlist_data_and_tuned_weights_round_trip(tmp_path: Path) -> None:
    build = make_build()
    write_artifact(build, tmp_path / "artifact")
    artifact = read_artifact(tmp_path / "artifact")
    assert artifact.playlists.playlists.values.tolist() == build.playlists.playlists.values.tolist()
    assert artifact.playlists.pairs.tolist() == build.playlists.pairs.tolist()
    assert artifact.manifest.blend == build.blend
    pd.testing.assert_frame_equal(artifact.tags, build.tags)
    untuned = read_artifact_of(make_build(playlists=False, blend=None), tmp_path / "untuned")
    assert untuned.manifest.blend is None and len(untuned.playlists.pairs) == 0 and untuned.tags.empty


def read_artifact_of(build: StoredBuild, folder: Path):  # type: ignore[no-untyped-def]
    write_artifact(build, folder)
    return read_artifact(folder)


def test_a_format_1_artifact_still_loads_without_playlists_or_weights(tmp_path: Path) -> None:
    """Artifacts published before playlist data existed: same catalogue and tables, no playlists, equal weights."""
    build = make_build()
    write_artifact(build, tmp_path)
    body = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    for name in ("playlists.json.gz", "playlist_artists.npy.gz", "artist_tags.json.gz"):
        del body["files"][name]
        (tmp_path / name).unlink()
    del body["blend"], body["version"]
    body["format_version"] = 1
    version = version_of(body)
    (tmp_path / "manifest.json").write_text(json.dumps({**body, "version": version}), encoding="utf-8")
    artifact = read_artifact(tmp_path, version)
    assert_same_build(artifact.catalogue, artifact.tables, build)
    assert artifact.manifest.blend is None and len(artifact.playlists.playlists) == 0 and artifact.tags.empty


def test_tags_naming_artists_outside_the_catalogue_are_refused(tmp_path: Path) -> None:
    build = make_build()
    broken = build.tags.assign(artist_id=len(build.catalogue.artists))
    write_artifact(replace(build, tags=broken), tmp_path)
    with pytest.raises(ArtifactError, match="tags naming artists it does not hold"):
        read_artifact(tmp_path)


def test_playlists_naming_artists_outside_the_catalogue_are_refused(tmp_path: Path) -> None:
    build = make_build()
    broken = PlaylistArtists.from_table(["ann"], ["p"], np.array([len(build.catalogue.artists)]))
    write_artifact(replace(build, playlists=broken), tmp_path)
    with pytest.raises(ArtifactError, match="playlists naming artists it does not hold"):
        read_artifact(tmp_path)


def test_manifest_describes_the_build_and_checksums_every_file(tmp_path: Path) -> None:
    build = make_build()
    manifest = write_artifact(build, tmp_path)
    on_disk = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))

    assert on_disk["version"] == manifest.version == f"20261120T093015Z-{manifest.version[-12:]}"
    assert on_disk["format_version"] == FORMAT_VERSION
    assert on_disk["created_at"] == BUILT_AT.isoformat()
    assert (on_disk["scaling"], on_disk["k_songs"], on_disk["k_artists"]) == ("global", 5, 4)
    assert on_disk["sources"] == build.info.sources
    assert on_disk["counts"] == build.catalogue.counts()
    assert on_disk["rejected"] == {"missing audio features": 3, "duplicate row": 1}
    assert sorted(on_disk["files"]) == sorted(DATA_FILES)
    for name, entry in on_disk["files"].items():
        data = (tmp_path / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert on_disk["files"]["songs.json.gz"]["rows"] == len(build.catalogue.songs)
    assert on_disk["files"]["artist_distances.npy.gz"]["rows"] == len(build.catalogue.artists)
    songs = json.loads(gzip.decompress((tmp_path / "songs.json.gz").read_bytes()))
    assert "밤편지" in songs["title"]  # Hangul as text, not \\u escapes


def test_the_same_build_always_gets_the_same_version_and_bytes(tmp_path: Path) -> None:
    first = write_artifact(make_build(), tmp_path / "a")
    again = write_artifact(make_build(), tmp_path / "b")
    assert again.version == first.version
    for name in (*DATA_FILES, "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    later = write_artifact(make_build(created_at=BUILT_AT + timedelta(seconds=1)), tmp_path / "c")
    assert later.version != first.version


@pytest.mark.parametrize("name", DATA_FILES)
def test_a_corrupt_file_is_refused_and_named(tmp_path: Path, name: str) -> None:
    write_artifact(make_build(), tmp_path)
    _flip_last_byte(tmp_path / name)
    with pytest.raises(ArtifactError, match=f"checksum mismatch for .*{re.escape(name)}"):
        read_artifact(tmp_path)


def test_an_edited_manifest_is_refused(tmp_path: Path) -> None:
    write_artifact(make_build(), tmp_path)
    body = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    body["counts"]["songs"] += 1
    (tmp_path / "manifest.json").write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(ArtifactError, match="manifest.json does not match its version name"):
        read_artifact(tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda body: body.update(format_version=FORMAT_VERSION + 1), "artifact format 3; this kpop-bot reads formats 1, 2"),
        (lambda body: body.update(format="something-else"), "not a kpop-bot artifact manifest"),
        (lambda body: body.pop("files"), "not a valid artifact manifest"),
    ],
)
def test_unknown_manifests_are_refused_with_a_reason(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    write_artifact(make_build(), tmp_path)
    body = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    edit(body)
    (tmp_path / "manifest.json").write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(ArtifactError, match=message):
        read_artifact(tmp_path)


def test_a_manifest_that_is_not_json_is_refused(tmp_path: Path) -> None:
    write_artifact(make_build(), tmp_path)
    (tmp_path / "manifest.json").write_bytes(b"\x00garbage")
    with pytest.raises(ArtifactError, match="not a readable artifact manifest"):
        read_artifact(tmp_path)


# --- publishing and fetching ------------------------------------------------------------------


def test_publish_then_fetch_through_a_directory(tmp_path: Path) -> None:
    build = make_build()
    published = publish(build, str(tmp_path / "store"), tmp_path / "publisher-cache")
    version = published.manifest.version
    assert published.uploaded
    assert published.pointer_url == str(tmp_path / "store" / "latest.json")
    assert json.loads((tmp_path / "store" / "latest.json").read_text())["version"] == version

    for url in (str(tmp_path / "store"), f"file://{tmp_path / 'store'}", f"{tmp_path / 'store'}/{version}/"):
        location = ArtifactLocation.open(url)
        assert location.resolve() == version
        folder = location.fetch(version, tmp_path / "worker-cache")
        artifact = read_artifact(folder, version)
        assert_same_build(artifact.catalogue, artifact.tables, build)


def test_publish_writes_data_files_then_manifest_then_pointer(recording: RecordingStore, tmp_path: Path) -> None:
    version = publish(make_build(), "rec://kpop/prod", tmp_path / "cache").manifest.version
    assert sorted(recording.writes[: len(DATA_FILES)]) == sorted(f"kpop/prod/{version}/{n}" for n in DATA_FILES)
    assert recording.writes[len(DATA_FILES):] == [f"kpop/prod/{version}/manifest.json", "kpop/prod/latest.json"]


@pytest.mark.parametrize("failing", ["song_distances.npy.gz", "manifest.json", "latest.json"])
def test_an_interrupted_publish_leaves_readers_on_the_previous_version(
    recording: RecordingStore, tmp_path: Path, failing: str
) -> None:
    old = publish(make_build(), "rec://kpop", tmp_path / "cache").manifest.version
    recording.fail_on = failing
    newer = make_build(created_at=BUILT_AT + timedelta(days=1))
    with pytest.raises(StoreError, match="connection reset"):
        publish(newer, "rec://kpop", tmp_path / "cache")
    assert ArtifactLocation.open("rec://kpop").resolve() == old


def test_republishing_a_version_only_moves_the_pointer(recording: RecordingStore, tmp_path: Path) -> None:
    first = publish(make_build(), "rec://kpop", tmp_path / "cache")
    second = publish(make_build(created_at=BUILT_AT + timedelta(days=1)), "rec://kpop", tmp_path / "cache")
    recording.writes.clear()
    rollback = publish(make_build(), "rec://kpop", tmp_path / "other-cache")
    assert not rollback.uploaded and rollback.manifest.version == first.manifest.version
    assert recording.writes == ["kpop/latest.json"]
    assert ArtifactLocation.open("rec://kpop").resolve() == first.manifest.version != second.manifest.version


def test_a_version_is_never_overwritten_with_other_content(recording: RecordingStore, tmp_path: Path) -> None:
    version = publish(make_build(), "rec://kpop", tmp_path / "cache").manifest.version
    manifest = recording.root / "kpop" / version / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"global"', b'"per-side"'))
    with pytest.raises(ArtifactError, match="already exists with other content; versions are immutable"):
        publish(make_build(), "rec://kpop", tmp_path / "cache")


def test_publishing_to_a_version_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="publish to a prefix, not to a version"):
        publish(make_build(), f"{tmp_path}/20261120T093015Z-0123456789ab", tmp_path / "cache")


def test_fetch_keeps_intact_cached_files_and_replaces_a_corrupt_one(recording: RecordingStore, tmp_path: Path) -> None:
    version = publish(make_build(), "rec://kpop", tmp_path / "publisher").manifest.version
    location = ArtifactLocation.open("rec://kpop")
    folder = location.fetch(version, tmp_path / "cache")
    assert len(recording.downloads) == len(DATA_FILES)

    recording.downloads.clear()
    _flip_last_byte(folder / "song_neighbours.npy.gz")
    location.fetch(version, tmp_path / "cache")
    assert recording.downloads == [f"kpop/{version}/song_neighbours.npy.gz"]
    assert_same_build(*_loaded(folder), make_build())


def _loaded(folder: Path):  # type: ignore[no-untyped-def]
    artifact = read_artifact(folder)
    return artifact.catalogue, artifact.tables


def test_a_corrupt_object_in_the_store_is_refused_and_named(recording: RecordingStore, tmp_path: Path) -> None:
    version = publish(make_build(), "rec://kpop", tmp_path / "publisher").manifest.version
    _flip_last_byte(recording.root / "kpop" / version / "artists.json.gz")
    with pytest.raises(ArtifactError) as caught:
        ArtifactLocation.open("rec://kpop").fetch(version, tmp_path / "cache")
    assert f"checksum mismatch for {recording.root}/kpop/{version}/artists.json.gz" in str(caught.value)
    assert not (tmp_path / "cache" / version / "artists.json.gz").exists()
    assert not list((tmp_path / "cache" / version).glob(".*.part"))


def test_missing_pointer_version_and_file_are_each_named(recording: RecordingStore, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no artifact has been published at .*latest.json not found"):
        ArtifactLocation.open("rec://nothing-here").resolve()
    version = publish(make_build(), "rec://kpop", tmp_path / "publisher").manifest.version
    unknown = "20991231T000000Z-0123456789ab"
    with pytest.raises(ArtifactError, match=f"artifact version {unknown} not found"):
        ArtifactLocation.open("rec://kpop").fetch(unknown, tmp_path / "cache")
    (recording.root / "kpop" / version / "song_features.npy.gz").unlink()
    with pytest.raises(ArtifactError, match=f"{version} is incomplete: .*song_features.npy.gz is missing"):
        ArtifactLocation.open("rec://kpop").fetch(version, tmp_path / "cache")
    (recording.root / "kpop" / "latest.json").write_text('{"version": "../../etc"}')
    with pytest.raises(ArtifactError, match="latest.json does not name an artifact version"):
        ArtifactLocation.open("rec://kpop").resolve()


def test_an_unwritable_cache_is_one_clear_error(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    publish(make_build(), store, tmp_path / "publisher")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    location = ArtifactLocation.open(store)
    with pytest.raises(ArtifactError, match=f"could not write the artifact cache in {blocker}"):
        location.fetch(location.resolve(), blocker)
    with pytest.raises(ArtifactError, match=f"could not write the artifact cache in {blocker}"):
        publish(make_build(), store, blocker)


def test_a_missing_directory_store_is_reported(tmp_path: Path) -> None:
    absent = tmp_path / "absent"
    with pytest.raises(ArtifactError, match=f"no artifact has been published at {absent} .{absent}/latest.json not found"):
        ArtifactLocation.open(str(absent)).resolve()


def test_prune_cache_keeps_the_active_version_and_the_newest_others(tmp_path: Path) -> None:
    names = [f"2026112{i}T000000Z-0123456789ab" for i in range(6)]
    for age, name in enumerate(reversed(names)):
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (1_000_000 - age, 1_000_000 - age))  # names[-1] newest
    (tmp_path / "unrelated").mkdir()
    prune_cache(tmp_path, keep=names[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names[0], names[-1], names[-2], "unrelated"])


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s3://bucket/some/prefix/", ("s3", "bucket", "some/prefix")),
        ("s3://bucket", ("s3", "bucket", "")),
        ("file:///srv/artifacts/", ("file", "", "/srv/artifacts")),
        ("/srv/artifacts", ("file", "", "/srv/artifacts")),
    ],
)
def test_store_urls_are_parsed(value: str, expected: tuple[str, str, str]) -> None:
    parsed = parse_store_url(value)
    assert (parsed.scheme, parsed.bucket, parsed.path) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://user:hunter2@example.org/a", "unsupported scheme https://"),
        ("s3:///no-bucket", "needs a bucket"),
        ("file://otherhost/dir", "names a local directory"),
    ],
)
def test_a_malformed_artifact_setting_is_a_config_error(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"KPOP_ARTIFACT: .*{message}") as caught:
        load_settings(KPOP_ARTIFACT=value)
    assert "hunter2" not in str(caught.value)


def test_an_empty_artifact_setting_means_none() -> None:
    assert load_settings(KPOP_ARTIFACT=" ").artifact is None


# --- the runtime and the command line ---------------------------------------------------------


async def test_open_core_uses_the_artifact_without_building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = make_build()
    version = publish(build, str(tmp_path / "store"), tmp_path / "publisher").manifest.version
    forbid_building(monkeypatch)
    settings = core_settings(tmp_path / "worker", KPOP_ARTIFACT=str(tmp_path / "store"))

    async with open_core(settings) as core:
        answer = await core.recommend(Sender(platform="cli", user_id="u", chat_id="c"), "Blinding Lights")
        assert answer.picks
        assert core.library.info.artifact == version
        assert core.library.info.created_at == BUILT_AT
        assert_same_build(core.library.catalogue, core.library.tables, build)
        assert_hangul_intact(core.library.catalogue)

    # a restart with the same version reads the pointer and nothing else
    def no_fetch(*args: object) -> None:
        raise AssertionError("downloaded again although the version is already the active build")

    monkeypatch.setattr(ArtifactLocation, "fetch", no_fetch)
    async with open_core(settings) as core:
        assert core.library.info.artifact == version


async def test_open_core_switches_to_a_newly_published_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = str(tmp_path / "store")
    publish(make_build(), store, tmp_path / "publisher")
    settings = core_settings(tmp_path / "worker", KPOP_ARTIFACT=store)
    async with open_core(settings) as core:
        first = core.library.info
    newer = publish(make_build(created_at=BUILT_AT + timedelta(days=1)), store, tmp_path / "publisher")
    async with open_core(settings) as core:
        assert core.library.info.artifact == newer.manifest.version != first.artifact
        assert core.library.info.id == first.id + 1


def test_cli_publishes_then_a_worker_answers_from_the_artifact(
    tmp_path: Path, csvs: CsvWriter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    cli_env(monkeypatch, tmp_path / "publisher", KPOP_SOURCES=str(write_sources(csvs)))
    assert main(["publish", str(store)]) == 0
    out = capsys.readouterr().out
    version = json.loads((store / "latest.json").read_text())["version"]
    assert f"published version {version} ({len(DATA_FILES) + 1} files" in out and f"{store / 'latest.json'} now names {version}" in out

    assert main(["publish", str(store)]) == 0  # the same build again: nothing to upload
    assert f"version {version} was already published" in capsys.readouterr().out

    cli_env(monkeypatch, tmp_path / "worker", KPOP_ARTIFACT=str(store), KPOP_SOURCES="/nonexistent")
    forbid_building(monkeypatch)
    assert main(["recommend", "Blinding Lights", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["match"]["title"] == "Blinding Lights"
    assert {pick["title"] for pick in answer["picks"]} <= {"Dynamite", "밤편지"}


def test_cli_refuses_a_corrupt_artifact_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    version = publish(make_build(), str(store), tmp_path / "publisher").manifest.version
    _flip_last_byte(store / version / "song_distances.npy.gz")
    cli_env(monkeypatch, tmp_path / "worker", KPOP_ARTIFACT=str(store))
    assert main(["recommend", "Blinding Lights"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kpop-bot: checksum mismatch for {store}/{version}/song_distances.npy.gz")
    assert err.count("\n") == 1 and "Traceback" not in err


async def test_a_published_build_is_marked_so_its_own_worker_does_not_reload_it(
    tmp_path: Path, csvs: CsvWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = core_settings(tmp_path, KPOP_SOURCES=str(write_sources(csvs)))
    async with database(settings.resolved_database_url) as engine:
        published = await publish_build(engine, str(tmp_path / "store"), build_options(settings), settings.artifact_dir)
        stored = await load_build(engine)
    assert stored is not None and stored.info.artifact == published.manifest.version


@pytest.mark.realdata
def test_the_real_catalogue_round_trips_through_an_artifact(
    tmp_path: Path, real_catalogue: tuple[Catalogue, ImportReport]
) -> None:
    catalogue, report = real_catalogue
    build = StoredBuild(
        info=BuildInfo(id=1, created_at=BUILT_AT, scaling="global", sources=["shared"],
                       counts=catalogue.counts(), rejected=report.counts_by_reason()),
        catalogue=catalogue,
        tables=build_tables(catalogue, "global", k_songs=10, k_artists=10),
    )
    version = publish(build, str(tmp_path / "store"), tmp_path / "publisher").manifest.version
    location = ArtifactLocation.open(str(tmp_path / "store"))
    artifact = read_artifact(location.fetch(location.resolve(), tmp_path / "worker"), version)
    assert_same_build(artifact.catalogue, artifact.tables, build)
    titles = artifact.catalogue.songs["title"]
    assert titles.map(contains_hangul).sum() > 100
    assert artifact.manifest.rejected == report.counts_by_reason()


async def test_a_worker_republishing_its_artifact_gets_the_same_version(tmp_path: Path) -> None:
    """The database round trip keeps every byte: the build a worker stored is the published one."""
    store = str(tmp_path / "store")
    version = publish(make_build(), store, tmp_path / "publisher").manifest.version
    settings = core_settings(tmp_path / "worker", KPOP_ARTIFACT=store)
    async with open_core(settings):
        pass
    async with database(settings.resolved_database_url) as engine:
        again = await publish_build(engine, store, build_options(settings), settings.artifact_dir)
    assert again.manifest.version == version and not again.uploaded


# --- crafted manifests ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_a_manifest_naming_a_file_outside_the_format_writes_nothing_anywhere(tmp_path: Path, name: str) -> None:
    store = DirectoryStore(tmp_path / "s" / "t" / "u" / "store")
    publish(make_build(), str(store.root), tmp_path / "publisher")

    def write(key: str, data: bytes) -> None:
        path = Path(store.url(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    version = plant_file(store.read, write, "", name)
    cache = tmp_path / "w" / "x" / "y" / "cache"
    before = {p for p in tmp_path.rglob("*") if "store" not in p.parts}

    location = ArtifactLocation.open(str(store.root))
    assert location.resolve() == version
    with pytest.raises(ArtifactError, match=f"lists a file this artifact format does not have .*{re.escape(name)}"):
        location.fetch(version, cache)
    assert {p for p in tmp_path.rglob("*") if "store" not in p.parts} - before <= {cache}  # nothing written


@pytest.mark.parametrize("name", [*ESCAPING_NAMES, "/etc/planted.pth"])
def test_a_folder_whose_manifest_names_a_file_outside_it_is_refused(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "a" / "b" / "version"
    write_artifact(make_build(), folder)
    version, manifest = planted_manifest((folder / "manifest.json").read_bytes(), name, b"x")
    (folder / "manifest.json").write_bytes(manifest)
    with pytest.raises(ArtifactError, match="lists a file this artifact format does not have"):
        read_artifact(folder, version)


@pytest.mark.parametrize("name", ["../songs.json.gz", "x/../../songs.json.gz", "/tmp/songs.json.gz", "a\x00b"])
def test_a_file_name_is_refused_when_its_path_leaves_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArtifactError, match="leaves the version folder"):
        file_in(tmp_path, name)
    assert file_in(tmp_path, "songs.json.gz") == (tmp_path / "songs.json.gz").resolve()
