"""A client's profile from the synced ``clients`` row, and their last attended visit from ``records``."""

from __future__ import annotations

from decimal import Decimal

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.model import ClientProfile

# Duplicate cards for one phone happen (admins create them by hand): the one with most visits wins.
# The usual time is a habit: the salon-local start the client came at most often, at least twice.
_PROFILE = """
SELECT c.yclients_id, c.name, c.visits_count, c.total_spent, c.loyalty_level,
       c.favourite_staff_ids, c.favourite_service_ids, last.services, last.start_at, last.staff_id, usual.at
FROM clients c
JOIN companies co ON co.company_id = c.company_id
LEFT JOIN LATERAL (
    SELECT ARRAY(SELECT (s->>'id')::bigint FROM jsonb_array_elements(r.services) s) AS services, r.start_at,
           r.staff_id
    FROM records r
    WHERE r.company_id = c.company_id AND r.client_id = c.yclients_id AND r.attendance = 1 AND NOT r.deleted
    ORDER BY r.start_at DESC LIMIT 1
) last ON true
LEFT JOIN LATERAL (
    SELECT (r.start_at AT TIME ZONE co.timezone)::time AS at
    FROM records r
    WHERE r.company_id = c.company_id AND r.client_id = c.yclients_id AND r.attendance = 1 AND NOT r.deleted
    GROUP BY 1 HAVING count(*) >= 2
    ORDER BY count(*) DESC, max(r.start_at) DESC LIMIT 1
) usual ON true
WHERE c.company_id = :company AND c.phone = :phone
ORDER BY c.visits_count DESC, c.last_visit_date DESC NULLS LAST, c.yclients_id DESC
LIMIT 1
"""


class PostgresClientProfiles:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def profile(self, company_id: int, phone: str) -> ClientProfile | None:
        """The client whose phone is exactly ``phone`` (E.164); None for a phone the salon has not seen."""
        rows = self._db.run(_PROFILE, company=company_id, phone=phone)
        if not rows:
            return None
        client_id, name, visits, spent, level, staff_ids, service_ids, last_services, last_at, *habit = rows[0]
        last_staff, usual = habit
        return ClientProfile(
            phone=phone,
            client_id=int(client_id),
            name=str(name).strip() or None,
            visits_count=int(visits),
            total_spent=Decimal(spent),
            loyalty_level=str(level),
            favourite_staff_ids=tuple(int(i) for i in staff_ids or ()),
            favourite_service_ids=tuple(int(i) for i in service_ids or ()),
            last_service_ids=tuple(int(i) for i in last_services or ()),
            last_visit_at=last_at,
            last_staff_id=int(last_staff) if last_staff is not None else None,
            usual_time=usual,
        )
