"""Which visit gets which reminder when: every exclusion, the window edges, and time zones with and
without daylight saving time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ai_admin.domain.reminder_rules import (
    EveningWindow,
    ReminderKind,
    ReminderRules,
    Visit,
    due_reminder,
    inside_service_window,
    retry_delay,
    rules_from_settings,
)

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
RULES = ReminderRules()
DAY, HOURS = ReminderKind.DAY_BEFORE, ReminderKind.TWO_HOURS
EVENING = datetime(2026, 3, 10, 19, 30, tzinfo=MSK)
TOMORROW_15 = datetime(2026, 3, 11, 15, 0, tzinfo=MSK)


def visit(start: datetime, **fields: object) -> Visit:
    values: dict[str, object] = {"record_id": 1, "start_at": start, "client_phone": "+79990000001", **fields}
    return Visit(**values)  # type: ignore[arg-type]


CASES = [
    # (id, visit, now, expected)
    ("day before, inside the window", visit(TOMORROW_15), EVENING, DAY),
    ("window opens at 19:00 sharp", visit(TOMORROW_15), EVENING.replace(hour=19, minute=0), DAY),
    ("not yet at 18:59", visit(TOMORROW_15), EVENING.replace(hour=18, minute=59), None),
    ("still at 20:59", visit(TOMORROW_15), EVENING.replace(hour=20, minute=59), DAY),
    ("window closed at 21:00", visit(TOMORROW_15), EVENING.replace(hour=21, minute=0), None),
    ("the day after tomorrow: not yet", visit(TOMORROW_15 + timedelta(days=1)), EVENING, None),
    ("later today but over two hours away", visit(EVENING + timedelta(hours=3)), EVENING, None),
    ("exactly two hours before", visit(TOMORROW_15), TOMORROW_15 - timedelta(hours=2), HOURS),
    ("two hours and a minute before", visit(TOMORROW_15), TOMORROW_15 - timedelta(hours=2, minutes=1), None),
    ("a minute before", visit(TOMORROW_15), TOMORROW_15 - timedelta(minutes=1), HOURS),
    ("starting now: past", visit(TOMORROW_15), TOMORROW_15, None),
    ("past", visit(TOMORROW_15), TOMORROW_15 + timedelta(minutes=5), None),
    ("deleted", visit(TOMORROW_15, deleted=True), EVENING, None),
    ("cancelled (attendance -1)", visit(TOMORROW_15, attendance=-1), EVENING, None),
    ("already came (attendance 1)", visit(TOMORROW_15, attendance=1), TOMORROW_15 - timedelta(hours=1), None),
    ("confirmed (attendance 2) still reminded", visit(TOMORROW_15, attendance=2), EVENING, DAY),
    ("no phone", visit(TOMORROW_15, client_phone=None), EVENING, None),
    (
        "booked 3 h 59 min before the visit",
        visit(TOMORROW_15, crm_created_at=TOMORROW_15 - timedelta(hours=3, minutes=59)),
        TOMORROW_15 - timedelta(hours=1),
        None,
    ),
    (
        "booked exactly 4 h before the visit",
        visit(TOMORROW_15, crm_created_at=TOMORROW_15 - timedelta(hours=4)),
        TOMORROW_15 - timedelta(hours=1),
        HOURS,
    ),
    ("creation time unknown", visit(TOMORROW_15, crm_created_at=None), EVENING, DAY),
    ("now given in UTC, window on the salon clock", visit(TOMORROW_15), datetime(2026, 3, 10, 16, 30, tzinfo=UTC), DAY),
    ("Moscow has no DST: 02:45 is two hours after 00:45", visit(datetime(2026, 3, 29, 2, 45, tzinfo=MSK)),
     datetime(2026, 3, 29, 0, 45, tzinfo=MSK), HOURS),
    # Berlin springs forward on 29 March 2026 at 02:00 -> 03:00: 00:45 CET to 03:30 CEST is 1 h 45 min.
    ("Berlin spring forward: real, not wall-clock hours", visit(datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)),
     datetime(2026, 3, 29, 0, 45, tzinfo=BERLIN), HOURS),
    # Berlin falls back on 25 October 2026 at 03:00 -> 02:00: 00:30 CEST to the second 02:00 (CET) is 2 h 30 min.
    ("Berlin fall back: 1 h 30 min on the wall is 2 h 30 min",
     visit(datetime(2026, 10, 25, 2, 0, fold=1, tzinfo=BERLIN)),
     datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN), None),
    ("Berlin fall back: the first 02:30 is two hours away", visit(datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN)),
     datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN), HOURS),
    ("Berlin, evening before the spring change", visit(datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)),
     datetime(2026, 3, 28, 18, 30, tzinfo=UTC), DAY),
    ("Berlin summer: 17:30 UTC is 19:30 CEST", visit(datetime(2026, 7, 11, 10, 0, tzinfo=BERLIN)),
     datetime(2026, 7, 10, 17, 30, tzinfo=UTC), DAY),
    ("Berlin summer: 18:30 CET would be wrong", visit(datetime(2026, 7, 11, 10, 0, tzinfo=BERLIN)),
     datetime(2026, 7, 10, 16, 30, tzinfo=UTC), None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "case", "now", "expected"), CASES, ids=[c[0] for c in CASES])
def test_due_reminder(name: str, case: Visit, now: datetime, expected: ReminderKind | None) -> None:
    tz = case.start_at.tzinfo
    assert tz is not None
    assert due_reminder(case, now, tz, RULES) is expected


def test_the_two_hour_reminder_wins_when_both_are_due() -> None:
    late = ReminderRules(evening=EveningWindow(time(19), time(23, 30)))
    just_after_midnight = visit(datetime(2026, 3, 11, 0, 15, tzinfo=MSK))
    assert due_reminder(just_after_midnight, datetime(2026, 3, 10, 22, 30, tzinfo=MSK), MSK, late) is HOURS
    assert due_reminder(just_after_midnight, datetime(2026, 3, 10, 21, 0, tzinfo=MSK), MSK, late) is DAY


def test_a_salon_can_turn_either_reminder_off() -> None:
    no_evening = rules_from_settings({"reminders": {"day_before": False}}, RULES)
    no_hours = rules_from_settings({"reminders": {"hours_before": False}}, RULES)
    assert due_reminder(visit(TOMORROW_15), EVENING, MSK, no_evening) is None
    assert due_reminder(visit(TOMORROW_15), TOMORROW_15 - timedelta(hours=1), MSK, no_hours) is None
    assert due_reminder(visit(TOMORROW_15), EVENING, MSK, no_hours) is DAY


@pytest.mark.parametrize(
    ("settings", "window"),
    [
        (None, EveningWindow(time(19), time(21))),
        ({}, EveningWindow(time(19), time(21))),
        ({"reminders": {"evening_from": "18:30", "evening_to": "20:00"}}, EveningWindow(time(18, 30), time(20))),
        ({"reminders": {"evening_from": "9:05"}}, EveningWindow(time(9, 5), time(21))),
        ({"reminders": {"evening_from": "25:00", "evening_to": "soon"}}, EveningWindow(time(19), time(21))),
        ({"reminders": {"evening_from": "21:00", "evening_to": "19:00"}}, EveningWindow(time(19), time(21))),
        ({"reminders": "on"}, EveningWindow(time(19), time(21))),
    ],
)
def test_salon_settings_override_the_evening_window(settings: dict[str, object] | None, window: EveningWindow) -> None:
    assert rules_from_settings(settings, RULES).evening == window


def test_a_salon_window_moves_the_day_before_reminder() -> None:
    rules = rules_from_settings({"reminders": {"evening_from": "17:00", "evening_to": "18:00"}}, RULES)
    assert due_reminder(visit(TOMORROW_15), EVENING.replace(hour=17, minute=10), MSK, rules) is DAY
    assert due_reminder(visit(TOMORROW_15), EVENING, MSK, rules) is None


@pytest.mark.parametrize(
    ("last_inbound", "inside"),
    [
        (None, False),
        (EVENING - timedelta(hours=1), True),
        (EVENING - timedelta(hours=23, minutes=49), True),
        (EVENING - timedelta(hours=23, minutes=51), False),  # within the 10-minute margin: template
        (EVENING - timedelta(days=3), False),
    ],
)
def test_the_24_hour_service_window(last_inbound: datetime | None, inside: bool) -> None:
    assert inside_service_window(last_inbound, EVENING) is inside


def test_retry_backoff_doubles_up_to_the_cap() -> None:
    base, cap = timedelta(minutes=5), timedelta(hours=1)
    assert [retry_delay(n, base, cap) for n in range(1, 6)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
        timedelta(hours=1),
    ]
