"""The fake CRM's records frozen at a moment, and what changed between two such moments.

Changes are net: a record moved and moved back did not move; one created and cancelled in the same
dialog was never there. What salon staff did in ``crm:`` steps is folded into the baseline
(``rebase``), so the outcome judges only what the product did.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from ai_admin.local.fake_yclients.state import SalonState


@dataclass(frozen=True)
class RecordView:
    id: int
    phone: str | None
    staff_id: int
    service_ids: tuple[int, ...]
    start: datetime  # aware, salon time zone
    deleted: bool = False
    attendance: int = 0
    client_name: str | None = field(default=None, compare=False)  # the CRM client's, for outcome names


Snapshot = dict[int, RecordView]


def snapshot(state: SalonState) -> Snapshot:
    with state.lock:
        return {
            record.id: RecordView(
                id=record.id,
                phone=state.clients[record.client_id].phone if record.client_id in state.clients else None,
                staff_id=record.staff_id,
                service_ids=tuple(sorted(record.service_ids)),
                start=record.start,
                deleted=record.deleted,
                attendance=record.attendance,
                client_name=state.clients[record.client_id].name if record.client_id in state.clients else None,
            )
            for record in state.records.values()
        }


@dataclass(frozen=True)
class Diff:
    created: tuple[RecordView, ...] = ()
    cancelled: tuple[RecordView, ...] = ()  # as they were before
    moved: tuple[tuple[RecordView, RecordView], ...] = ()  # (before, after)
    confirmed: tuple[RecordView, ...] = ()
    other: tuple[str, ...] = field(default=())  # any other change, described

    @property
    def empty(self) -> bool:
        return not (self.created or self.cancelled or self.moved or self.confirmed or self.other)

    def touched(self) -> list[RecordView]:
        """Every record that changed, as it was before (created ones as they are now)."""
        return [*self.created, *self.cancelled, *(before for before, _ in self.moved), *self.confirmed]


def diff(before: Snapshot, after: Snapshot) -> Diff:
    created: list[RecordView] = []
    cancelled: list[RecordView] = []
    moved: list[tuple[RecordView, RecordView]] = []
    confirmed: list[RecordView] = []
    other: list[str] = []
    for record_id, now in sorted(after.items()):
        was = before.get(record_id)
        if was is None:
            if not now.deleted:
                created.append(now)
        elif now.deleted != was.deleted:
            if now.deleted:
                cancelled.append(was)
            else:
                other.append(f"record {record_id} was restored after being cancelled")
        elif was != now:
            if (now.start, now.staff_id) != (was.start, was.staff_id):
                moved.append((was, now))
            if now.attendance == 2 and was.attendance != 2:
                confirmed.append(was)
            other += _other_changes(was, now)
    for record_id in sorted(set(before) - set(after)):
        other.append(f"record {record_id} disappeared")
    return Diff(tuple(created), tuple(cancelled), tuple(moved), tuple(confirmed), tuple(other))


def _other_changes(was: RecordView, now: RecordView) -> list[str]:
    found = []
    if now.attendance not in (was.attendance, 2):
        found.append(f"record {now.id}: attendance {was.attendance} -> {now.attendance}")
    if now.service_ids != was.service_ids:
        found.append(f"record {now.id}: services {list(was.service_ids)} -> {list(now.service_ids)}")
    if now.phone != was.phone:
        found.append(f"record {now.id}: the client changed")
    return found


def rebase(baseline: Snapshot, before: Snapshot, after: Snapshot) -> Snapshot:
    """``baseline`` with the fields that changed between ``before`` and ``after`` (a staff change in
    the CRM) taken over, so a later diff against it shows only the product's own changes."""
    rebased = dict(baseline)
    for record_id, now in after.items():
        was = before.get(record_id)
        if was is None or record_id not in rebased:
            rebased[record_id] = now
            continue
        if was == now:
            continue
        changed = {
            name: getattr(now, name)
            for name in RecordView.__dataclass_fields__
            if getattr(was, name) != getattr(now, name)
        }
        rebased[record_id] = replace(rebased[record_id], **changed)
    return rebased


def merged(diffs: list[Diff]) -> Diff:
    """Several diffs read as one (for "what changed since the bot last spoke")."""
    return Diff(
        created=tuple(r for d in diffs for r in d.created),
        cancelled=tuple(r for d in diffs for r in d.cancelled),
        moved=tuple(pair for d in diffs for pair in d.moved),
        confirmed=tuple(r for d in diffs for r in d.confirmed),
        other=tuple(text for d in diffs for text in d.other),
    )
