"""Salons and their upcoming visits as reminders need them, read from the CRM mirror in one query."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.domain.reminder_rules import ReminderKind, Visit
from ai_admin.reminders.ports import Salon

REMINDER_KINDS = [kind.value for kind in ReminderKind]
# Who can still be reminded; the rules in domain/reminder_rules.py decide the rest.
VISIT_COLUMNS = """
    r.yclients_id, r.start_at, r.client_phone, r.attendance, r.deleted, r.crm_created_at, r.created_by_bot,
    ARRAY(SELECT s->>'title' FROM jsonb_array_elements(r.services) s), st.name, cl.name,
    (SELECT c.last_inbound_at FROM conversations c
      WHERE c.company_id = r.company_id AND c.client_key = ltrim(r.client_phone, '+')),
    r.synced_at
"""
VISIT_JOINS = """
    LEFT JOIN staff st ON st.company_id = r.company_id AND st.yclients_id = r.staff_id
    LEFT JOIN clients cl ON cl.company_id = r.company_id AND cl.yclients_id = r.client_id
"""


def visit_from_row(row: list[Any], settled: frozenset[str] = frozenset()) -> Visit:
    rid, start, phone, attendance, deleted, created, by_bot, titles, staff, client, inbound, synced = row[:12]
    return Visit(
        record_id=int(rid),
        start_at=start,
        client_phone=phone,
        attendance=int(attendance),
        deleted=bool(deleted),
        crm_created_at=created,
        created_by_bot=bool(by_bot),
        services=tuple(t for t in titles or () if t),
        staff_name=staff,
        client_name=client or None,
        last_inbound_at=inbound,
        synced_at=synced,
        settled=settled,
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Moscow")


class PostgresSalonVisits:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def salon(self, company_id: int) -> Salon | None:
        rows = self._db.run(
            "SELECT title, address, timezone, whatsapp_phone_number_id, settings FROM companies"
            " WHERE company_id = :company AND active",
            company=company_id,
        )
        if not rows:
            return None
        title, address, timezone, phone_number_id, settings = rows[0]
        raw = json.loads(settings) if isinstance(settings, str) else settings
        return Salon(company_id, title, address or "", _zone(timezone), phone_number_id, dict(raw or {}))

    def active_companies(self) -> list[int]:
        return [int(r[0]) for r in self._db.run("SELECT company_id FROM companies WHERE active ORDER BY company_id")]

    def upcoming(self, company_id: int, now: datetime, until: datetime) -> list[Visit]:
        rows = self._db.run(
            f"""
            SELECT {VISIT_COLUMNS},
                   ARRAY(SELECT n.kind FROM sent_notifications n
                         WHERE n.company_id = r.company_id AND n.record_id = r.yclients_id
                           AND n.kind = ANY(CAST(:kinds AS text[]))
                           AND (n.status IN ('sent', 'skipped') OR (n.status = 'failed' AND n.retry_at IS NULL)))
            FROM records r {VISIT_JOINS}
            WHERE r.company_id = :company AND r.start_at > :now AND r.start_at <= :until
              AND NOT r.deleted AND r.attendance NOT IN (-1, 1) AND r.client_phone IS NOT NULL
            ORDER BY r.start_at, r.yclients_id
            """,
            company=company_id,
            now=now,
            until=until,
            kinds=REMINDER_KINDS,
        )
        return [visit_from_row(row, frozenset(row[12] or ())) for row in rows]
