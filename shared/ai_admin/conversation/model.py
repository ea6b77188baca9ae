"""What a turn reads: the salon's catalogue, the client's profile and their bookings (plain data, no
I/O). The dialog state kept between turns is in ``conversation/state.py``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from ai_admin.domain.catalogue_matching import Service, StaffMember
from ai_admin.domain.day_parts import TimeWindow


@dataclass(frozen=True)
class SalonInfo:
    company_id: int
    title: str
    timezone: str = "Europe/Moscow"
    address: str = ""
    phone: str = ""
    hours: TimeWindow = field(default_factory=lambda: TimeWindow(time(10), time(21)))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ServiceInfo(Service):
    """A bookable service; ``price`` is the lower bound, ``price_max`` the upper one when it is a range."""

    price_max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class StaffInfo(StaffMember):
    specialization: str = ""
    service_ids: frozenset[int] = frozenset()
    days_off: frozenset[int] = frozenset()  # weekday numbers (Monday = 0) never worked, when known


@dataclass(frozen=True)
class Catalogue:
    salon: SalonInfo
    services: tuple[ServiceInfo, ...]
    staff: tuple[StaffInfo, ...]

    def service(self, service_id: int) -> ServiceInfo | None:
        return next((s for s in self.services if s.id == service_id), None)

    def member(self, staff_id: int) -> StaffInfo | None:
        return next((m for m in self.staff if m.id == staff_id), None)

    def staff_for(self, service_ids: Iterable[int]) -> list[StaffInfo]:
        wanted = set(service_ids)
        return [m for m in self.staff if wanted <= m.service_ids]

    def minutes(self, service_ids: Iterable[int]) -> int:
        wanted = set(service_ids)
        return sum((s.minutes for s in self.services if s.id in wanted), 0)


@dataclass(frozen=True)
class ClientProfile:
    """The client as the nightly sync knows them (empty for a new client)."""

    phone: str
    client_id: int | None = None
    name: str | None = None
    visits_count: int = 0
    total_spent: Decimal = Decimal(0)
    loyalty_level: str = "new"
    favourite_staff_ids: tuple[int, ...] = ()
    favourite_service_ids: tuple[int, ...] = ()
    last_service_ids: tuple[int, ...] = ()
    last_visit_at: datetime | None = None
    last_staff_id: int | None = None  # who did the last visit ("как в прошлый раз")
    usual_time: time | None = None  # the start the client came at more than once, most often ("как обычно")

    @property
    def returning(self) -> bool:
        return self.visits_count > 0


@dataclass(frozen=True)
class MasterDay:
    """A master's day as the CRM has it now: the spans they work and what is booked in them (by record
    id, None for other entries), all aware datetimes in the salon's zone."""

    working: tuple[tuple[datetime, datetime], ...] = ()
    busy: tuple[tuple[int | None, datetime, datetime], ...] = ()

    def fits(self, start: datetime, end: datetime, ignoring: int | None = None) -> bool:
        """Whether a visit from ``start`` to ``end`` lies in working time and clear of every other entry."""
        inside = any(opens <= start and end <= closes for opens, closes in self.working)
        clash = any(record != ignoring and b_start < end and start < b_end for record, b_start, b_end in self.busy)
        return inside and not clash


@dataclass(frozen=True)
class Booked:
    """One of the client's records as the CRM holds it right now."""

    record_id: int
    staff_id: int
    service_ids: tuple[int, ...]
    start: datetime  # aware, salon time zone
    phone: str
    attendance: int = 0
    deleted: bool = False
