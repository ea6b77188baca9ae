"""Lenient pydantic models of the YClients responses we use.

Every model keeps unknown keys (``extra="allow"``) and reads values through the tolerant parsers, so
documented quirks (string ids, ``[]`` for empty objects, ``client: null``, three timestamp formats)
parse; a value of the wrong kind altogether still fails, and the client reports it as
``MalformedResponse`` naming the endpoint.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime as DateTime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ai_admin.yclients import parsing

Id = Annotated[int, BeforeValidator(parsing.parse_int)]
OptionalId = Annotated[int | None, BeforeValidator(parsing.parse_optional_int)]
Int = Annotated[int, BeforeValidator(parsing.parse_int)]
Money = Annotated[Decimal, BeforeValidator(parsing.parse_money)]
Phone = Annotated[str | None, BeforeValidator(parsing.parse_phone)]
Flag = Annotated[bool, BeforeValidator(parsing.parse_flag)]
Timestamp = Annotated[DateTime | None, BeforeValidator(parsing.parse_timestamp)]
Day = Annotated[Date | None, BeforeValidator(parsing.parse_date)]
Text = Annotated[str, BeforeValidator(parsing.text)]
Mapping = Annotated[dict[str, Any], BeforeValidator(parsing.empty_to_dict)]

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class Titled(Model):
    id: OptionalId = None
    title: Text = ""


def _none_if_empty(value: Any) -> Any:
    return parsing.empty_to_none(value)


OptionalTitled = Annotated[Titled | None, BeforeValidator(_none_if_empty)]


class Envelope(Model):
    """``{success, data, meta}``; ``meta`` is ``[]`` when empty, ``data`` absent on some 201s."""

    success: bool
    data: Any = None
    meta: Mapping = Field(default_factory=dict)


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    total_count: int | None = None


class Company(Model):
    id: Id
    title: Text = ""
    timezone_name: str = "Europe/Moscow"
    timezone: Text = ""
    address: Text = ""
    phone: Text = ""
    city: Text = ""
    currency_short_title: Text = ""
    active_staff_count: Int = 0


class ServiceCategory(Model):
    id: Id
    title: Text = ""
    weight: Int = 0
    api_id: Text = ""
    staff: list[Id] = Field(default_factory=list)


class ServiceStaffLink(Model):
    id: Id
    seance_length: Int = 0


class Service(Model):
    id: Id
    title: Text = ""
    category_id: OptionalId = None
    price_min: Money = Decimal(0)
    price_max: Money = Decimal(0)
    discount: Money = Decimal(0)
    comment: Text = ""
    weight: Int = 0
    active: Flag = True
    duration: Int = 0
    api_id: Text = ""
    staff: list[ServiceStaffLink] = Field(default_factory=list)


class Staff(Model):
    id: Id
    name: Text = ""
    specialization: Text = ""
    position: OptionalTitled = None
    fired: Flag = False
    status: Int = 0
    hidden: Flag = False
    weight: Int = 0


class TimeRange(Model):
    from_: str = Field(alias="from")
    to: str


class BusyInterval(TimeRange):
    entity_type: str = ""
    entity_id: OptionalId = None


class StaffSchedule(Model):
    """One staff member's working slots on one date (empty slots = a day off)."""

    staff_id: Id
    date: Day
    slots: list[TimeRange] = Field(default_factory=list)
    busy_intervals: list[BusyInterval] = Field(default_factory=list)
    off_day_type: OptionalId = None


class ClientSummary(Model):
    """A row of ``clients/search``: only the requested ``fields`` are present."""

    id: Id
    name: Text = ""
    phone: Phone = None
    email: Text = ""
    discount: Money = Decimal(0)
    first_visit_date: Timestamp = None
    last_visit_date: Timestamp = None
    sold_amount: Money = Decimal(0)
    visits_count: Int = 0


class RecordService(Model):
    id: Id
    title: Text = ""
    cost: Money = Decimal(0)
    cost_to_pay: Money = Decimal(0)
    first_cost: Money = Decimal(0)
    discount: Money = Decimal(0)
    amount: Int = 1


class RecordStaff(Model):
    id: Id
    name: Text = ""
    specialization: Text = ""


class RecordClient(Model):
    id: OptionalId = None
    name: Text = ""
    surname: Text = ""
    display_name: Text = ""
    phone: Phone = None
    email: Text = ""
    success_visits_count: Int = 0
    fail_visits_count: Int = 0


class RecordGoodsLine(Model):
    id: OptionalId = None
    title: Text = ""
    good_id: OptionalId = None
    amount: Money = Decimal(0)
    cost_per_unit: Money = Decimal(0)
    cost: Money = Decimal(0)
    discount: Money = Decimal(0)


class FinanceTransaction(Model):
    id: Id
    document_id: OptionalId = None
    date: Timestamp = None
    amount: Money = Decimal(0)
    record_id: OptionalId = None


class RecordLabel(Model):
    id: Id
    title: Text = ""


class Record(Model):
    """An appointment. ``date`` is company-local wall time (naive); ``datetime`` carries the offset."""

    id: Id
    company_id: OptionalId = None
    staff_id: OptionalId = None
    services: list[RecordService] = Field(default_factory=list)
    goods_transactions: list[RecordGoodsLine] = Field(default_factory=list)
    staff: Annotated[RecordStaff | None, BeforeValidator(_none_if_empty)] = None
    client: Annotated[RecordClient | None, BeforeValidator(_none_if_empty)] = None
    date: Timestamp = None
    datetime: Timestamp = None
    create_date: Timestamp = None
    last_change_date: Timestamp = None
    comment: Text = ""
    online: Flag = False
    attendance: Int = 0
    visit_attendance: Int = 0
    confirmed: Flag = False
    seance_length: Int = 0
    length: Int = 0
    visit_id: OptionalId = None
    activity_id: Int = 0
    deleted: Flag = False
    paid_full: Int = 0
    api_id: Text = ""
    record_labels: list[RecordLabel] = Field(default_factory=list)
    custom_fields: Mapping = Field(default_factory=dict)
    finance_transactions: list[FinanceTransaction] = Field(default_factory=list)


class GoodsTransaction(Model):
    """A goods movement (``storages/transactions``); a sale has a negative ``amount``."""

    id: Id
    document_id: OptionalId = None
    type_id: OptionalId = None
    operation_unit_type: Int = 0
    amount: Money = Decimal(0)
    good: OptionalTitled = None
    storage: OptionalTitled = None
    cost_per_unit: Money = Decimal(0)
    cost: Money = Decimal(0)
    discount: Money = Decimal(0)
    create_date: Timestamp = None
    last_change_date: Timestamp = None
    master: OptionalTitled = None
    record_id: OptionalId = None
    client: Annotated[RecordClient | None, BeforeValidator(_none_if_empty)] = None


class BookService(Model):
    id: Id
    title: Text = ""
    category_id: OptionalId = None
    price_min: Money = Decimal(0)
    price_max: Money = Decimal(0)
    active: Flag = True
    seance_length: Int = 0


class BookCategory(Model):
    id: Id
    title: Text = ""
    weight: Int = 0


class BookServices(Model):
    services: list[BookService] = Field(default_factory=list)
    # The field table says "categories", the sample "category".
    category: list[BookCategory] = Field(default_factory=list, alias="category")
    categories: list[BookCategory] = Field(default_factory=list)

    def all_categories(self) -> list[BookCategory]:
        return self.category or self.categories


class BookStaff(Model):
    id: Id
    name: Text = ""
    specialization: Text = ""
    bookable: Flag = True
    position: OptionalTitled = None
    seance_date: Day = None


class BookDates(Model):
    booking_dates: list[Day] = Field(default_factory=list)
    working_dates: list[Day] = Field(default_factory=list)

    def dates(self) -> list[Date]:
        return [day for day in self.booking_dates if day is not None]


class BookTime(Model):
    time: str
    seance_length: Int = 0
    sum_length: Int = 0
    datetime: Timestamp = None


class BookedRecord(Model):
    """One created appointment of ``book_record``: ``id`` echoes the request's appointment id."""

    id: Id
    record_id: Id
    record_hash: Text = ""
