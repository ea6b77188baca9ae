"""Claims and outcomes of notifications in ``sent_notifications`` (one row per company, record, kind).

Every transition is one statement whose WHERE clause is the compare-and-set: PostgreSQL re-checks it
on the row's latest version after waiting for a concurrent writer, so of two runs racing for a row
exactly one gets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.reminders.ports import Claim, NotificationKey, Refusal

_KEY = "company_id = :company AND record_id = :record AND kind = :kind"


class PostgresNotificationLedger:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def claim(
        self, key: NotificationKey, phone: str, now: datetime, *, stale_after_s: float, max_attempts: int
    ) -> Claim | Refusal:
        # A new row, or a takeover of a failed row whose retry is due or of a dead run's claim; the
        # WHERE is evaluated on the locked, latest version of the row, so one caller wins.
        rows = self._db.run(
            "INSERT INTO sent_notifications AS n (company_id, record_id, kind, client_phone, status, attempts,"
            "   claimed_at) VALUES (:company, :record, :kind, :phone, 'claimed', 1, :now)"
            " ON CONFLICT (company_id, record_id, kind) DO UPDATE SET status = 'claimed', attempts = n.attempts + 1,"
            "   claimed_at = EXCLUDED.claimed_at, client_phone = EXCLUDED.client_phone, retry_at = NULL"
            " WHERE n.attempts < :max AND ("
            "   (n.status = 'failed' AND n.retry_at IS NOT NULL AND n.retry_at <= :now)"
            "   OR (n.status = 'claimed' AND n.claimed_at <= :stale_before))"
            " RETURNING n.attempts",
            company=key.company_id,
            record=key.record_id,
            kind=key.kind,
            phone=phone,
            now=now,
            max=max_attempts,
            stale_before=now - timedelta(seconds=stale_after_s),
        )
        if rows:
            return Claim(key, int(rows[0][0]))
        rows = self._db.run(
            f"SELECT status, retry_at, attempts, claimed_at FROM sent_notifications WHERE {_KEY}",
            company=key.company_id,
            record=key.record_id,
            kind=key.kind,
        )
        if not rows:
            return Refusal.PENDING  # deleted between the statements; the next run claims it
        status, retry_at, attempts, claimed_at = rows[0]
        stale = (now - claimed_at).total_seconds() >= stale_after_s
        final = (
            status in ("sent", "skipped")
            or (status == "failed" and (retry_at is None or attempts >= max_attempts))
            or (status == "claimed" and stale and attempts >= max_attempts)  # crashed every time: given up
        )
        return Refusal.SETTLED if final else Refusal.PENDING

    def mark_sent(self, claim: Claim, wamid: str, now: datetime) -> bool:
        return self._settle(
            claim, "status = 'sent', wa_message_id = :wamid, sent_at = :now, error = NULL", wamid=wamid, now=now
        )

    def mark_failed(self, claim: Claim, error: str, retry_at: datetime | None) -> bool:
        return self._settle(
            claim, "status = 'failed', error = :error, retry_at = :retry_at", error=error, retry_at=retry_at
        )

    def _settle(self, claim: Claim, assignments: str, **values: object) -> bool:
        """Compare-and-set: only the holder of this very attempt's claim writes its outcome."""
        rows = self._db.run(
            f"UPDATE sent_notifications SET {assignments}"
            f" WHERE {_KEY} AND status = 'claimed' AND attempts = :attempt RETURNING 1",
            company=claim.key.company_id,
            record=claim.key.record_id,
            kind=claim.key.kind,
            attempt=claim.attempt,
            **values,
        )
        return bool(rows)

    def skip(self, key: NotificationKey, phone: str | None, reason: str, now: datetime) -> None:
        self._db.run(
            "INSERT INTO sent_notifications (company_id, record_id, kind, client_phone, status, error, claimed_at)"
            " VALUES (:company, :record, :kind, :phone, 'skipped', :reason, :now)"
            " ON CONFLICT (company_id, record_id, kind) DO NOTHING",
            company=key.company_id,
            record=key.record_id,
            kind=key.kind,
            phone=phone,
            reason=reason,
            now=now,
        )

    def last_reminder(self, company_id: int, phone: str, since: datetime) -> int | None:
        """The record of the latest reminder sent to ``phone`` at or after ``since``: what a bare "да"
        from that client answers (the conversation puts it in ``DialogState.extra["reminded"]``)."""
        rows = self._db.run(
            "SELECT record_id FROM sent_notifications WHERE company_id = :company AND client_phone = :phone"
            " AND status = 'sent' AND kind LIKE 'reminder%' AND sent_at >= :since ORDER BY sent_at DESC LIMIT 1",
            company=company_id,
            phone=phone,
            since=since,
        )
        return int(rows[0][0]) if rows else None

    def last_notified_at(self, company_id: int, phone: str) -> datetime | None:
        """When the salon last sent ``phone`` anything on its own (a reminder or a booking notice)."""
        rows = self._db.run(
            "SELECT max(sent_at) FROM sent_notifications"
            " WHERE company_id = :company AND client_phone = :phone AND status = 'sent'",
            company=company_id,
            phone=phone,
        )
        value = rows[0][0] if rows else None
        return value if isinstance(value, datetime) else None
