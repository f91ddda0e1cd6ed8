"""Publishing the real catalogue as an artifact and starting a worker from it, against building it.

Run: ``python -m benchmarks bench_artifacts [DATA_DIR]`` (default
``$KPOP_SHARED_DATA`` or ``../shared/data``).

The baseline, measured in the same run, is what a worker without an artifact
does on its first start: import the catalogue and build the neighbour tables
into its database. Against it: publishing that build to S3, a worker's first
start from the artifact (download, verify, decode, store in a fresh SQLite
database, load) and its later restarts (one read of the pointer, then the
database). S3 is moto's server on loopback, in this process, so transfer
times show protocol and checksum costs, not a network; expect more on a real
one for the bytes printed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from pathlib import Path


import boto3
from moto.server import ThreadedMotoServer

from benchmarks import shared_data
from bot.ops.artifacts.files import read_artifact
from bot.ops.artifacts.location import ArtifactLocation, publish
from bot.app.config import Settings, load_settings
from bot.app.options import build_options
from bot.ops.build import activate_artifact, build_and_save
from bot.storage.engine import database

BUCKET = "kpop-bench"


def _settings(folder: Path, **extra: object) -> Settings:
    return load_settings(KPOP_DATA_DIR=folder, KPOP_DATABASE_URL=None, KPOP_EXPERIMENT=False, **extra)


async def _timed(label: str, figures: dict[str, float], coroutine):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = await coroutine
    figures[label] = time.perf_counter() - start
    return result


async def publisher_side(data_dir: Path, work: Path, url: str, figures: dict[str, float]) -> str:
    """Build from the sources (the baseline) and publish; returns the version."""
    publisher = _settings(work / "publisher", KPOP_SOURCES=str(data_dir))
    async with database(publisher.resolved_database_url) as engine:
        stored, _ = await _timed("build", figures, build_and_save(engine, build_options(publisher)))
    published = await _timed("publish", figures, asyncio.to_thread(publish, stored, url, publisher.artifact_dir))
    figures["megabytes"] = published.manifest.total_bytes / 1e6
    return published.manifest.version


async def measure(data_dir: Path, work: Path, url: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    version = await publisher_side(data_dir, work, url, figures)
    gc.collect()  # the publisher's build is gone before the worker's figures are taken

    location = ArtifactLocation.open(url)
    folder = await _timed("download", figures, asyncio.to_thread(location.fetch, version, work / "fresh-cache"))
    await _timed("verify_decode", figures, asyncio.to_thread(read_artifact, folder, version))

    worker = _settings(work / "worker", KPOP_ARTIFACT=url)
    async with database(worker.resolved_database_url) as engine:
        await _timed("first_start", figures, activate_artifact(engine, url, worker.artifact_dir))
        await _timed("restart", figures, activate_artifact(engine, url, worker.artifact_dir))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(shared_data()))
    args = parser.parse_args(argv or [])
    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        print(f"no catalogue data at {data_dir} (set KPOP_SHARED_DATA or pass DATA_DIR)", file=sys.stderr)
        return 2

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        NO_PROXY="127.0.0.1,localhost",
    )
    try:
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        with tempfile.TemporaryDirectory() as work:
            f = asyncio.run(measure(data_dir, Path(work), f"s3://{BUCKET}/kpop"))
    finally:
        server.stop()

    print(f"artifact: {f['megabytes']:.1f} MB in 8 files (moto S3 on loopback)")
    print(f"baseline, first start building from {data_dir}: {f['build']:6.2f} s")
    print(f"publish (encode, checksum, upload):              {f['publish']:6.2f} s")
    print(f"download and verify into an empty cache:         {f['download']:6.2f} s "
          f"({f['megabytes'] / f['download']:.0f} MB/s)")
    print(f"verify and decode from the cache:                {f['verify_decode']:6.2f} s")
    print(f"first start from the artifact (into SQLite):     {f['first_start']:6.2f} s "
          f"= {f['build'] / f['first_start']:.1f}x faster than building")
    print(f"  of which storing in and loading from SQLite:   "
          f"{f['first_start'] - f['download'] - f['verify_decode']:6.2f} s")
    print(f"restart, version already active:                 {f['restart']:6.2f} s "
          f"= {f['build'] / f['restart']:.1f}x faster than building")
    return 0
