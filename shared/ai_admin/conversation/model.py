"""What a turn knows: the salon's catalogue, the client's profile, their bookings and the dialog state.

Plain data, no I/O. The dialog state is the part that survives between turns (in Redis for the
context TTL, with the PostgreSQL transcript as the durable copy); everything else is read per turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

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

    @property
    def returning(self) -> bool:
        return self.visits_count > 0


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


# --- the dialog state kept between turns --------------------------------------------------------


class OfferedSlot(BaseModel):
    staff_id: int
    start: datetime  # aware


class PendingAction(BaseModel):
    """A destructive or booking action the bot has stated and is waiting for the client to confirm."""

    kind: Literal["book", "cancel", "move"]
    record_id: int | None = None
    staff_id: int | None = None
    service_ids: list[int] = Field(default_factory=list)
    start: datetime | None = None  # the new start for book/move
    stated_at: datetime


class Turn(BaseModel):
    role: Literal["client", "bot"]
    text: str
    at: datetime


class DialogState(BaseModel):
    """Everything the bot remembers about this conversation between turns."""

    service_ids: list[int] = Field(default_factory=list)
    staff_id: int | None = None
    day: date | None = None
    time_of_day: time | None = None
    part_of_day: str | None = None
    offered: list[OfferedSlot] = Field(default_factory=list)
    pending: PendingAction | None = None
    client_name: str | None = None
    greeted_at: datetime | None = None
    last_bot_at: datetime | None = None
    last_reply: str = ""
    turns: list[Turn] = Field(default_factory=list)
    booked_turns: dict[str, int] = Field(default_factory=dict)  # turn key -> record id (redelivery)
    handed_off: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)

    MAX_TURNS: ClassVar[int] = 12

    def remember(self, role: Literal["client", "bot"], text: str, at: datetime) -> None:
        self.turns.append(Turn(role=role, text=text, at=at))
        del self.turns[: -self.MAX_TURNS]
