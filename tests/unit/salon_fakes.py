"""In-memory implementations of the conversation ports, for offline dialog tests.

A tiny salon: staff work the salon's hours except their days off; a start is free when the whole
service fits before closing and overlaps no live record of that member.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ai_admin.conversation.ai_responder import AiResponder
from ai_admin.conversation.model import Booked, Catalogue, ClientProfile, MasterDay, SalonInfo, ServiceInfo, StaffInfo
from ai_admin.conversation.ports import BookingError, HandoffOutcome, HandoffRequest
from ai_admin.conversation.reader import Reader
from ai_admin.conversation.state import DialogState
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Understanding
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.messages import ClientRef, InboundMessage, InboundTurn, OutboundMessage

TZ = ZoneInfo("Europe/Moscow")


def salon() -> Catalogue:
    return Catalogue(
        salon=SalonInfo(company_id=1, title="Барбершоп Культура", address="ул. Лесная, 1"),
        services=(
            ServiceInfo(101, "Мужская стрижка", "Стрижки", 1500, 60),
            ServiceInfo(102, "Стрижка бороды", "Борода", 800, 30),
            ServiceInfo(103, "Детская стрижка", "Стрижки", 1000, 45),
        ),
        staff=(
            StaffInfo(201, "Сергей", service_ids=frozenset({101, 102, 103})),
            StaffInfo(202, "Бари", service_ids=frozenset({101}), days_off=frozenset({6, 0})),
        ),
    )


@dataclass
class MemorySalon:
    catalogue: Catalogue = field(default_factory=salon)
    records: dict[int, Booked] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, ClientProfile] = field(default_factory=dict)
    states: dict[int, DialogState] = field(default_factory=dict)
    notes: list[tuple[int, str]] = field(default_factory=list)
    handed_off: list[HandoffRequest] = field(default_factory=list)
    handoff_outcome: HandoffOutcome = HandoffOutcome.NOTIFIED
    fail_next_book: BookingError | None = None
    free_times_down: bool = False  # the CRM's free-times lookup fails (a 500 after its retries)
    opted_out: set[str] = field(default_factory=set)
    loose_phone_search: bool = False  # the CRM's client filter matches loosely: every phone's records come back
    requests: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(5001))

    # CatalogueReader
    def catalogue_of(self, company_id: int) -> Catalogue:
        return self.catalogue

    def working_hours(self, company_id: int, staff_id: int, day: date) -> TimeWindow | None:
        member = self.catalogue.member(staff_id)
        if member is None or day.weekday() in member.days_off:
            return None
        return self.catalogue.salon.hours

    # ClientProfiles
    def profile(self, company_id: int, phone: str) -> ClientProfile | None:
        return self.profiles.get(phone)

    # ContextStore
    def load(self, company_id: int, conversation_id: int) -> DialogState | None:
        state = self.states.get(conversation_id)
        return DialogState.model_validate_json(state.model_dump_json()) if state else None

    def save(self, company_id: int, conversation_id: int, state: DialogState) -> None:
        self.states[conversation_id] = DialogState.model_validate_json(state.model_dump_json())

    # BookingDesk
    def free_starts(self, company_id: int, staff_id: int, day: date, service_ids: Sequence[int]) -> list[datetime]:
        self.requests += 1
        if self.free_times_down:
            raise BookingError("free times: HTTP 500")
        hours = self.working_hours(company_id, staff_id, day)
        member = self.catalogue.member(staff_id)
        if hours is None or member is None or not set(service_ids) <= member.service_ids:
            return []
        length = timedelta(minutes=self.catalogue.minutes(service_ids))
        assert hours.start and hours.end
        start = datetime.combine(day, hours.start, TZ)
        close = datetime.combine(day, hours.end, TZ)
        free = []
        while start + length <= close:
            if not any(self._overlaps(r, start, length) for r in self.records.values() if r.staff_id == staff_id):
                free.append(start)
            start += timedelta(minutes=30)
        return free

    def master_day(self, company_id: int, staff_id: int, day: date) -> MasterDay:
        self.requests += 1
        if self.free_times_down:
            raise BookingError("schedule: HTTP 500")
        hours = self.working_hours(company_id, staff_id, day)
        if hours is None or hours.start is None or hours.end is None:
            return MasterDay()
        working = ((datetime.combine(day, hours.start, TZ), datetime.combine(day, hours.end, TZ)),)
        busy = tuple(
            (r.record_id, r.start, r.start + timedelta(minutes=self.catalogue.minutes(r.service_ids)))
            for r in self.records.values()
            if r.staff_id == staff_id and not r.deleted and r.start.date() == day
        )
        return MasterDay(working, busy)

    def _overlaps(self, record: Booked, start: datetime, length: timedelta) -> bool:
        if record.deleted:
            return False
        end = record.start + timedelta(minutes=self.catalogue.minutes(record.service_ids))
        return record.start < start + length and start < end

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
        self.requests += 1
        if self.fail_next_book is not None:
            error, self.fail_next_book = self.fail_next_book, None
            raise error
        if start not in self.free_starts(company_id, staff_id, start.date(), service_ids):
            raise BookingError("slot taken", slot_taken=True)
        record = Booked(next(self._ids), staff_id, tuple(service_ids), start, phone)
        self.records[record.record_id] = record
        self.names[phone] = name
        return record

    def bookings_of(self, company_id: int, phone: str, start: date, end: date) -> list[Booked]:
        self.requests += 1
        return [
            r
            for r in self.records.values()
            if (self.loose_phone_search or r.phone == phone) and not r.deleted and start <= r.start.date() <= end
        ]

    def move(self, company_id: int, booked: Booked, *, start: datetime, staff_id: int) -> Booked:
        self.requests += 1
        moved = Booked(booked.record_id, staff_id, booked.service_ids, start, booked.phone)
        self.records[booked.record_id] = moved
        return moved

    def add_services(
        self, company_id: int, booked: Booked, *, services: Sequence[tuple[int, float | None]], minutes: int
    ) -> Booked:
        self.requests += 1
        grown = replace(booked, service_ids=(*booked.service_ids, *(i for i, _ in services)))
        length = timedelta(minutes=self.catalogue.minutes(grown.service_ids))
        others = [r for r in self.records.values() if r.staff_id == booked.staff_id and r.record_id != booked.record_id]
        if any(self._overlaps(r, booked.start, length) for r in others):
            raise BookingError("add services: the master is busy", slot_taken=True)
        self.records[booked.record_id] = grown
        return grown

    def cancel(self, company_id: int, booked: Booked) -> None:
        self.requests += 1
        self.records[booked.record_id] = Booked(
            booked.record_id, booked.staff_id, booked.service_ids, booked.start, booked.phone, deleted=True
        )

    def confirm(self, company_id: int, booked: Booked) -> None:
        self.requests += 1
        record = self.records[booked.record_id]
        self.records[booked.record_id] = Booked(
            record.record_id, record.staff_id, record.service_ids, record.start, record.phone, attendance=2
        )

    # BotChanges / HandoffLog
    def note(self, company_id: int, record_id: int, change: str, at: datetime) -> None:
        self.notes.append((record_id, change))

    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        self.handed_off.append(request)
        return self.handoff_outcome

    # OptOuts
    def opt_out(self, company_id: int, phone: str) -> None:
        self.opted_out.add(phone)

    def is_opted_out(self, company_id: int, phone: str) -> bool:
        return phone in self.opted_out

    def add_record(
        self, record_id: int, phone: str, staff_id: int, service_ids: tuple[int, ...], start: datetime
    ) -> None:
        self.records[record_id] = Booked(record_id, staff_id, service_ids, start, phone)


class _Catalogues:
    def __init__(self, memory: MemorySalon) -> None:
        self.memory = memory

    def catalogue(self, company_id: int) -> Catalogue:
        return self.memory.catalogue

    def working_hours(self, company_id: int, staff_id: int, day: date) -> TimeWindow | None:
        return self.memory.working_hours(company_id, staff_id, day)


@dataclass
class FrozenClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


class GivenReader:
    """A reader that hands the engine the ``Understanding`` a test gives for the next turn (engine
    tests state the meaning directly; the offline reader is tested on words elsewhere)."""

    name = "given"

    def __init__(self) -> None:
        self.next: Understanding | None = None
        self.seen: list[TurnContext] = []

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        self.seen.append(ctx)
        understood, self.next = self.next or Understanding(()), None
        return understood


def default_reader() -> Reader:
    from ai_admin.conversation.reader import OfflineLink, ReaderChain

    return ReaderChain([OfflineLink()])


@dataclass
class Dialog:
    """Plays client messages through the real responder, engine and tools with in-memory ports."""

    memory: MemorySalon
    clock: FrozenClock
    phone: str = "+79990000001"
    conversation_id: int = 1
    reader: Reader | None = None
    profile_name: str | None = None
    _seq: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.responder = AiResponder(
            clock=self.clock,
            catalogues=_Catalogues(self.memory),
            profiles=self.memory,
            contexts=self.memory,
            desk=self.memory,
            changes=self.memory,
            handoffs=self.memory,
            opt_outs=self.memory,
            reader=self.reader or default_reader(),
        )

    def say(self, *texts: str, button: str | None = None, meaning: Understanding | None = None) -> str:
        if meaning is not None:
            assert isinstance(self.responder.reader, GivenReader), "meaning= needs dialog(reader=GivenReader())"
            self.responder.reader.next = meaning
        messages = []
        for text in texts:
            n = next(self._seq)
            messages.append(InboundMessage(f"wamid.{n}", "text", 1_700_000_000 + n, text))
        if button:
            n = next(self._seq)
            messages.append(InboundMessage(f"wamid.{n}", "interactive", 1_700_000_000 + n, button, reply_id=button))
        turn = InboundTurn(
            1,
            self.conversation_id,
            ClientRef(self.phone[1:], wa_id=self.phone[1:], name=self.profile_name),
            self.phone,
            tuple(messages),
        )
        replies = self.responder.respond(turn)
        return "\n".join(_body(r) for r in replies)

    def redeliver(self, text: str, wamid: str = "wamid.redelivered") -> str:
        """The same message again, as SQS or Meta redeliver it (same id, so the same turn key)."""
        message = InboundMessage(wamid, "text", 1_700_000_000, text)
        turn = InboundTurn(
            1, self.conversation_id, ClientRef(self.phone[1:], wa_id=self.phone[1:]), self.phone, (message,)
        )
        return "\n".join(_body(r) for r in self.responder.respond(turn))

    def later(self, **delta: float) -> None:
        self.clock.moment += timedelta(**delta)


def _body(reply: OutboundMessage) -> str:
    return str(getattr(reply, "body", ""))


def dialog(now: str = "2026-03-10T12:00", **kwargs: Any) -> Dialog:
    memory = kwargs.pop("memory", None) or MemorySalon()
    return Dialog(memory, FrozenClock(datetime.fromisoformat(now).replace(tzinfo=TZ)), **kwargs)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


__all__ = ["Decimal", "MemorySalon", "at", "dialog", "time"]
