"""The booking monitor's memory: what it last saw of each upcoming record (``booking_snapshots``) and
since when it watches each salon (``booking_monitors``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from ai_admin.adapters.postgres_salon_visits import VISIT_COLUMNS, VISIT_JOINS, visit_from_row
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.domain.booking_changes import SeenState
from ai_admin.domain.reminder_rules import Visit
from ai_admin.reminders.ports import BookingLook

_CANCELLED = "(r.deleted OR r.attendance = -1)"
# Snapshots of visits this long past are of no use any more.
_KEEP = "interval '2 days'"


class PostgresBookingSnapshots:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def look(self, company_id: int, now: datetime, record_ids: Sequence[int] | None = None) -> BookingLook:
        with self._db.transaction() as db:
            started = db.run(
                "INSERT INTO booking_monitors (company_id, watching_since, last_look_at) VALUES (:company, :now, :now)"
                " ON CONFLICT (company_id) DO NOTHING RETURNING watching_since",
                company=company_id,
                now=now,
            )
            if started:
                db.run(
                    "INSERT INTO booking_snapshots (company_id, record_id, start_at, cancelled, synced_at, seen_at)"
                    f" SELECT r.company_id, r.yclients_id, r.start_at, {_CANCELLED}, r.synced_at, :now FROM records r"
                    " WHERE r.company_id = :company AND r.start_at > CAST(:now AS timestamptz) - interval '1 day'"
                    " ON CONFLICT (company_id, record_id) DO NOTHING",
                    company=company_id,
                    now=now,
                )
                return BookingLook(watching_since=now, baseline=True)
            since = db.run(
                "UPDATE booking_monitors SET last_look_at = :now WHERE company_id = :company RETURNING watching_since",
                company=company_id,
                now=now,
            )[0][0]
        # The snapshot's moment is when the monitor looked (its own clock, like the bot's change log),
        # not when the row was synced: the bot's changes since then are the ones to leave unannounced.
        rows = self._db.run(
            f"""
            SELECT {VISIT_COLUMNS}, s.start_at, s.cancelled, s.seen_at, s.record_id IS NOT NULL
            FROM records r {VISIT_JOINS}
            LEFT JOIN booking_snapshots s ON s.company_id = r.company_id AND s.record_id = r.yclients_id
            WHERE r.company_id = :company
              AND (r.start_at > :now OR s.start_at > :now)
              AND (CAST(:ids AS bigint[]) IS NULL OR r.yclients_id = ANY(CAST(:ids AS bigint[])))
              AND (s.record_id IS NULL OR s.start_at <> r.start_at OR s.cancelled <> {_CANCELLED})
            ORDER BY r.start_at, r.yclients_id
            """,
            company=company_id,
            now=now,
            ids=list(record_ids) if record_ids is not None else None,
        )
        observed = tuple(
            (visit_from_row(row), SeenState(row[12], bool(row[13]), row[14]) if row[15] else None) for row in rows
        )
        return BookingLook(watching_since=since, baseline=False, observed=observed)

    def remember(self, company_id: int, visits: Sequence[Visit], now: datetime) -> None:
        rows = [
            {
                "id": v.record_id,
                "start_at": v.start_at.isoformat(),
                "cancelled": v.cancelled,
                "synced_at": v.synced_at.isoformat() if v.synced_at else None,
            }
            for v in visits
        ]
        with self._db.transaction() as db:
            if rows:
                db.run(
                    """
                    INSERT INTO booking_snapshots (company_id, record_id, start_at, cancelled, synced_at, seen_at)
                    SELECT :company, v.id, v.start_at, v.cancelled, v.synced_at, :now
                    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
                         AS v(id bigint, start_at timestamptz, cancelled boolean, synced_at timestamptz)
                    ON CONFLICT (company_id, record_id) DO UPDATE SET start_at = EXCLUDED.start_at,
                        cancelled = EXCLUDED.cancelled, synced_at = EXCLUDED.synced_at, seen_at = EXCLUDED.seen_at
                    """,
                    company=company_id,
                    now=now,
                    rows=json.dumps(rows),
                )
            db.run(
                "DELETE FROM booking_snapshots WHERE company_id = :company"
                f" AND start_at < CAST(:now AS timestamptz) - {_KEEP}",
                company=company_id,
                now=now,
            )
