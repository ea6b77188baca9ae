"""The conversation's live CRM operations over the YClients client: free times, booking, the client's
own bookings, moving, cancelling and confirming, each change read back before it is reported done.

Every action touching an existing record first reads it and checks that its client has exactly the
conversation's phone, so a record id from anywhere else cannot act on another client's booking.
A write whose outcome is unknown (timeout, 5xx, a broken answer after every retry) is looked up
once more; when it is still unclear the ``BookingError`` says ``outcome_unknown`` and the bot must
not claim either result.

Requests per action: free_starts 1; book 3 (a look for the same booking, book_record, the read-back);
bookings_of 1 + one per client card with that phone; move, cancel and confirm 3 each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.conversation.model import Booked, MasterDay
from ai_admin.conversation.ports import BookingError
from ai_admin.yclients.errors import (
    MalformedResponse,
    NotFound,
    TimeTaken,
    Unavailable,
    ValidationFailed,
    YClientsError,
)
from ai_admin.yclients.models import BookTime, Record, TimeRange
from ai_admin.yclients.payloads import Appointment, Booking, RecordsQuery, RecordWrite, ServiceLine

DEFAULT_ZONE = ZoneInfo("Europe/Moscow")
SLOT_TAKEN_CODES = frozenset({433, 436, 437})  # taken or non-working, no free master, overlapping
# The documented book_record refusal sample carries only this message, without a code.
SLOT_TAKEN_TEXT = "нельзя записаться"
NAMELESS = "Клиент"
CONFIRMED = 2
WAITING = 0

_UNCLEAR = (Unavailable, MalformedResponse)


@dataclass(frozen=True)
class _Wanted:
    """The booking a turn asks for, and whether a CRM record already is it."""

    phone: str
    staff_id: int
    service_ids: frozenset[int]
    start: datetime
    api_id: str

    def is_met_by(self, booked: Booked, api_id: str) -> bool:
        if booked.deleted or booked.phone != self.phone or booked.start != self.start:
            return False
        if self.staff_id and booked.staff_id != self.staff_id:
            return False
        return (bool(self.api_id) and api_id == self.api_id) or self.service_ids <= set(booked.service_ids)


def _slot_taken(error: YClientsError) -> bool:
    if isinstance(error, TimeTaken):
        return True
    if isinstance(error, ValidationFailed) and error.code in SLOT_TAKEN_CODES:
        return True
    return isinstance(error, ValidationFailed) and SLOT_TAKEN_TEXT in error.message.lower()


def _refused(action: str, error: YClientsError) -> BookingError:
    return BookingError(f"{action}: {error}", slot_taken=_slot_taken(error))


def _unknown(action: str, error: Exception | None = None) -> BookingError:
    detail = f": {error}" if error is not None else ""
    return BookingError(f"{action}: the outcome is unknown{detail}", outcome_unknown=True)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz) if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _start(record: Record, tz: ZoneInfo) -> datetime | None:
    moment = record.datetime or record.date
    return _local(moment, tz) if moment is not None else None


def _phone(record: Record) -> str | None:
    return record.client.phone if record.client is not None else None


def _staff_id(record: Record) -> int | None:
    if record.staff_id:
        return record.staff_id
    return record.staff.id if record.staff is not None else None


def _booked(record: Record, tz: ZoneInfo) -> Booked | None:
    start, phone, staff_id = _start(record, tz), _phone(record), _staff_id(record)
    if start is None or phone is None or staff_id is None:
        return None
    return Booked(
        record_id=record.id,
        staff_id=staff_id,
        service_ids=tuple(s.id for s in record.services),
        start=start,
        phone=phone,
        attendance=record.attendance,
        deleted=record.deleted,
    )


def _book_time(slot: BookTime, day: date, tz: ZoneInfo) -> datetime | None:
    if slot.datetime is not None:
        return _local(slot.datetime, tz)
    try:
        return datetime.combine(day, time.fromisoformat(slot.time), tz)
    except ValueError:
        return None


def _span(span: TimeRange, day: date, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """A schedule's "10:00"-"12:00" on ``day``; an end at or before the start runs past midnight."""
    try:
        start, end = (datetime.combine(day, time.fromisoformat(v), tz) for v in (span.from_, span.to))
    except ValueError:
        return None
    return (start, end if end > start else end + timedelta(days=1))


class YClientsBookingDesk:
    """``tz_of`` gives a salon's zone by company id (e.g. ``PostgresCatalogue.timezone``), or is one zone."""

    def __init__(self, client: YClientsClient, tz_of: Callable[[int], ZoneInfo] | ZoneInfo = DEFAULT_ZONE) -> None:
        self._client = client
        if isinstance(tz_of, ZoneInfo):
            zone = tz_of
            self._tz_of: Callable[[int], ZoneInfo] = lambda _company_id: zone
        else:
            self._tz_of = tz_of
        self._requests = 0

    @property
    def requests_made(self) -> int:
        """CRM requests this desk has sent, retries included (for benchmarks)."""
        return self._requests

    @contextmanager
    def _counting(self) -> Iterator[None]:
        before = self._sent()
        try:
            yield
        finally:
            self._requests += self._sent() - before

    def _sent(self) -> int:
        return sum(list(self._client.requests_by_endpoint.values()))

    # --- reads -----------------------------------------------------------------------------------

    def free_starts(self, company_id: int, staff_id: int, day: date, service_ids: Sequence[int]) -> list[datetime]:
        tz = self._tz_of(company_id)
        with self._counting():
            try:
                slots = self._client.book_times(company_id, staff_id, day, service_ids)
            except YClientsError as error:
                raise _refused("free times", error) from error
        return sorted({s for s in (_book_time(slot, day, tz) for slot in slots) if s is not None})

    def master_day(self, company_id: int, staff_id: int, day: date) -> MasterDay:
        tz = self._tz_of(company_id)
        with self._counting():
            try:
                days = self._client.staff_schedules(company_id, day, day, [staff_id])
            except YClientsError as error:
                raise _refused("the master's day", error) from error
        entry = next((d for d in days if d.staff_id == staff_id and d.date == day), None)
        if entry is None:
            return MasterDay()
        working = tuple(s for s in (_span(r, day, tz) for r in entry.slots) if s is not None)
        busy = tuple(
            (b.entity_id if b.entity_type == "record" else None, *span)
            for b in entry.busy_intervals
            if (span := _span(b, day, tz)) is not None
        )
        return MasterDay(working, busy)

    def bookings_of(self, company_id: int, phone: str, start: date, end: date) -> list[Booked]:
        tz = self._tz_of(company_id)
        found: dict[int, Booked] = {}
        with self._counting():
            try:
                cards = [c for c in self._client.find_clients_by_phone(company_id, phone) if c.phone == phone]
                for card in cards:
                    query = RecordsQuery(start_date=start, end_date=end, client_id=card.id, timezone=tz.key)
                    for record in self._client.iter_records(company_id, query):
                        booked = _booked(record, tz)
                        # Re-checked here: a CRM filter that matched loosely must not leak another phone.
                        if booked is not None and booked.phone == phone and not booked.deleted:
                            found[booked.record_id] = booked
            except YClientsError as error:
                raise _refused("reading bookings", error) from error
        return sorted(found.values(), key=lambda b: (b.start, b.record_id))

    # --- booking ---------------------------------------------------------------------------------

    def book(
        self,
        company_id: int,
        *,
        phone: str,
        name: str,
        staff_id: int,
        service_ids: Sequence[int],
        start: datetime,
        api_id: str,
    ) -> Booked:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        tz = self._tz_of(company_id)
        start = start.astimezone(tz)
        wanted = _Wanted(phone, staff_id, frozenset(service_ids), start, api_id)
        with self._counting():
            try:
                existing = self._find(company_id, wanted, tz)
            except YClientsError as error:
                raise _refused("booking", error) from error
            if existing is not None:
                return existing
            try:
                booking = Booking(
                    phone=phone,
                    fullname=name.strip() or NAMELESS,
                    appointments=(Appointment(1, tuple(service_ids), staff_id, start),),
                    api_id=api_id,
                )
            except ValueError as error:
                raise BookingError(f"booking: {error}") from error
            try:
                created = self._client.book_record(company_id, booking)
            except _UNCLEAR as error:
                return self._look_again(company_id, wanted, tz, error)
            except YClientsError as error:
                raise _refused("booking", error) from error
            if not created:
                return self._look_again(company_id, wanted, tz, None)
            return self._read_back_booking(company_id, created[0].record_id, wanted, tz)

    def _find(self, company_id: int, wanted: _Wanted, tz: ZoneInfo) -> Booked | None:
        """The client's live record at that start with that master: made by this api_id, or the same services."""
        query = RecordsQuery(
            start_date=wanted.start.date(),
            end_date=wanted.start.date(),
            staff_id=wanted.staff_id or None,
            timezone=tz.key,
        )
        for record in self._client.iter_records(company_id, query):
            booked = _booked(record, tz)
            if booked is not None and wanted.is_met_by(booked, record.api_id):
                return booked
        return None

    def _look_again(self, company_id: int, wanted: _Wanted, tz: ZoneInfo, error: Exception | None) -> Booked:
        try:
            found = self._find(company_id, wanted, tz)
        except YClientsError:
            found = None
        if found is None:
            raise _unknown("booking", error) from error
        return found

    def _read_back_booking(self, company_id: int, record_id: int, wanted: _Wanted, tz: ZoneInfo) -> Booked:
        try:
            booked = _booked(self._client.record(company_id, record_id), tz)
        except YClientsError as error:
            raise _unknown(f"booking {record_id} made but not read back", error) from error
        if booked is None or booked.deleted or booked.phone != wanted.phone or booked.start != wanted.start:
            raise _unknown(f"booking {record_id} reads back differently")
        return booked

    # --- the client's existing records ------------------------------------------------------------

    def _own(self, company_id: int, booked: Booked, action: str) -> Record:
        """The record as the CRM holds it now, refused unless its client has exactly ``booked.phone``."""
        try:
            record = self._client.record(company_id, booked.record_id)
        except NotFound as error:
            raise BookingError(f"{action}: record {booked.record_id} not found") from error
        except YClientsError as error:
            raise _refused(action, error) from error
        if _phone(record) != booked.phone:
            raise BookingError(f"{action}: record {booked.record_id} is not this client's")
        return record

    def _reread(self, company_id: int, record_id: int, action: str, tz: ZoneInfo) -> Booked | None:
        """None when the record is gone."""
        try:
            return _booked(self._client.record(company_id, record_id), tz)
        except NotFound:
            return None
        except YClientsError as error:
            raise _unknown(f"{action} of {record_id} not read back", error) from error

    def move(self, company_id: int, booked: Booked, *, start: datetime, staff_id: int) -> Booked:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")

        def moved(after: Booked) -> bool:
            return after.start == start and after.staff_id == staff_id

        return self._rewrite(company_id, booked, "move", moved, start=start, staff_id=staff_id)

    def add_services(
        self, company_id: int, booked: Booked, *, services: Sequence[tuple[int, float | None]], minutes: int
    ) -> Booked:
        wanted = {i for i, _ in services} | set(booked.service_ids)
        added = tuple(ServiceLine(i, cost=price, first_cost=price) for i, price in services)
        return self._rewrite(
            company_id,
            booked,
            "add services",
            lambda after: set(after.service_ids) >= wanted,
            added=added,
            minutes=minutes,
        )

    def _rewrite(
        self,
        company_id: int,
        booked: Booked,
        action: str,
        done: Callable[[Booked], bool],
        *,
        start: datetime | None = None,
        staff_id: int | None = None,
        added: tuple[ServiceLine, ...] = (),
        minutes: int = 0,
    ) -> Booked:
        """The record as it is, changed (moved to ``start``/``staff_id``, or grown by ``added`` and ``minutes``),
        written with ``PUT /record`` and read back; an answer lost on the way is settled by the read."""
        tz = self._tz_of(company_id)
        with self._counting():
            current = self._own(company_id, booked, action)
            if current.deleted:
                raise BookingError(f"{action}: record {booked.record_id} was cancelled")
            kept = tuple(
                ServiceLine(s.id, cost=float(s.cost), first_cost=float(s.first_cost), discount=float(s.discount))
                for s in current.services
            )
            write = RecordWrite(
                staff_id=staff_id or booked.staff_id,
                services=kept + added,
                start=(start or booked.start).astimezone(tz),
                seance_length_s=(current.seance_length or current.length or 3600) + minutes * 60,
                client_phone=booked.phone,
                client_name=current.client.name if current.client is not None else "",
                comment=current.comment,
            )
            unclear: Exception | None = None
            try:
                self._client.change_record(company_id, booked.record_id, write)
            except _UNCLEAR as error:
                unclear = error
            except YClientsError as error:
                raise _refused(action, error) from error
            after = self._reread(company_id, booked.record_id, action, tz)
        if after is not None and not after.deleted and done(after):
            return after
        if unclear is not None:
            raise _unknown(action, unclear) from unclear
        raise BookingError(f"{action}: record {booked.record_id} still reads {after or 'as gone'}")

    def cancel(self, company_id: int, booked: Booked) -> None:
        tz = self._tz_of(company_id)
        with self._counting():
            if self._own(company_id, booked, "cancel").deleted:
                return
            unclear: Exception | None = None
            try:
                self._client.delete_record(company_id, booked.record_id)
            except NotFound:
                pass  # gone already (a retried DELETE); the read-back decides
            except _UNCLEAR as error:
                unclear = error
            except YClientsError as error:
                raise _refused("cancel", error) from error
            after = self._reread(company_id, booked.record_id, "cancel", tz)
        if after is None or after.deleted:
            return
        if unclear is not None:
            raise _unknown("cancel", unclear) from unclear
        raise BookingError(f"cancel: record {booked.record_id} is still there")

    def confirm(self, company_id: int, booked: Booked) -> None:
        tz = self._tz_of(company_id)
        with self._counting():
            current = self._own(company_id, booked, "confirm")
            if current.deleted:
                raise BookingError(f"confirm: record {booked.record_id} was cancelled")
            if current.attendance == CONFIRMED:
                return
            if current.attendance != WAITING or current.visit_id is None:
                raise BookingError(f"confirm: record {booked.record_id} has attendance {current.attendance}")
            unclear: Exception | None = None
            try:
                self._client.set_attendance(current.visit_id, booked.record_id, CONFIRMED, current.comment)
            except _UNCLEAR as error:
                unclear = error
            except YClientsError as error:
                raise _refused("confirm", error) from error
            after = self._reread(company_id, booked.record_id, "confirm", tz)
        if after is not None and after.attendance == CONFIRMED:
            return
        if unclear is not None:
            raise _unknown("confirm", unclear) from unclear
        raise BookingError(
            f"confirm: record {booked.record_id} still reads attendance {after.attendance if after else '-'}"
        )
