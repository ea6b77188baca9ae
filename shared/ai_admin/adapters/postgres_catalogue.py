"""The salon's catalogue and staff hours as the sync mirrored them, cached per process for a short while.

A turn reads the catalogue once and working hours many times (alternatives over several days and
masters), so one cache entry holds both: the catalogue and every schedule row from a week ago on.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.model import Catalogue, SalonInfo, ServiceInfo, StaffInfo
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.errors import UnknownSalon

DEFAULT_HOURS = TimeWindow(time(10), time(21))
# A weekday counts as a member's day off when the schedule shows it at least this often, never worked.
DAY_OFF_MIN_ROWS = 2

_COMPANY = """
SELECT title, address, coalesce(phone, ''), timezone, settings->'hours' FROM companies WHERE company_id = :company
"""
_SERVICES = """
SELECT s.yclients_id, s.title, coalesce(c.title, ''), s.price_min, s.price_max, s.duration_s, s.description,
       s.staff_ids
FROM services s
LEFT JOIN service_categories c ON c.company_id = s.company_id AND c.yclients_id = s.category_id
WHERE s.company_id = :company AND s.is_active AND s.is_bookable
ORDER BY coalesce(c.weight, 0) DESC, s.weight DESC, s.yclients_id
"""
_STAFF = """
SELECT yclients_id, name, specialization FROM staff
WHERE company_id = :company AND is_active AND is_bookable
ORDER BY weight DESC, yclients_id
"""
_SCHEDULES = """
SELECT staff_id, date, is_working, slots FROM staff_schedules
WHERE company_id = :company
  AND date >= (SELECT max(date) - 120 FROM staff_schedules WHERE company_id = :company)
"""


def _clock_time(text: Any, default: time) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        return time(23, 59) if str(text).startswith("24") else default


def _hours(value: Any) -> TimeWindow:
    if not isinstance(value, dict) or not value.get("open") or not value.get("close"):
        return DEFAULT_HOURS
    start, end = _clock_time(value["open"], time(10)), _clock_time(value["close"], time(21))
    return TimeWindow(start, end) if start < end else DEFAULT_HOURS


def _window(slots: Any, salon_hours: TimeWindow) -> TimeWindow:
    """One window from the first start to the last end (a split shift's break is not modelled)."""
    pairs = [(s.get("from"), s.get("to")) for s in slots or [] if isinstance(s, dict)]
    pairs = [(a, b) for a, b in pairs if a and b]
    if not pairs:
        return salon_hours
    return TimeWindow(
        min(_clock_time(a, time(0)) for a, _ in pairs),
        max(_clock_time(b, time(23, 59)) for _, b in pairs),
    )


@dataclass(frozen=True)
class _Entry:
    expires: float
    catalogue: Catalogue
    days: dict[tuple[int, date], TimeWindow | None]


class PostgresCatalogue:
    def __init__(
        self, db: PostgresSession, ttl_s: float = 60.0, monotonic: Callable[[], float] = clock.monotonic
    ) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._cache: dict[int, _Entry] = {}
        self._lock = threading.Lock()

    def catalogue(self, company_id: int) -> Catalogue:
        return self._entry(company_id).catalogue

    def working_hours(self, company_id: int, staff_id: int, day: date) -> TimeWindow | None:
        entry = self._entry(company_id)
        member = entry.catalogue.member(staff_id)
        if member is None:
            return None
        key = (staff_id, day)
        if key in entry.days:
            return entry.days[key]
        return None if day.weekday() in member.days_off else entry.catalogue.salon.hours

    def timezone(self, company_id: int) -> ZoneInfo:
        """The salon's zone, for adapters that take a ``tz_of`` (e.g. ``YClientsBookingDesk``)."""
        return self.catalogue(company_id).salon.tz

    def forget(self, company_id: int | None = None) -> None:
        """Drop the cache (all salons by default), e.g. right after a sync wrote new reference data."""
        with self._lock:
            if company_id is None:
                self._cache.clear()
            else:
                self._cache.pop(company_id, None)

    def _entry(self, company_id: int) -> _Entry:
        now = self._monotonic()
        entry = self._cache.get(company_id)
        if entry is not None and entry.expires > now:
            return entry
        entry = self._load(company_id, now + self._ttl_s)
        with self._lock:
            self._cache[company_id] = entry
        return entry

    def _load(self, company_id: int, expires: float) -> _Entry:
        company = self._db.run(_COMPANY, company=company_id)
        if not company:
            raise UnknownSalon(f"no salon with company id {company_id}")
        title, address, phone, timezone, hours = company[0]
        salon = SalonInfo(company_id, str(title), str(timezone), str(address), str(phone), _hours(hours))
        services: list[ServiceInfo] = []
        providers: dict[int, set[int]] = {}
        for sid, stitle, category, price_min, price_max, duration_s, description, staff_ids in self._db.run(
            _SERVICES, company=company_id
        ):
            low, high = float(price_min), float(price_max)
            services.append(
                ServiceInfo(
                    id=int(sid),
                    title=str(stitle),
                    category=str(category),
                    price=low,
                    minutes=max(1, int(duration_s) // 60),
                    price_max=high if high > low else None,
                    description=str(description),
                )
            )
            for staff_id in staff_ids or ():
                providers.setdefault(int(staff_id), set()).add(int(sid))
        days: dict[tuple[int, date], TimeWindow | None] = {}
        seen: dict[int, dict[int, list[bool]]] = {}
        for staff_id, day, working, slots in self._db.run(_SCHEDULES, company=company_id):
            days[(int(staff_id), day)] = _window(slots, salon.hours) if working else None
            seen.setdefault(int(staff_id), {}).setdefault(day.weekday(), []).append(bool(working))
        staff = tuple(
            StaffInfo(
                id=int(mid),
                name=str(name),
                specialization=str(specialization),
                service_ids=frozenset(providers.get(int(mid), ())),
                days_off=frozenset(
                    weekday
                    for weekday, worked in seen.get(int(mid), {}).items()
                    if len(worked) >= DAY_OFF_MIN_ROWS and not any(worked)
                ),
            )
            for mid, name, specialization in self._db.run(_STAFF, company=company_id)
        )
        return _Entry(expires, Catalogue(salon, tuple(services), staff), days)
