"""The fake salon's CRM state in memory: catalogue, staff schedules, clients, records, goods sales,
and a log of every change made through the API or by "salon staff" (tests read it to assert)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


@dataclass
class Company:
    id: int
    title: str
    address: str
    phone: str
    timezone_name: str = "Europe/Moscow"


@dataclass
class Category:
    id: int
    title: str
    weight: int = 0


@dataclass
class ServiceItem:
    id: int
    title: str
    category_id: int
    price: Decimal
    minutes: int
    price_max: Decimal | None = None
    weight: int = 0
    active: bool = True


@dataclass
class StaffMember:
    id: int
    name: str
    specialization: str
    service_ids: list[int]
    hours: dict[int, tuple[time, time]]  # weekday (0 = Monday) -> open, close; absent = day off
    days_off: set[date] = field(default_factory=set)
    position: str = "Барбер"
    fired: bool = False
    hidden: bool = False


@dataclass
class Client:
    id: int
    name: str
    phone: str  # E.164
    email: str = ""
    discount: Decimal = Decimal(0)


@dataclass
class Record:
    id: int
    staff_id: int
    service_ids: list[int]
    client_id: int | None
    start: datetime  # aware, salon time zone
    length_s: int
    created_at: datetime
    changed_at: datetime
    attendance: int = 0
    deleted: bool = False
    comment: str = ""
    online: bool = False
    visit_id: int = 0
    api_id: str = ""
    costs: list[Decimal] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.length_s)

    @property
    def record_hash(self) -> str:
        return hashlib.md5(f"record-{self.id}".encode(), usedforsecurity=False).hexdigest()


@dataclass
class GoodsSale:
    id: int
    document_id: int
    good_id: int
    title: str
    amount: int  # negative: sold out of stock
    cost_per_unit: Decimal
    discount: Decimal
    master_id: int
    client_id: int | None
    record_id: int
    created_at: datetime

    @property
    def cost(self) -> Decimal:
        return (self.cost_per_unit * abs(self.amount) * (100 - self.discount) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Change:
    kind: str  # created, moved, cancelled, attendance
    record_id: int
    at: datetime
    start: datetime | None = None
    attendance: int | None = None
    source: str = "api"


class SlotUnavailable(Exception):
    """The staff member is busy or not working then."""


class SalonState:
    """Thread-safe: the HTTP server's threads and the test read and write it concurrently."""

    def __init__(
        self,
        company: Company,
        categories: Iterable[Category] = (),
        services: Iterable[ServiceItem] = (),
        staff: Iterable[StaffMember] = (),
        clients: Iterable[Client] = (),
        *,
        slot_step_min: int = 15,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.company = company
        self.tz = ZoneInfo(company.timezone_name)
        self.categories = {c.id: c for c in categories}
        self.services = {s.id: s for s in services}
        self.staff = {s.id: s for s in staff}
        self.clients = {c.id: c for c in clients}
        self.records: dict[int, Record] = {}
        self.goods: list[GoodsSale] = []
        self.changes: list[Change] = []
        self.slot_step_min = slot_step_min
        self.lock = threading.RLock()
        self._clock = clock
        self._by_phone = {c.phone: c.id for c in self.clients.values()}
        self._by_staff_day: dict[tuple[int, date], list[int]] = {}
        self._next_record_id = 1
        self._next_client_id = max(self.clients, default=0) + 1
        self._next_visit_id = 1

    # --- clock -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        return (self._clock() if self._clock else datetime.now(self.tz)).astimezone(self.tz)

    def set_now(self, moment: datetime) -> None:
        """Freeze the salon clock (scenarios); naive means salon-local."""
        fixed = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)
        self._clock = lambda: fixed

    # --- loading ---------------------------------------------------------------------------------

    def load_record(self, record: Record) -> None:
        """Put an existing record in place as it was, without logging a change (seeding)."""
        with self.lock:
            self.records[record.id] = record
            self._by_staff_day.setdefault((record.staff_id, record.start.date()), []).append(record.id)
            self._next_record_id = max(self._next_record_id, record.id + 1)
            self._next_visit_id = max(self._next_visit_id, record.visit_id + 1)

    def add_client(self, name: str, phone: str, email: str = "") -> Client:
        with self.lock:
            if phone in self._by_phone:
                return self.clients[self._by_phone[phone]]
            client = Client(self._next_client_id, name, phone, email)
            self._next_client_id += 1
            self.clients[client.id] = client
            self._by_phone[phone] = client.id
            return client

    def client_by_phone(self, phone: str) -> Client | None:
        client_id = self._by_phone.get(phone)
        return self.clients.get(client_id) if client_id is not None else None

    # --- schedules and availability --------------------------------------------------------------

    def length_s(self, service_ids: Iterable[int]) -> int:
        return sum(self.services[i].minutes * 60 for i in service_ids) or 3600

    def working_hours(self, staff_id: int, day: date) -> tuple[datetime, datetime] | None:
        member = self.staff[staff_id]
        hours = member.hours.get(day.weekday())
        if member.fired or hours is None or day in member.days_off:
            return None
        return datetime.combine(day, hours[0], self.tz), datetime.combine(day, hours[1], self.tz)

    def records_of(self, staff_id: int, day: date, *, with_deleted: bool = False) -> list[Record]:
        with self.lock:
            found = [self.records[i] for i in self._by_staff_day.get((staff_id, day), [])]
        return sorted((r for r in found if with_deleted or not r.deleted), key=lambda r: r.start)

    def is_free(self, staff_id: int, start: datetime, length_s: int, ignore: int | None = None) -> bool:
        hours = self.working_hours(staff_id, start.date())
        end = start + timedelta(seconds=length_s)
        if hours is None or start < hours[0] or end > hours[1]:
            return False
        return all(r.end <= start or r.start >= end for r in self.records_of(staff_id, start.date()) if r.id != ignore)

    def free_starts(
        self, staff_id: int, day: date, service_ids: Iterable[int] = (), ignoring: int | None = None
    ) -> list[datetime]:
        """Bookable start times: inside working hours, clear of records (but ``ignoring``, a record
        being moved), not in the past."""
        hours = self.working_hours(staff_id, day)
        if hours is None:
            return []
        length = self.length_s(service_ids)
        step = timedelta(minutes=self.slot_step_min)
        now = self.now()
        starts, moment = [], hours[0]
        while moment + timedelta(seconds=length) <= hours[1]:
            if moment > now and self.is_free(staff_id, moment, length, ignore=ignoring):
                starts.append(moment)
            moment += step
        return starts

    def provides(self, staff_id: int, service_ids: Iterable[int]) -> bool:
        member = self.staff.get(staff_id)
        return member is not None and all(i in member.service_ids for i in service_ids)

    # --- writes (API and "salon staff") ----------------------------------------------------------

    def create_record(
        self,
        staff_id: int,
        service_ids: list[int],
        start: datetime,
        client_id: int | None,
        *,
        length_s: int | None = None,
        comment: str = "",
        online: bool = True,
        force: bool = False,
        source: str = "api",
        api_id: str = "",
    ) -> Record:
        length = length_s or self.length_s(service_ids)
        with self.lock:
            if not force and not self.is_free(staff_id, start, length):
                raise SlotUnavailable(f"{start:%Y-%m-%d %H:%M}")
            now = self.now()
            record = Record(
                id=self._next_record_id,
                staff_id=staff_id,
                service_ids=list(service_ids),
                client_id=client_id,
                start=start.astimezone(self.tz),
                length_s=length,
                created_at=now,
                changed_at=now,
                comment=comment,
                online=online,
                visit_id=self._next_visit_id,
                api_id=api_id,
                costs=[self.services[i].price for i in service_ids if i in self.services],
            )
            self.load_record(record)
            self.changes.append(Change("created", record.id, now, record.start, source=source))
            return record

    def move_record(
        self,
        record_id: int,
        start: datetime,
        staff_id: int | None = None,
        *,
        force: bool = False,
        source: str = "api",
    ) -> Record:
        with self.lock:
            record = self.records[record_id]
            staff = staff_id or record.staff_id
            start = start.astimezone(self.tz)
            if start == record.start and staff == record.staff_id:
                return record
            if not force and not self.is_free(staff, start, record.length_s, ignore=record_id):
                raise SlotUnavailable(f"{start:%Y-%m-%d %H:%M}")
            self._by_staff_day[(record.staff_id, record.start.date())].remove(record_id)
            record.start, record.staff_id, record.changed_at = start, staff, self.now()
            self._by_staff_day.setdefault((staff, start.date()), []).append(record_id)
            self.changes.append(Change("moved", record_id, record.changed_at, start, source=source))
            return record

    def cancel_record(self, record_id: int, *, source: str = "api") -> Record:
        with self.lock:
            record = self.records[record_id]
            if not record.deleted:
                record.deleted, record.changed_at = True, self.now()
                self.changes.append(Change("cancelled", record_id, record.changed_at, source=source))
            return record

    def set_attendance(self, record_id: int, attendance: int, *, source: str = "api") -> Record:
        with self.lock:
            record = self.records[record_id]
            if record.attendance != attendance:
                record.attendance, record.changed_at = attendance, self.now()
                change = Change("attendance", record_id, record.changed_at, attendance=attendance, source=source)
                self.changes.append(change)
            return record

    def touch(self, record: Record, comment: str | None = None) -> None:
        with self.lock:
            if comment is not None:
                record.comment = comment
            record.changed_at = self.now()

    # --- assert-friendly views -------------------------------------------------------------------

    def _changed(self, kind: str) -> list[Change]:
        with self.lock:
            return [c for c in self.changes if c.kind == kind]

    def records_created(self) -> list[Record]:
        return [self.records[c.record_id] for c in self._changed("created")]

    def records_moved(self) -> dict[int, datetime]:
        """Record id -> its latest start, for records moved since seeding."""
        return {c.record_id: self.records[c.record_id].start for c in self._changed("moved")}

    def records_cancelled(self) -> list[int]:
        return sorted({c.record_id for c in self._changed("cancelled")})

    def records_confirmed(self) -> list[int]:
        return sorted({c.record_id for c in self._changed("attendance") if c.attendance == 2})
