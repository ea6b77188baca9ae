from __future__ import annotations

import pg8000.native

from ai_admin.adapters.postgres_connection import connect
from ai_admin.domain.errors import StorageUnavailable
from ai_admin.settings import PostgresSettings, secret


class PostgresProbe:
    """Connects, and reports the applied schema revision."""

    name = "postgres"

    def __init__(self, config: PostgresSettings) -> None:
        self._config = config

    def check(self) -> str:
        conn = connect(self._config.url, self._config.connect_timeout_s, secret(self._config.password))
        try:
            rows = conn.run("SELECT version_num FROM alembic_version")
        except pg8000.native.DatabaseError:
            raise StorageUnavailable("PostgreSQL schema is not migrated") from None
        finally:
            conn.close()
        return f"schema {rows[0][0]}" if rows else "schema empty"
