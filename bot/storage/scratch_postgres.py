"""A real PostgreSQL server for tests and benchmarks: a private throwaway cluster, or one given by URL.

The storage code must behave the same on PostgreSQL as on SQLite, and only a
real server shows that. Rather than depending on (or disturbing) a server the
machine may already run, :func:`private_server` makes a cluster of its own with
the installed ``initdb`` and ``pg_ctl`` in a temporary directory, listening on a
free port on 127.0.0.1 only, with a random password, and removes it on exit.
Starting one costs one to five seconds, so tests share one per session and take
turns on a few databases that are emptied between tests. Durability settings are off (``fsync``, ``synchronous_commit``): a test cluster
never outlives a crash, and what the tests check (every committed row is visible
to every connection) does not depend on them.

``KPOP_TEST_POSTGRES_URL`` (for example ``postgresql+asyncpg://me:pw@db:5432/postgres``,
a role allowed to create databases) uses that server instead.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

__all__ = ["PostgresServer", "PostgresUnavailable", "private_server", "server_from_url", "URL_VARIABLE"]

URL_VARIABLE = "KPOP_TEST_POSTGRES_URL"
SUPERUSER = "kpop_test"
#: initdb refuses to run as root; Debian's packages create this account to run servers.
ACCOUNT_FOR_ROOT = "postgres"
START_TIMEOUT_S = 60
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "max_connections": "200",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # Deliberately not UTC, so that SQL whose answer depends on the server's zone shows up in tests.
    "timezone": "'Asia/Seoul'",
}


class PostgresUnavailable(Exception):
    """No server can be had here; the message says why and how to get one."""


class PostgresServer:
    """A reachable server, a role on it that may create databases, and the databases made for tests.

    A test borrows an empty database with :meth:`take_database` and hands it back
    with :meth:`give_back`, which empties it (drops and recreates its ``public``
    schema: milliseconds) for the next test. ``CREATE DATABASE`` copies a template
    and checkpoints, which takes a large fraction of a second on a busy machine,
    so a sequential run makes one database and reuses it.
    """

    def __init__(self, admin_url: URL) -> None:
        self.admin_url = admin_url  # postgresql+asyncpg URL of a database to connect to for administration
        self._idle: list[str] = []
        self._made: list[str] = []

    def url(self, database: str) -> str:
        """An async SQLAlchemy URL (with the password) for ``database`` on this server."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    async def take_database(self) -> str:
        """The URL of an empty database that no one else is using until it is given back."""
        if not self._idle:
            name = f"kpop_test_{secrets.token_hex(6)}"
            async with self._connect(self.admin_url.database) as conn:
                await conn.execute(f'CREATE DATABASE "{name}"')
            self._made.append(name)
            self._idle.append(name)
        return self.url(self._idle.pop())

    async def give_back(self, url: str) -> None:
        """Close what is still connected to the database, empty it and keep it for the next test."""
        name = make_url(url).database
        assert name in self._made, f"{name} was not made by take_database"
        async with self._connect(self.admin_url.database) as conn:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        async with self._connect(name) as conn:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        self._idle.append(name)

    async def drop_databases(self) -> None:
        """Drop every database made here (closing leftover connections: PostgreSQL 13+)."""
        async with self._connect(self.admin_url.database) as conn:
            for name in self._made:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made.clear()
        self._idle.clear()

    @asynccontextmanager
    async def _connect(self, database: str | None) -> AsyncIterator[Any]:
        """An asyncpg connection (the optional driver: imported here so SQLite-only runs never need it)."""
        import asyncpg

        u = self.admin_url
        conn = await asyncpg.connect(host=u.host, port=u.port, user=u.username, password=u.password, database=database)
        try:
            yield conn
        finally:
            await conn.close()


def server_from_url(url: str) -> PostgresServer:
    """An existing server, from ``postgresql+asyncpg://user:password@host:port/database``."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise PostgresUnavailable(f"{URL_VARIABLE} is not a PostgreSQL URL: {parsed!r}")
    return PostgresServer(parsed.set(drivername="postgresql+asyncpg"))


def find_binaries() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: on PATH, else the newest Debian install."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True
    )
    if not installed:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): "
            f"install it (Debian: apt-get install postgresql) or set {URL_VARIABLE}"
        )
    return installed[0].parent


def _account() -> pwd.struct_passwd | None:
    """The OS account to run the server as, or None for the current one (when not root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(ACCOUNT_FOR_ROOT)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no {ACCOUNT_FOR_ROOT!r} account to run PostgreSQL as "
            "(the server refuses root)"
        ) from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def private_server() -> Iterator[PostgresServer]:
    """Start a throwaway cluster on a free loopback port; stop it and delete it on exit."""
    binaries = find_binaries()
    account = _account()
    as_account = ["runuser", "-u", account.pw_name, "--"] if account else []
    root = Path(tempfile.mkdtemp(prefix="kpop-postgres-"))
    data, log, password_file = root / "data", root / "server.log", root / "password"
    password = secrets.token_urlsafe(24)
    password_file.write_text(password + "\n")
    if account:
        for path in (root, password_file):
            os.chown(path, account.pw_uid, account.pw_gid)

    def run(*args: str) -> None:
        done = subprocess.run([*as_account, *args], capture_output=True, text=True)
        if done.returncode != 0:
            server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()}\n{server_log}"
            )

    started = False
    try:
        run(
            str(binaries / "initdb"), "--pgdata", str(data), "--username", SUPERUSER,
            "--pwfile", str(password_file), "--auth", "scram-sha-256",
            "--encoding", "UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        port = _free_port()
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in {**SETTINGS, "port": str(port)}.items())
        run(str(binaries / "pg_ctl"), "--pgdata", str(data), "--log", str(log), "--wait",
            "--timeout", str(START_TIMEOUT_S), "start")  # fmt: skip
        started = True
        yield PostgresServer(
            URL.create(
                "postgresql+asyncpg", username=SUPERUSER, password=password,
                host="127.0.0.1", port=port, database="postgres",
            )  # fmt: skip
        )
    finally:
        try:
            if started:
                # immediate: no shutdown checkpoint, the cluster is deleted next anyway
                run(str(binaries / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "--wait", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)
