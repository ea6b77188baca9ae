"""One PostgreSQL connection per process, opened on first use and reopened once if it went away.
A lock serialises its use: pg8000 connections are not thread-safe and the local stack serves
requests on threads (a Lambda container serves one at a time, so it costs nothing there)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pg8000.native

from ai_admin.adapters.postgres_connection import connect
from ai_admin.domain.errors import StorageUnavailable
from ai_admin.settings import PostgresSettings, secret


class PostgresSession:
    def __init__(self, config: PostgresSettings) -> None:
        self._config = config
        self._conn: pg8000.native.Connection | None = None
        self._lock = threading.RLock()

    def _connection(self) -> pg8000.native.Connection:
        if self._conn is None:
            self._conn = connect(self._config.url, self._config.connect_timeout_s, secret(self._config.password))
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None

    def run(self, sql: str, **params: Any) -> list[list[Any]]:
        with self._lock:
            for attempt in (1, 2):
                try:
                    return list(self._connection().run(sql, **params) or [])
                except (pg8000.native.InterfaceError, OSError) as error:
                    self._drop()
                    if attempt == 2:
                        raise StorageUnavailable(f"PostgreSQL failed: {type(error).__name__}") from error
                except pg8000.native.DatabaseError as error:
                    raise StorageUnavailable(f"PostgreSQL error: {error.args[0]!s:.200}") from error
            raise AssertionError("unreachable")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostgresSession]:
        """Statements run through the yielded session commit together or not at all."""
        with self._lock:
            self.run("BEGIN")
            try:
                yield self
            except BaseException:
                with contextlib.suppress(StorageUnavailable):
                    self.run("ROLLBACK")
                raise
            self.run("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._drop()
