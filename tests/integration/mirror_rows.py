"""Rows the sync would have written, put straight into the CRM mirror for reminder and monitor tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pg8000.native

COMPANY = 1
SERGEY, ANNA = 10, 11


def phone(n: int) -> str:
    return f"+7999{n:07d}"


def wa_id(number: str) -> str:
    return number.lstrip("+")


@dataclass
class Row:
    record_id: int
    phone: str | None
    start: datetime
    created: datetime | None = None
    staff_id: int | None = SERGEY
    services: Sequence[str] = ("Мужская стрижка",)
    attendance: int = 0
    deleted: bool = False
    by_bot: bool = False


def seed_staff(db: pg8000.native.Connection) -> None:
    db.run(
        "INSERT INTO staff (company_id, yclients_id, name) VALUES (:c, :s, 'Сергей'), (:c, :a, 'Анна Петрова')"
        " ON CONFLICT DO NOTHING",
        c=COMPANY,
        s=SERGEY,
        a=ANNA,
    )


def write_records(db: pg8000.native.Connection, rows: Sequence[Row], synced: datetime | None = None) -> None:
    """Upsert like a sync would, at ``synced`` (default: the database's now)."""
    payload = [
        {
            "id": r.record_id,
            "phone": r.phone,
            "staff_id": r.staff_id,
            "services": [{"id": i + 1, "title": t, "cost": "1000", "amount": 1} for i, t in enumerate(r.services)],
            "start_at": r.start.isoformat(),
            "attendance": r.attendance,
            "deleted": r.deleted,
            "created": r.created.isoformat() if r.created else None,
            "by_bot": r.by_bot,
        }
        for r in rows
    ]
    db.run(
        """
        INSERT INTO records (company_id, yclients_id, client_phone, staff_id, services, start_at, attendance, deleted,
                             crm_created_at, crm_changed_at, created_by_bot, synced_at)
        SELECT :company, r.id, r.phone, r.staff_id, r.services, r.start_at, r.attendance, r.deleted, r.created,
               now(), r.by_bot, coalesce(CAST(:synced AS timestamptz), now())
        FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(id bigint, phone text, staff_id bigint, services jsonb,
             start_at timestamptz, attendance smallint, deleted boolean, created timestamptz, by_bot boolean)
        ON CONFLICT (company_id, yclients_id) DO UPDATE SET client_phone = EXCLUDED.client_phone,
            staff_id = EXCLUDED.staff_id, services = EXCLUDED.services, start_at = EXCLUDED.start_at,
            attendance = EXCLUDED.attendance, deleted = EXCLUDED.deleted, synced_at = EXCLUDED.synced_at
        """,
        company=COMPANY,
        rows=json.dumps(payload),
        synced=synced,
    )


def client_wrote(db: pg8000.native.Connection, number: str, at: datetime) -> None:
    """The client's last WhatsApp message (opens the 24-hour window from ``at``)."""
    db.run(
        "INSERT INTO conversations (company_id, client_key, phone, last_inbound_at) VALUES (:c, :k, :p, :at)"
        " ON CONFLICT (company_id, client_key) DO UPDATE SET last_inbound_at = EXCLUDED.last_inbound_at",
        c=COMPANY,
        k=wa_id(number),
        p=number,
        at=at,
    )


def notifications(db: pg8000.native.Connection) -> dict[tuple[int, str], tuple[str, int, str | None]]:
    """(record, kind) -> (status, attempts, wamid)."""
    rows = db.run("SELECT record_id, kind, status, attempts, wa_message_id FROM sent_notifications")
    return {(int(r[0]), str(r[1])): (str(r[2]), int(r[3]), r[4]) for r in rows}
