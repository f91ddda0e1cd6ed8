"""Downloading catalogue files: streamed, verified, cached for offline runs, clear when it fails."""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from recommender.catalogue.download import download
from recommender.catalogue.sources import CatalogueError, default_sources, load_catalogue
from tests.support.fixtures.catalogue import CsvWriter, track_id


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _Server:
    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{name}"

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()


@pytest.fixture
def served(csvs: CsvWriter, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[_Server, Path]]:
    """A loopback HTTP server over a folder holding one small TidyTuesday-format file.

    httpx honours proxy variables, which would route loopback calls away from the server.
    """
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    path = csvs.write("songs.csv", "tidytuesday", [
        {"track_id": track_id(1), "track_name": "Blinding Lights", "track_artist": "The Weeknd"},
    ])
    server = _Server(csvs.folder)
    yield server, path
    server.stop()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_verifies_and_caches_for_offline_runs(served: tuple[_Server, Path], tmp_path: Path) -> None:
    server, path = served
    cache = tmp_path / "cache"
    url = server.url("songs.csv")
    got = download(url, cache, sha256=_sha256(path))
    assert got.read_bytes() == path.read_bytes() and got.name == "songs.csv"
    assert not list(cache.rglob("*.part"))
    server.stop()
    assert download(url, cache, sha256=_sha256(path)) == got  # no network needed the second time
    catalogue, _ = load_catalogue([url], cache_dir=cache)
    assert list(catalogue.songs["title"]) == ["Blinding Lights"]
    assert catalogue.songs.at[0, "sources"] == "songs.csv"


def test_load_catalogue_downloads_urls_with_progress_on_stderr(
    served: tuple[_Server, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = served
    catalogue, _ = load_catalogue([server.url("songs.csv")], cache_dir=tmp_path / "cache", progress=True)
    assert catalogue.artist_name(0) == "The Weeknd"
    captured = capsys.readouterr()
    assert "reading catalogue files" in captured.err and captured.out == ""


def test_a_wrong_checksum_is_an_error_and_nothing_is_cached(served: tuple[_Server, Path], tmp_path: Path) -> None:
    server, _ = served
    cache = tmp_path / "cache"
    url = server.url("songs.csv")
    with pytest.raises(CatalogueError) as err:
        download(url, cache, sha256="0" * 64)
    message = str(err.value)
    assert url in message and "sha256" in message and "--source" in message
    assert not [p for p in cache.rglob("*") if p.is_file()]


@pytest.mark.parametrize("problem", ["missing file", "server down"])
def test_a_failed_download_names_the_url_and_the_offline_way(
    served: tuple[_Server, Path], tmp_path: Path, problem: str
) -> None:
    server, _ = served
    url = server.url("missing.csv")
    if problem == "server down":
        server.stop()
    with pytest.raises(CatalogueError) as err:
        load_catalogue([url], cache_dir=tmp_path / "cache")
    message = str(err.value)
    assert f"could not download catalogue source {url}" in message
    assert "--source PATH" in message and "KPOP_SOURCES=PATH" in message
    if problem == "missing file":
        assert "HTTP 404" in message


def test_default_sources_are_public_https_files() -> None:
    sources = default_sources()
    assert sources and all(s.url.startswith("https://") and s.url.endswith(".csv") for s in sources)
    assert all(s.sha256 is None or re.fullmatch("[0-9a-f]{64}", s.sha256) for s in sources)
    assert len({s.url.rsplit("/", 1)[1] for s in sources}) == len(sources)  # cache and report names differ
