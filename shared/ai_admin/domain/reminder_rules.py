"""Which visits are reminded of, and when.

Two reminders per visit, each at most once: the day before, inside the salon's evening window (local
time, default 19:00-21:00), and the one when the visit is at most two hours away. Never for a
cancelled (deleted or attendance -1), attended (1) or past visit, a visit without a phone, or one
booked less than four hours before it starts (the client has just made it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from ai_admin.domain.crm import Attendance

SERVICE_WINDOW = timedelta(hours=24)
# Free-form messages that would land in the last minutes of the window risk 131047: use the template.
SERVICE_WINDOW_MARGIN = timedelta(minutes=10)
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ReminderKind(StrEnum):
    DAY_BEFORE = "reminder_day_before"
    TWO_HOURS = "reminder_2h"


@dataclass(frozen=True)
class EveningWindow:
    """Salon-local wall-clock times; ``start`` inclusive, ``end`` exclusive."""

    start: time = time(19, 0)
    end: time = time(21, 0)

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class ReminderRules:
    evening: EveningWindow = field(default_factory=EveningWindow)
    before_visit: timedelta = timedelta(hours=2)
    min_booking_lead: timedelta = timedelta(hours=4)
    day_before: bool = True
    hours_before: bool = True


@dataclass(frozen=True)
class Visit:
    """A CRM record as reminders and booking notifications see it; ``settled`` names the notification
    kinds already finished for it (sent, skipped, or given up)."""

    record_id: int
    start_at: datetime
    client_phone: str | None
    attendance: int = 0
    deleted: bool = False
    crm_created_at: datetime | None = None
    created_by_bot: bool = False
    services: tuple[str, ...] = ()
    staff_name: str | None = None
    client_name: str | None = None
    last_inbound_at: datetime | None = None
    synced_at: datetime | None = None
    settled: frozenset[str] = frozenset()

    @property
    def cancelled(self) -> bool:
        return self.deleted or self.attendance == Attendance.NO_SHOW


def due_reminder(visit: Visit, now: datetime, tz: tzinfo, rules: ReminderRules) -> ReminderKind | None:
    """The reminder due for ``visit`` at ``now``, if any (see the module docstring).

    Durations are measured in absolute time and "tomorrow" and the evening window on the salon's
    calendar, so a DST change neither shifts the two-hour reminder nor the evening one. When both are
    due (a visit just after midnight and a late window), only the two-hour one is sent.
    """
    start, now_utc = visit.start_at.astimezone(UTC), now.astimezone(UTC)
    if visit.cancelled or visit.attendance == Attendance.ATTENDED or not visit.client_phone or start <= now_utc:
        return None
    if visit.crm_created_at is not None and start - visit.crm_created_at.astimezone(UTC) < rules.min_booking_lead:
        return None
    if rules.hours_before and start - now_utc <= rules.before_visit:
        return ReminderKind.TWO_HOURS
    local_now, local_start = now.astimezone(tz), visit.start_at.astimezone(tz)
    tomorrow = (local_now.date() + timedelta(days=1)) == local_start.date()
    if rules.day_before and tomorrow and rules.evening.contains(local_now.time()):
        return ReminderKind.DAY_BEFORE
    return None


def inside_service_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether free-form messages may be sent: the client wrote within the last 24 hours (minus a margin)."""
    if last_inbound_at is None:
        return False
    return now.astimezone(UTC) - last_inbound_at.astimezone(UTC) < SERVICE_WINDOW - SERVICE_WINDOW_MARGIN


def retry_delay(attempt: int, base: timedelta, cap: timedelta) -> timedelta:
    """Exponential backoff after the ``attempt``-th failed send (1-based): base, 2x base, 4x ... capped."""
    delay: timedelta = base * 2 ** max(0, attempt - 1)
    return min(cap, delay)


def clock_time(value: Any) -> time | None:
    """A wall-clock "HH:MM" as a time; None for anything else."""
    match = _CLOCK.match(str(value).strip()) if isinstance(value, str) else None
    return time(int(match.group(1)), int(match.group(2))) if match else None


def rules_from_settings(salon_settings: Mapping[str, Any] | None, defaults: ReminderRules) -> ReminderRules:
    """A salon's overrides from ``companies.settings`` (``{"reminders": {"evening_from": "18:30",
    "evening_to": "20:00", "day_before": true, "hours_before": false}}``); a missing or invalid value
    keeps the default, and an empty or reversed window keeps the default window."""
    raw = (salon_settings or {}).get("reminders")
    if not isinstance(raw, Mapping):
        return defaults
    start = clock_time(raw.get("evening_from")) or defaults.evening.start
    end = clock_time(raw.get("evening_to")) or defaults.evening.end
    evening = EveningWindow(start, end) if start < end else defaults.evening
    day_before, hours_before = raw.get("day_before"), raw.get("hours_before")
    return replace(
        defaults,
        evening=evening,
        day_before=day_before if isinstance(day_before, bool) else defaults.day_before,
        hours_before=hours_before if isinstance(hours_before, bool) else defaults.hours_before,
    )
