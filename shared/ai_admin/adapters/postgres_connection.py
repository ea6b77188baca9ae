"""pg8000 connections from a ``postgresql://`` URL, including unix-socket URLs (``?host=/dir``)."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pg8000.native

from ai_admin.domain.errors import StorageUnavailable


@dataclass(frozen=True)
class PostgresTarget:
    user: str
    password: str | None
    database: str
    host: str | None
    port: int
    unix_sock: str | None
    ssl: bool

    @classmethod
    def from_url(cls, url: str) -> PostgresTarget:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        socket_dir = query.get("host", [None])[0]
        port = parts.port or 5432
        return cls(
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password) if parts.password else None,
            database=(parts.path.lstrip("/") or "postgres"),
            host=None if socket_dir else (parts.hostname or "127.0.0.1"),
            port=port,
            unix_sock=f"{socket_dir}/.s.PGSQL.{port}" if socket_dir else None,
            ssl=query.get("sslmode", ["disable"])[0] in {"require", "verify-ca", "verify-full"},
        )

    def with_database(self, database: str) -> PostgresTarget:
        return PostgresTarget(self.user, self.password, database, self.host, self.port, self.unix_sock, self.ssl)

    def url(self) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        if self.unix_sock:
            socket_dir = self.unix_sock.rsplit("/", 1)[0]
            return f"postgresql://{auth}@:{self.port}/{self.database}?host={socket_dir}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.database}"


def connect(url: str, timeout_s: float = 5.0, password: str | None = None) -> pg8000.native.Connection:
    target = PostgresTarget.from_url(url)
    kwargs: dict[str, Any] = {
        "user": target.user,
        "password": target.password or password,
        "database": target.database,
        "timeout": timeout_s,
        "application_name": "ai-admin",
    }
    if target.unix_sock:
        kwargs["unix_sock"] = target.unix_sock
    else:
        kwargs["host"] = target.host
        kwargs["port"] = target.port
    if target.ssl:
        kwargs["ssl_context"] = ssl.create_default_context()
    elif target.unix_sock:
        kwargs["ssl_context"] = False  # as libpq: no SSL over a unix socket (pg8000 would try, building a context)
    try:
        return pg8000.native.Connection(**kwargs)
    except (OSError, pg8000.native.InterfaceError, pg8000.native.DatabaseError) as error:
        raise StorageUnavailable(f"PostgreSQL unreachable: {type(error).__name__}") from error


@contextlib.contextmanager
def transaction(conn: pg8000.native.Connection) -> Iterator[pg8000.native.Connection]:
    conn.run("BEGIN")
    try:
        yield conn
    except BaseException:
        conn.run("ROLLBACK")
        raise
    conn.run("COMMIT")
