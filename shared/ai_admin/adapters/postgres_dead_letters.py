"""Webhook parts we could not process, kept in PostgreSQL (``dead_letters``) for an operator to read."""

from __future__ import annotations

from ai_admin.adapters.postgres_session import PostgresSession


class PostgresDeadLetters:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def keep(self, source: str, reason: str, fragment: str, fingerprint: str) -> None:
        self._db.run(
            "INSERT INTO dead_letters (source, reason, fragment, fingerprint)"
            " VALUES (:source, :reason, :fragment, :fingerprint) ON CONFLICT (fingerprint) DO NOTHING",
            source=source,
            reason=reason.replace("\x00", ""),
            fragment=fragment.replace("\x00", ""),
            fingerprint=fingerprint,
        )
