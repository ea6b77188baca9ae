"""What the bot itself did to CRM records (table ``bot_record_changes``), for the booking monitor."""

from __future__ import annotations

from datetime import datetime

from ai_admin.adapters.postgres_session import PostgresSession

CHANGES = frozenset({"created", "moved", "cancelled", "confirmed"})


class PostgresBotChanges:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def note(self, company_id: int, record_id: int, change: str, at: datetime) -> None:
        if change not in CHANGES:
            raise ValueError(f"change must be one of {sorted(CHANGES)}, not {change!r}")
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        with self._db.transaction() as db:
            db.run(
                "INSERT INTO bot_record_changes (company_id, record_id, change, at)"
                " VALUES (:company, :record, :change, :at) ON CONFLICT DO NOTHING",
                company=company_id,
                record=record_id,
                change=change,
                at=at,
            )
            if change == "created":
                # The mirrored row exists only once a sync has seen the record; until then the
                # monitor reads this table.
                db.run(
                    "UPDATE records SET created_by_bot = true"
                    " WHERE company_id = :company AND yclients_id = :record AND NOT created_by_bot",
                    company=company_id,
                    record=record_id,
                )

    def changed_by_bot(self, company_id: int, record_id: int, since: datetime) -> set[str]:
        """The kinds of change the bot made to the record at or after ``since``."""
        rows = self._db.run(
            "SELECT DISTINCT change FROM bot_record_changes"
            " WHERE company_id = :company AND record_id = :record AND at >= :since",
            company=company_id,
            record=record_id,
            since=since,
        )
        return {str(row[0]) for row in rows}
