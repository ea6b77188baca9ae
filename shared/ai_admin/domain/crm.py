"""The CRM's data as this product mirrors it: what a sync reads from YClients and writes to PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Attendance(IntEnum):
    """YClients attendance of a record."""

    NO_SHOW = -1
    WAITING = 0
    ATTENDED = 1
    CONFIRMED = 2


@dataclass(frozen=True)
class CrmClient:
    id: int
    name: str
    phone: str | None  # E.164
    email: str | None = None
    discount: Decimal = Decimal(0)
    visits_count: int = 0
    first_visit_date: date | None = None
    last_visit_date: date | None = None
    sold_amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class RecordService:
    id: int
    title: str
    cost: Decimal  # the line's final price (after discount, for the whole amount)
    amount: int = 1


@dataclass(frozen=True)
class GoodsSale:
    id: int
    good_id: int | None
    title: str
    amount: Decimal
    cost: Decimal


@dataclass(frozen=True)
class CrmRecord:
    id: int
    client_id: int | None
    client_phone: str | None
    staff_id: int | None
    start_at: datetime  # aware
    duration_s: int
    attendance: Attendance
    deleted: bool
    services: tuple[RecordService, ...] = ()
    goods: tuple[GoodsSale, ...] = ()
    visit_id: int | None = None
    comment: str = ""
    online: bool = False
    created_at: datetime | None = None
    changed_at: datetime | None = None

    @property
    def services_cost(self) -> Decimal:
        return sum((s.cost for s in self.services), Decimal(0))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int
    total: int


@dataclass(frozen=True)
class CompanyInfo:
    id: int
    title: str
    address: str
    timezone: str
    phone: str | None = None


@dataclass(frozen=True)
class CrmCategory:
    id: int
    title: str
    weight: int = 0


@dataclass(frozen=True)
class CrmService:
    id: int
    title: str
    category_id: int | None
    price_min: Decimal
    price_max: Decimal
    duration_s: int
    description: str = ""
    active: bool = True
    bookable: bool = True
    weight: int = 0
    staff_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CrmStaff:
    id: int
    name: str
    specialization: str = ""
    position: str = ""
    bookable: bool = True
    fired: bool = False
    hidden: bool = False
    rating: Decimal | None = None
    weight: int = 0


@dataclass(frozen=True)
class StaffDay:
    """A staff member's working hours on one date; no slots means a day off."""

    staff_id: int
    date: date
    slots: tuple[tuple[str, str], ...]  # ("10:00", "21:00") pairs, salon-local

    @property
    def is_working(self) -> bool:
        return bool(self.slots)
