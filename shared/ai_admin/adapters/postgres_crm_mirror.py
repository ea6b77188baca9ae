"""Writes the CRM mirror: idempotent upserts keyed by YClients ids, and the client-profile aggregates.

Rows go in as one JSON array per statement (``jsonb_to_recordset``), so a page of 200 is one round trip.
A record is only overwritten by a version at least as new as the stored one (``crm_changed_at``), so
pages fetched out of order or redelivered batches never roll a record back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pg8000.native

from ai_admin.adapters.postgres_connection import transaction
from ai_admin.domain import client_profile as rules
from ai_admin.domain.crm import CompanyInfo, CrmCategory, CrmClient, CrmRecord, CrmService, CrmStaff, StaffDay


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False)


def _money(value: Decimal) -> str:
    return str(value)


def _newest_versions(records: Sequence[CrmRecord]) -> list[CrmRecord]:
    """One row per record id (a statement may not touch a row twice): the newest version, the later on a tie."""
    newest: dict[int, CrmRecord] = {}
    for record in records:
        kept = newest.get(record.id)
        if kept is None or kept.changed_at is None or record.changed_at is None or record.changed_at >= kept.changed_at:
            newest[record.id] = record
    return list(newest.values())


class PostgresCrmMirror:
    def __init__(self, conn: pg8000.native.Connection) -> None:
        self._conn = conn

    def upsert_clients(self, company_id: int, clients: Sequence[CrmClient]) -> int:
        if not clients:
            return 0
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "phone": c.phone,
                "email": c.email,
                "discount": _money(c.discount),
                "visits_count": c.visits_count,
                "first_visit_date": c.first_visit_date,
                "last_visit_date": c.last_visit_date,
                "sold_amount": _money(c.sold_amount),
            }
            for c in clients
        ]
        # visit_history and last_services are deliberately absent: only the aggregates write them.
        self._conn.run(
            """
            INSERT INTO clients (company_id, yclients_id, name, phone, email, discount, visits_count,
                                 first_visit_date, last_visit_date, total_spent, synced_at)
            SELECT :company, r.id, coalesce(r.name, ''), r.phone, r.email, r.discount, r.visits_count,
                   r.first_visit_date, r.last_visit_date, r.sold_amount, now()
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                id bigint, name text, phone text, email text, discount numeric, visits_count integer,
                first_visit_date date, last_visit_date date, sold_amount numeric)
            ON CONFLICT (company_id, yclients_id) DO UPDATE SET
                name = EXCLUDED.name, phone = EXCLUDED.phone, email = EXCLUDED.email,
                discount = EXCLUDED.discount, total_spent = EXCLUDED.total_spent,
                visits_count = CASE WHEN EXISTS (
                        SELECT 1 FROM records x WHERE x.company_id = clients.company_id
                        AND x.client_id = clients.yclients_id AND x.attendance = 1 AND NOT x.deleted)
                    THEN clients.visits_count ELSE EXCLUDED.visits_count END,
                first_visit_date = coalesce(clients.first_visit_date, EXCLUDED.first_visit_date),
                last_visit_date = greatest(clients.last_visit_date, EXCLUDED.last_visit_date),
                synced_at = now()
            """,
            company=company_id,
            rows=_json(rows),
        )
        return len(rows)

    def upsert_records(self, company_id: int, records: Sequence[CrmRecord]) -> int:
        records = _newest_versions(records)
        if not records:
            return 0
        rows = [
            {
                "id": r.id,
                "client_id": r.client_id,
                "client_phone": r.client_phone,
                "staff_id": r.staff_id,
                "services": [
                    {"id": s.id, "title": s.title, "cost": _money(s.cost), "amount": s.amount} for s in r.services
                ],
                "start_at": r.start_at.isoformat(),
                "duration_s": r.duration_s,
                "attendance": int(r.attendance),
                "deleted": r.deleted,
                "cost": _money(r.services_cost),
                "visit_id": r.visit_id,
                "comment": r.comment,
                "online": r.online,
                "created_at": r.created_at.isoformat() if r.created_at else None,
                "changed_at": r.changed_at.isoformat() if r.changed_at else None,
            }
            for r in records
        ]
        self._conn.run(
            """
            INSERT INTO records (company_id, yclients_id, client_id, client_phone, staff_id, services,
                                 start_at, duration_s, attendance, deleted, cost, visit_id, comment, online,
                                 crm_created_at, crm_changed_at, synced_at)
            SELECT :company, r.id, r.client_id, r.client_phone, r.staff_id, r.services, r.start_at,
                   r.duration_s, r.attendance, r.deleted, r.cost, r.visit_id, coalesce(r.comment, ''),
                   r.online, r.created_at, r.changed_at, now()
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                id bigint, client_id bigint, client_phone text, staff_id bigint, services jsonb,
                start_at timestamptz, duration_s integer, attendance smallint, deleted boolean, cost numeric,
                visit_id bigint, comment text, online boolean, created_at timestamptz, changed_at timestamptz)
            ON CONFLICT (company_id, yclients_id) DO UPDATE SET
                client_id = EXCLUDED.client_id, client_phone = EXCLUDED.client_phone,
                staff_id = EXCLUDED.staff_id, services = EXCLUDED.services, start_at = EXCLUDED.start_at,
                duration_s = EXCLUDED.duration_s, attendance = EXCLUDED.attendance,
                deleted = EXCLUDED.deleted, cost = EXCLUDED.cost, visit_id = EXCLUDED.visit_id,
                comment = EXCLUDED.comment, online = EXCLUDED.online,
                crm_created_at = coalesce(records.crm_created_at, EXCLUDED.crm_created_at),
                crm_changed_at = EXCLUDED.crm_changed_at, synced_at = now()
            WHERE records.crm_changed_at IS NULL OR EXCLUDED.crm_changed_at IS NULL
               OR EXCLUDED.crm_changed_at >= records.crm_changed_at
            """,
            company=company_id,
            rows=_json(rows),
        )
        goods = [
            {
                "id": g.id,
                "record_id": r.id,
                "client_id": r.client_id,
                "good_id": g.good_id,
                "title": g.title,
                "amount": _money(g.amount),
                "cost": _money(g.cost),
                "occurred_at": r.start_at.isoformat(),
            }
            for r in records
            if not r.deleted
            for g in r.goods
        ]
        if goods:
            self._conn.run(
                """
                INSERT INTO goods_transactions (company_id, yclients_id, record_id, client_id, good_id, title,
                                                amount, cost, occurred_at, synced_at)
                SELECT :company, g.id, g.record_id, g.client_id, g.good_id, coalesce(g.title, ''), g.amount,
                       g.cost, g.occurred_at, now()
                FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS g(
                    id bigint, record_id bigint, client_id bigint, good_id bigint, title text, amount numeric,
                    cost numeric, occurred_at timestamptz)
                ON CONFLICT (company_id, yclients_id) DO UPDATE SET
                    record_id = EXCLUDED.record_id, client_id = EXCLUDED.client_id, good_id = EXCLUDED.good_id,
                    title = EXCLUDED.title, amount = EXCLUDED.amount, cost = EXCLUDED.cost,
                    occurred_at = EXCLUDED.occurred_at, synced_at = now()
                """,
                company=company_id,
                rows=_json(goods),
            )
        return len(rows) + len(goods)

    def mark_deleted(self, company_id: int, record_id: int) -> bool:
        """A record the CRM no longer knows at all (404 on reading it) counts as deleted."""
        rows = self._conn.run(
            "UPDATE records SET deleted = true, synced_at = now()"
            " WHERE company_id = :company AND yclients_id = :record AND NOT deleted RETURNING 1",
            company=company_id,
            record=record_id,
        )
        return bool(rows)

    def clients_touched_since(self, company_id: int, since: datetime) -> list[int]:
        rows = self._conn.run(
            "SELECT DISTINCT client_id FROM records WHERE company_id = :company AND synced_at >= :since"
            " AND client_id IS NOT NULL ORDER BY 1",
            company=company_id,
            since=since,
        )
        return [int(row[0]) for row in rows]

    def refresh_client_profiles(self, company_id: int, client_ids: Iterable[int] | None = None) -> int:
        """Derive every client's aggregates from the mirrored records (rules in domain.client_profile)."""
        ids = sorted(set(client_ids)) if client_ids is not None else None
        loyalty = " ".join(
            f"WHEN d.v >= {tier.min_visits} AND d.s >= {tier.min_spent} THEN '{tier.name}'"
            for tier in rules.LOYALTY_TIERS
        )
        # A sync has just written most of these rows: fresh statistics keep the planner on hash joins
        # (on stale ones it nests loops over the CTEs, 1,100 clients taking 16 s instead of 0.2 s). Only the
        # columns it filters and joins on: the jsonb ones took 90% of a full ANALYZE (1 s of 1.1 s at 10,000).
        self._conn.run(
            "ANALYZE clients (company_id, yclients_id), records (company_id, client_id, attendance, deleted)"
        )
        rows = self._conn.run(
            f"""
            WITH tz AS (SELECT timezone FROM companies WHERE company_id = :company),
            attended AS (
                SELECT r.client_id, r.yclients_id, r.start_at, r.staff_id, r.services, r.cost,
                       row_number() OVER (PARTITION BY r.client_id ORDER BY r.start_at DESC, r.yclients_id DESC)
                           AS recency
                FROM records r
                WHERE r.company_id = :company AND r.client_id IS NOT NULL AND r.attendance = 1 AND NOT r.deleted
                  AND (CAST(:ids AS bigint[]) IS NULL OR r.client_id = ANY(CAST(:ids AS bigint[])))
            ),
            totals AS (
                SELECT client_id, count(*) AS visits, sum(cost) AS services_amount,
                       min(start_at) AS first_at, max(start_at) AS last_at
                FROM attended GROUP BY client_id
            ),
            history AS (
                SELECT a.client_id, jsonb_agg(jsonb_build_object(
                           'record_id', a.yclients_id,
                           'date', to_char(a.start_at AT TIME ZONE (SELECT timezone FROM tz), 'YYYY-MM-DD"T"HH24:MI'),
                           'staff_id', a.staff_id,
                           'services', (SELECT coalesce(jsonb_agg(s->>'title'), '[]'::jsonb)
                                        FROM jsonb_array_elements(a.services) s),
                           'cost', a.cost) ORDER BY a.recency) AS visits
                FROM attended a WHERE a.recency <= {rules.VISIT_HISTORY_LIMIT} GROUP BY a.client_id
            ),
            service_lines AS (
                SELECT a.client_id, (s->>'id')::bigint AS service_id, s->>'title' AS title, a.recency
                FROM attended a, jsonb_array_elements(a.services) s
            ),
            recent_titles AS (
                SELECT client_id, array_agg(title ORDER BY first_recency) AS titles
                FROM (SELECT client_id, title, min(recency) AS first_recency,
                             row_number() OVER (PARTITION BY client_id ORDER BY min(recency)) AS n
                      FROM service_lines GROUP BY client_id, title) t
                WHERE n <= {rules.LAST_SERVICES_LIMIT} GROUP BY client_id
            ),
            fav_staff AS (
                SELECT client_id, array_agg(staff_id ORDER BY n DESC, first_recency) AS ids
                FROM (SELECT client_id, staff_id, count(*) AS n, min(recency) AS first_recency,
                             row_number() OVER (PARTITION BY client_id ORDER BY count(*) DESC, min(recency)) AS rank
                      FROM attended WHERE staff_id IS NOT NULL GROUP BY client_id, staff_id
                      HAVING count(*) >= {rules.FAVOURITE_MIN_VISITS}) t
                WHERE rank <= {rules.FAVOURITES_LIMIT} GROUP BY client_id
            ),
            fav_services AS (
                SELECT client_id, array_agg(service_id ORDER BY n DESC, first_recency) AS ids
                FROM (SELECT client_id, service_id, count(*) AS n, min(recency) AS first_recency,
                             row_number() OVER (PARTITION BY client_id ORDER BY count(*) DESC, min(recency)) AS rank
                      FROM service_lines GROUP BY client_id, service_id
                      HAVING count(*) >= {rules.FAVOURITE_MIN_VISITS}) t
                WHERE rank <= {rules.FAVOURITES_LIMIT} GROUP BY client_id
            ),
            derived AS (
                SELECT c.yclients_id,
                       coalesce(t.visits, c.visits_count) AS v,
                       coalesce(t.services_amount, c.services_amount) AS services_amount,
                       c.total_spent AS s,
                       t.first_at, t.last_at, h.visits AS history, rt.titles,
                       fs.ids AS staff_ids, fsv.ids AS service_ids
                FROM clients c
                LEFT JOIN totals t ON t.client_id = c.yclients_id
                LEFT JOIN history h ON h.client_id = c.yclients_id
                LEFT JOIN recent_titles rt ON rt.client_id = c.yclients_id
                LEFT JOIN fav_staff fs ON fs.client_id = c.yclients_id
                LEFT JOIN fav_services fsv ON fsv.client_id = c.yclients_id
                WHERE c.company_id = :company
                  AND (CAST(:ids AS bigint[]) IS NULL OR c.yclients_id = ANY(CAST(:ids AS bigint[])))
            )
            UPDATE clients c SET
                visits_count = d.v,
                services_amount = d.services_amount,
                goods_amount = greatest(c.total_spent - d.services_amount, 0),
                first_visit_date = coalesce((d.first_at AT TIME ZONE (SELECT timezone FROM tz))::date,
                                            c.first_visit_date),
                last_visit_date = coalesce((d.last_at AT TIME ZONE (SELECT timezone FROM tz))::date,
                                           c.last_visit_date),
                visit_history = CASE WHEN d.history IS NULL THEN c.visit_history ELSE d.history END,
                last_services = CASE WHEN d.titles IS NULL THEN c.last_services ELSE d.titles END,
                favourite_staff_ids = coalesce(d.staff_ids, c.favourite_staff_ids),
                favourite_service_ids = coalesce(d.service_ids, c.favourite_service_ids),
                loyalty_level = CASE {loyalty} ELSE '{rules.NEW_CLIENT_LEVEL}' END
            FROM derived d
            WHERE c.company_id = :company AND c.yclients_id = d.yclients_id
            RETURNING c.yclients_id
            """,
            company=company_id,
            ids=ids,
        )
        return len(rows)

    def replace_reference(
        self,
        company_id: int,
        *,
        company: CompanyInfo | None = None,
        catalogue: tuple[list[CrmCategory], list[CrmService]] | None = None,
        staff: list[CrmStaff] | None = None,
        schedules: tuple[date, date, list[StaffDay]] | None = None,
    ) -> int:
        """Store reference data read whole from the CRM; what the CRM no longer lists becomes inactive
        (services, staff) or a day off (schedules within the read window)."""
        written = 0
        if company is not None:
            self._conn.run(
                "INSERT INTO companies (company_id, title, address, phone, timezone, synced_at)"
                " VALUES (:id, :title, :address, :phone, :tz, now())"
                " ON CONFLICT (company_id) DO UPDATE SET title = EXCLUDED.title, address = EXCLUDED.address,"
                " phone = EXCLUDED.phone, timezone = EXCLUDED.timezone, synced_at = now()",
                id=company_id,
                title=company.title,
                address=company.address,
                phone=company.phone,
                tz=company.timezone,
            )
            written += 1
        if catalogue is not None:
            written += self._replace_catalogue(company_id, *catalogue)
        if staff is not None:
            written += self._replace_staff(company_id, staff)
        if schedules is not None:
            written += self._replace_schedules(company_id, *schedules)
        return written

    def _replace_catalogue(self, company_id: int, categories: list[CrmCategory], services: list[CrmService]) -> int:
        self._conn.run(
            "INSERT INTO service_categories (company_id, yclients_id, title, weight, synced_at)"
            " SELECT :company, c.id, c.title, c.weight, now()"
            " FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS c(id bigint, title text, weight integer)"
            " ON CONFLICT (company_id, yclients_id) DO UPDATE SET title = EXCLUDED.title,"
            " weight = EXCLUDED.weight, synced_at = now()",
            company=company_id,
            rows=_json([{"id": c.id, "title": c.title, "weight": c.weight} for c in categories]),
        )
        rows = [
            {
                "id": s.id,
                "title": s.title,
                "category_id": s.category_id,
                "price_min": _money(s.price_min),
                "price_max": _money(s.price_max),
                "duration_s": s.duration_s,
                "description": s.description,
                "active": s.active,
                "bookable": s.bookable,
                "weight": s.weight,
                "staff_ids": list(s.staff_ids),
            }
            for s in services
        ]
        self._conn.run(
            """
            INSERT INTO services (company_id, yclients_id, category_id, title, price_min, price_max, duration_s,
                                  description, is_active, is_bookable, weight, staff_ids, synced_at)
            SELECT :company, s.id, s.category_id, s.title, s.price_min, s.price_max, s.duration_s,
                   coalesce(s.description, ''), s.active, s.bookable, s.weight,
                   ARRAY(SELECT jsonb_array_elements_text(s.staff_ids))::bigint[], now()
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS s(
                id bigint, category_id bigint, title text, price_min numeric, price_max numeric, duration_s integer,
                description text, active boolean, bookable boolean, weight integer, staff_ids jsonb)
            ON CONFLICT (company_id, yclients_id) DO UPDATE SET
                category_id = EXCLUDED.category_id, title = EXCLUDED.title, price_min = EXCLUDED.price_min,
                price_max = EXCLUDED.price_max, duration_s = EXCLUDED.duration_s,
                description = EXCLUDED.description, is_active = EXCLUDED.is_active,
                is_bookable = EXCLUDED.is_bookable, weight = EXCLUDED.weight, staff_ids = EXCLUDED.staff_ids,
                synced_at = now()
            """,
            company=company_id,
            rows=_json(rows),
        )
        self._conn.run(
            "UPDATE services SET is_active = false WHERE company_id = :company"
            " AND NOT (yclients_id = ANY(CAST(:ids AS bigint[])))",
            company=company_id,
            ids=[s.id for s in services],
        )
        return len(categories) + len(services)

    def _replace_staff(self, company_id: int, staff: list[CrmStaff]) -> int:
        rows = [
            {
                "id": m.id,
                "name": m.name,
                "specialization": m.specialization,
                "position": m.position,
                "active": not (m.fired or m.hidden),
                "bookable": m.bookable and not (m.fired or m.hidden),
                "rating": str(m.rating) if m.rating is not None else None,
                "weight": m.weight,
            }
            for m in staff
        ]
        self._conn.run(
            """
            INSERT INTO staff (company_id, yclients_id, name, specialization, position, is_active, is_bookable,
                               rating, weight, synced_at)
            SELECT :company, m.id, m.name, coalesce(m.specialization, ''), coalesce(m.position, ''), m.active,
                   m.bookable, m.rating, m.weight, now()
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS m(
                id bigint, name text, specialization text, position text, active boolean, bookable boolean,
                rating numeric, weight integer)
            ON CONFLICT (company_id, yclients_id) DO UPDATE SET
                name = EXCLUDED.name, specialization = EXCLUDED.specialization, position = EXCLUDED.position,
                is_active = EXCLUDED.is_active, is_bookable = EXCLUDED.is_bookable, rating = EXCLUDED.rating,
                weight = EXCLUDED.weight, synced_at = now()
            """,
            company=company_id,
            rows=_json(rows),
        )
        self._conn.run(
            "UPDATE staff SET is_active = false, is_bookable = false WHERE company_id = :company"
            " AND NOT (yclients_id = ANY(CAST(:ids AS bigint[])))",
            company=company_id,
            ids=[m.id for m in staff],
        )
        return len(staff)

    def _replace_schedules(self, company_id: int, start: date, end: date, days: list[StaffDay]) -> int:
        """Every (staff, date) in the window gets a row; a date the CRM shows no hours for is a day off."""
        staff_ids = sorted(
            {d.staff_id for d in days}
            | {
                int(r[0])
                for r in self._conn.run(
                    "SELECT yclients_id FROM staff WHERE company_id = :c AND is_active", c=company_id
                )
            }
        )
        rows = [
            {
                "staff_id": d.staff_id,
                "date": d.date.isoformat(),
                "working": d.is_working,
                "slots": [{"from": a, "to": b} for a, b in d.slots],
            }
            for d in days
        ]
        with transaction(self._conn):
            self._conn.run(
                """
                INSERT INTO staff_schedules (company_id, staff_id, date, is_working, slots, synced_at)
                SELECT :company, s.staff_id, d::date, false, '[]'::jsonb, now()
                FROM unnest(CAST(:staff AS bigint[])) AS s(staff_id),
                     generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') d
                ON CONFLICT (company_id, staff_id, date) DO UPDATE SET is_working = false, slots = '[]'::jsonb,
                    synced_at = now()
                """,
                company=company_id,
                staff=staff_ids,
                start=start,
                end=end,
            )
            self._conn.run(
                """
                INSERT INTO staff_schedules (company_id, staff_id, date, is_working, slots, synced_at)
                SELECT :company, r.staff_id, r.date, r.working, r.slots, now()
                FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(staff_id bigint, date date, working boolean,
                                                                   slots jsonb)
                ON CONFLICT (company_id, staff_id, date) DO UPDATE SET is_working = EXCLUDED.is_working,
                    slots = EXCLUDED.slots, synced_at = now()
                """,
                company=company_id,
                rows=_json(rows),
            )
        return len(staff_ids) * ((end - start).days + 1)
