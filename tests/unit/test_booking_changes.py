"""What the booking monitor announces: created, moved, cancelled, and everything it keeps quiet about."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ai_admin.domain.booking_changes import ChangeKind, SeenState, detect_change, made_by_bot
from ai_admin.domain.reminder_rules import Visit

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=MSK)
WATCHING = NOW - timedelta(days=3)
START = datetime(2026, 3, 12, 15, 0, tzinfo=MSK)
NEWS = timedelta(days=2)
WHEN = {"watching_since": WATCHING, "now": NOW, "news_for": NEWS}


def visit(start: datetime = START, **fields: object) -> Visit:
    values: dict[str, object] = {"record_id": 9, "start_at": start, "client_phone": "+79990000001", **fields}
    return Visit(**values)  # type: ignore[arg-type]


def detect(current: Visit, seen: SeenState | None) -> tuple[ChangeKind, datetime | None] | None:
    change = detect_change(current, seen, **WHEN)
    return (change.kind, change.previous_start) if change else None


ACTIVE, CANCELLED = SeenState(START, False), SeenState(START, True)
CASES = [
    ("new, created an hour ago", visit(crm_created_at=NOW - timedelta(hours=1)), None, (ChangeKind.CREATED, None)),
    ("new, but created before the monitor watched", visit(crm_created_at=WATCHING - timedelta(minutes=1)), None, None),
    ("new, created three days ago (no longer news)", visit(crm_created_at=NOW - timedelta(days=2, minutes=1)), None,
     None),
    ("new, creation time unknown", visit(crm_created_at=None), None, None),
    ("new and already cancelled", visit(crm_created_at=NOW, deleted=True), None, None),
    ("new but in the past", visit(start=NOW - timedelta(hours=1), crm_created_at=NOW - timedelta(hours=2)), None,
     None),
    ("deleted", visit(deleted=True), ACTIVE, (ChangeKind.CANCELLED, START)),
    ("attendance -1", visit(attendance=-1), ACTIVE, (ChangeKind.CANCELLED, START)),
    ("cancelled, and was", visit(deleted=True), CANCELLED, None),
    ("cancelled, but in the past", visit(start=NOW - timedelta(minutes=1), deleted=True), ACTIVE, None),
    ("moved", visit(start=START + timedelta(hours=1)), ACTIVE, (ChangeKind.MOVED, START)),
    ("moved into the past", visit(start=NOW - timedelta(hours=1)), ACTIVE, None),
    ("moved and cancelled at once", visit(start=START + timedelta(hours=1), deleted=True), ACTIVE,
     (ChangeKind.CANCELLED, START)),
    ("restored after a cancellation", visit(), CANCELLED, None),
    ("confirmed by the salon (0 -> 2)", visit(attendance=2), ACTIVE, None),
    ("unchanged", visit(), ACTIVE, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "current", "seen", "expected"), CASES, ids=[c[0] for c in CASES])
def test_detect_change(
    name: str, current: Visit, seen: SeenState | None, expected: tuple[ChangeKind, datetime | None] | None
) -> None:
    assert detect(current, seen) == expected


def test_one_notification_key_per_record_change_and_new_start() -> None:
    created = detect_change(visit(crm_created_at=NOW), None, **WHEN)
    moved = detect_change(visit(start=START + timedelta(hours=1)), ACTIVE, **WHEN)
    cancelled = detect_change(visit(deleted=True), ACTIVE, **WHEN)
    assert created and moved and cancelled
    assert created.notification_kind == "monitor_created"
    assert moved.notification_kind == "monitor_moved:2026-03-12T13:00Z"
    assert cancelled.notification_kind == "monitor_cancelled"


def test_changes_the_bot_made_are_recognised() -> None:
    created = detect_change(visit(crm_created_at=NOW), None, **WHEN)
    moved = detect_change(visit(start=START + timedelta(hours=1)), ACTIVE, **WHEN)
    assert created and moved
    assert made_by_bot(created, {"created"})
    assert not made_by_bot(created, {"moved"})
    flagged = detect_change(visit(crm_created_at=NOW, created_by_bot=True), None, **WHEN)
    assert flagged and made_by_bot(flagged, set())
    assert made_by_bot(moved, {"moved", "confirmed"})
    assert not made_by_bot(moved, {"confirmed"})
