"""Artifacts on S3: real boto3 against moto's standalone server on loopback.

The server runs in a thread of the test process, but boto3 reaches it only
over HTTP through ``AWS_ENDPOINT_URL``, exactly as it would reach MinIO or
AWS. Credential failures use moto's IAM mode (unknown key id, wrong secret,
no permission); moto never expires a session token, so ``ExpiredToken`` comes
from a stand-in endpoint answering what S3 answers for one.
"""

from __future__ import annotations

import json
import re
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from bot.app.logs import set_library_levels
from bot.ops.artifacts.files import read_artifact
from bot.ops.artifacts.location import ArtifactLocation, publish
from bot.ops.artifacts.manifest import ArtifactError
from bot.app.cli import main
from bot.ops.stores.base import StoreError
from bot.chat.replies import Sender
from bot.app.runtime import open_core
from tests.support.artifacts import (
    DATA_FILES,
    ESCAPING_NAMES,
    assert_hangul_intact,
    assert_same_build,
    cli_env,
    forbid_building,
    make_build,
    plant_file,
    write_sources,
)
from tests.support.fixtures.catalogue import CsvWriter
from tests.support.fixtures.core import core_settings

BUCKET = "kpop-artifacts"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, endpoint: str, **extra: str) -> None:
    """Fake credentials and the endpoint in the environment only; no shared AWS config files are read."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    values = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **extra,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3(moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A boto3 client on a fresh moto server state holding one empty bucket."""
    _aws_env(monkeypatch, tmp_path, moto_endpoint)
    httpx.post(f"{moto_endpoint}/moto-api/reset").raise_for_status()
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


@contextmanager
def iam_checks(endpoint: str) -> Iterator[None]:
    """Moto checks every request's credentials and permissions against its IAM until the block ends."""
    httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
    try:
        yield
    finally:
        httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"inf").raise_for_status()


def _keys(client: Any, prefix: str = "") -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def test_publish_and_download_round_trip(s3: Any, tmp_path: Path) -> None:
    build = make_build()
    published = publish(build, f"s3://{BUCKET}/kpop/prod", tmp_path / "publisher")
    version = published.manifest.version
    assert published.version_url == f"s3://{BUCKET}/kpop/prod/{version}/"
    assert published.pointer_url == f"s3://{BUCKET}/kpop/prod/latest.json"
    assert _keys(s3) == sorted(
        [f"kpop/prod/{version}/{name}" for name in (*DATA_FILES, "manifest.json")] + ["kpop/prod/latest.json"]
    )
    pointer = json.loads(s3.get_object(Bucket=BUCKET, Key="kpop/prod/latest.json")["Body"].read())
    assert pointer["version"] == version

    for url in (f"s3://{BUCKET}/kpop/prod", f"s3://{BUCKET}/kpop/prod/{version}"):
        location = ArtifactLocation.open(url)
        assert location.resolve() == version
        artifact = read_artifact(location.fetch(version, tmp_path / "worker"), version)
        assert_same_build(artifact.catalogue, artifact.tables, build)
        assert_hangul_intact(artifact.catalogue)


def test_a_corrupted_object_is_refused_and_named(s3: Any, tmp_path: Path) -> None:
    version = publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher").manifest.version
    key = f"kpop/{version}/song_neighbours.npy.gz"
    data = bytearray(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    data[len(data) // 2] ^= 0x01
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(data))

    with pytest.raises(ArtifactError, match=f"checksum mismatch for s3://{BUCKET}/{key}: .*refusing to load"):
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").fetch(version, tmp_path / "worker")
    assert not (tmp_path / "worker" / version / "song_neighbours.npy.gz").exists()


def test_an_edited_manifest_in_the_bucket_is_refused(s3: Any, tmp_path: Path) -> None:
    version = publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher").manifest.version
    key = f"kpop/{version}/manifest.json"
    body = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    body["files"]["songs.json.gz"]["sha256"] = "0" * 64  # make a corrupt file "fit"
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(body).encode())
    with pytest.raises(ArtifactError, match=f"s3://{BUCKET}/{key} does not match its version name"):
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").fetch(version, tmp_path / "worker")


def test_a_missing_bucket_is_named_for_readers_and_publishers(s3: Any, tmp_path: Path, moto_endpoint: str) -> None:
    expected = f"bucket 'no-such-bucket' does not exist at {moto_endpoint}"
    with pytest.raises(StoreError, match=expected):
        ArtifactLocation.open("s3://no-such-bucket/kpop").resolve()
    with pytest.raises(StoreError, match=expected):
        publish(make_build(), "s3://no-such-bucket/kpop", tmp_path / "publisher")


def test_a_missing_prefix_or_version_is_named(s3: Any, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=f"no artifact has been published at s3://{BUCKET}/empty "
                                            f".s3://{BUCKET}/empty/latest.json not found.: run kpop-bot publish"):
        ArtifactLocation.open(f"s3://{BUCKET}/empty").resolve()
    unknown = "20991231T000000Z-0123456789ab"
    with pytest.raises(ArtifactError, match=f"artifact version {unknown} not found: "
                                            f"s3://{BUCKET}/kpop/{unknown}/manifest.json is missing"):
        location = ArtifactLocation.open(f"s3://{BUCKET}/kpop/{unknown}")
        location.fetch(location.resolve(), tmp_path / "worker")


def test_an_unknown_access_key_is_reported_without_secrets(
    s3: Any, tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher")
    with iam_checks(moto_endpoint), pytest.raises(StoreError) as caught:
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").resolve()
    message = str(caught.value)
    assert f"{moto_endpoint} does not know the AWS access key id in use (InvalidAccessKeyId)" in message
    assert "AKIAIOSFODNN7EXAMPLE" not in message and SECRET not in message


def test_a_wrong_secret_and_a_missing_permission_are_told_apart(
    s3: Any, tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher")
    iam = boto3.client("iam")
    iam.create_user(UserName="worker")
    key = iam.create_access_key(UserName="worker")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-" + key["SecretAccessKey"])
    with iam_checks(moto_endpoint), pytest.raises(StoreError, match=r"rejected the request signature \(SignatureDoesNotMatch\)"):
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").resolve()

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])  # right key, but no policy grants s3:GetObject
    with iam_checks(moto_endpoint), pytest.raises(StoreError) as caught:
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").resolve()
    assert str(caught.value) == (
        f"access denied to s3://{BUCKET}/kpop/latest.json (AccessDenied): these credentials may not read it"
    )


def test_no_credentials_and_an_unreachable_endpoint_are_one_line_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    _aws_env(monkeypatch, tmp_path, closed, AWS_MAX_ATTEMPTS="1")
    with pytest.raises(StoreError, match=f'could not read s3://{BUCKET}/kpop/latest.json: Could not connect to the endpoint URL: "{closed}/'):
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").resolve()

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreError, match=f"could not read s3://{BUCKET}/kpop/latest.json: Unable to locate credentials"):
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").resolve()


class _ExpiredTokenHandler(BaseHTTPRequestHandler):
    """Answers every request as S3 does once a session token has expired."""

    BODY = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ExpiredToken</Code>'
        b"<Message>The provided token has expired.</Message>"
        b"<RequestId>4442587FB7D0A2F9</RequestId></Error>"
    )

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(400)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.BODY)

    do_GET = do_PUT = do_HEAD = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def expired_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ExpiredTokenHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_expired_credentials_are_reported_without_secrets_in_messages_or_logs(
    tmp_path: Path, expired_endpoint: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _aws_env(monkeypatch, tmp_path, expired_endpoint, AWS_SESSION_TOKEN=TOKEN)
    set_library_levels(verbose=True)  # what `kpop-bot -v` does
    caplog.set_level(logging.DEBUG)
    for attempt in (
        lambda: ArtifactLocation.open(f"s3://{BUCKET}/kpop").resolve(),
        lambda: publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher"),
    ):
        with pytest.raises(StoreError) as caught:
            attempt()
        assert str(caught.value) == "the AWS credentials have expired (ExpiredToken): renew them and try again"
    assert caplog.records, "expected boto3's INFO records at least"
    assert SECRET not in caplog.text and TOKEN not in caplog.text


def test_debug_logging_of_a_real_exchange_keeps_credentials_out(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    set_library_levels(verbose=True)  # what `kpop-bot -v` does
    caplog.set_level(logging.DEBUG)
    version = publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher").manifest.version
    ArtifactLocation.open(f"s3://{BUCKET}/kpop").fetch(version, tmp_path / "worker")
    assert SECRET not in caplog.text and TOKEN not in caplog.text


async def test_open_core_loads_the_published_artifact_instead_of_building(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = make_build()
    version = publish(build, f"s3://{BUCKET}/kpop", tmp_path / "publisher").manifest.version
    forbid_building(monkeypatch)
    settings = core_settings(tmp_path / "worker", KPOP_ARTIFACT=f"s3://{BUCKET}/kpop")
    async with open_core(settings) as core:
        answer = await core.recommend(Sender(platform="cli", user_id="u", chat_id="c"), "방탄소년단")
        assert answer.match is not None and answer.match.title == "BTS"
        assert core.library.info.artifact == version
        assert_same_build(core.library.catalogue, core.library.tables, build)
    assert sorted(p.name for p in (tmp_path / "worker" / "artifacts" / version).iterdir()) == sorted(
        [*DATA_FILES, "manifest.json"]
    )


def test_cli_round_trip_and_a_missing_bucket_in_one_line(
    s3: Any, tmp_path: Path, csvs: CsvWriter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env(monkeypatch, tmp_path / "publisher", KPOP_SOURCES=str(write_sources(csvs)))
    assert main(["publish", f"s3://{BUCKET}/kpop"]) == 0
    assert f"s3://{BUCKET}/kpop/latest.json now names" in capsys.readouterr().out

    cli_env(monkeypatch, tmp_path / "worker", KPOP_ARTIFACT=f"s3://{BUCKET}/kpop")
    forbid_building(monkeypatch)
    assert main(["recommend", "Shape of You", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["match"]["title"] == "Shape of You"

    monkeypatch.setenv("KPOP_ARTIFACT", "s3://no-such-bucket/kpop")
    assert main(["recommend", "Shape of You"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kpop-bot: bucket 'no-such-bucket' does not exist at http://127.0.0.1:")
    assert err.count("\n") == 1 and "Traceback" not in err and SECRET not in err


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_a_crafted_manifest_in_the_bucket_writes_no_file_outside_the_cache(s3: Any, tmp_path: Path, name: str) -> None:
    publish(make_build(), f"s3://{BUCKET}/kpop", tmp_path / "publisher")

    def read(key: str) -> bytes:
        return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def write(key: str, data: bytes) -> None:
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)

    version = plant_file(read, write, "kpop/", name)
    assert f"kpop/{version}/{name}" in _keys(s3)  # the object an unchecked worker would download
    cache = tmp_path / "w" / "x" / "cache"

    with pytest.raises(ArtifactError, match=f"lists a file this artifact format does not have .*{re.escape(name)}"):
        ArtifactLocation.open(f"s3://{BUCKET}/kpop").fetch(version, cache)
    assert not list(tmp_path.rglob("planted.pth"))
