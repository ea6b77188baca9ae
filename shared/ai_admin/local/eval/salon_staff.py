"""``crm:`` steps: what salon staff do in the YClients admin UI, applied to the fake's state directly
(no API call, logged as ``source="admin"``). Staff may double-book, so nothing is refused."""

from __future__ import annotations

from datetime import datetime

from ai_admin.local.eval.model import CrmChange
from ai_admin.local.fake_yclients.state import Change, Record, SalonState

ADMIN = "admin"


def apply(state: SalonState, change: CrmChange, now: datetime) -> None:
    """``now``: the salon clock, stamped on a record created with a given id."""
    tz = state.tz
    if change.create is not None:
        spec = change.create
        client = state.client_by_phone(spec.phone) or state.add_client(spec.name or "Клиент", spec.phone)
        start = spec.start.replace(tzinfo=tz)
        if spec.id is None:
            record = state.create_record(
                spec.staff, spec.services, start, client.id, force=True, online=False, source=ADMIN
            )
            state.set_attendance(record.id, spec.attendance, source=ADMIN)
            return
        with state.lock:
            state.load_record(
                Record(
                    id=spec.id,
                    staff_id=spec.staff,
                    service_ids=list(spec.services),
                    client_id=client.id,
                    start=start,
                    length_s=state.length_s(spec.services),
                    created_at=now,
                    changed_at=now,
                    attendance=spec.attendance,
                    visit_id=spec.id,
                    costs=[state.services[i].price for i in spec.services],
                )
            )
            state.changes.append(Change("created", spec.id, now, start, source=ADMIN))
    elif change.cancel is not None:
        state.cancel_record(change.cancel.id, source=ADMIN)
    elif change.move is not None:
        move = change.move
        state.move_record(move.id, move.start.replace(tzinfo=tz), move.staff, force=True, source=ADMIN)
