"""The administrator's tools: every action and every fact the bot states goes through here.

Brains (an LLM or the offline one) choose tools and pass the client's own words; this code resolves
dates against the salon's clock, names against the catalogue, reads free times from the CRM, and
enforces the rules no prompt can be trusted with: only the sender's records, an explicit yes before a
cancel or a move, a booking read back before "записал", one record per turn however often it is
redelivered. Each result carries a ready Russian sentence (``say``) that is true by construction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError

from ai_admin.conversation import tool_args as args_
from ai_admin.conversation.brain import ToolResult, TurnContext
from ai_admin.conversation.model import Booked, OfferedSlot, PendingAction, ServiceInfo, StaffInfo
from ai_admin.conversation.ports import (
    BookingDesk,
    BookingError,
    BotChanges,
    CatalogueReader,
    HandoffLog,
    HandoffOutcome,
    HandoffRequest,
    OptOuts,
)
from ai_admin.conversation.replies import handoff_said
from ai_admin.domain.catalogue_matching import match_services, match_staff
from ai_admin.domain.client_answers import read_answer
from ai_admin.domain.day_parts import PartOfDay, TimeWindow
from ai_admin.domain.messages import ReplyButton
from ai_admin.domain.russian_dates import When, resolve_when
from ai_admin.domain.russian_format import at_moment, clock, day_month, minutes_text, on_day, rubles
from ai_admin.domain.russian_words import accusative, dative, genitive
from ai_admin.domain.slot_alternatives import Slot, SlotRequest, suggest_alternatives
from ai_admin.observability import logger

SEARCH_DAYS = 14
BOOKINGS_AHEAD_DAYS = 90
MAX_LISTED_TIMES = 6
CRM_UNAVAILABLE = (
    "Не получилось получить данные из системы салона: она сейчас не отвечает. "
    "Попробуйте, пожалуйста, через минуту или попросите передать вопрос администратору."
)
UNVERIFIED_PHONE = (
    "Показать, перенести или отменить записи на этот номер я могу, только когда вы пишете с него самого. "
    "Напишите нам с этого номера или попросите передать вопрос администратору. "
    "Записать вас на новое время могу и здесь."
)
YES_BUTTON = ReplyButton("answer_yes", "Да")
NO_BUTTON = ReplyButton("answer_no", "Нет")


class _Missing(Exception):
    """A tool cannot proceed without something the client has to say; ``say`` asks for it."""

    def __init__(self, say: str, **data: Any) -> None:
        super().__init__(say)
        self.say = say
        self.data = data


@dataclass
class SalonToolbox:
    ctx: TurnContext
    desk: BookingDesk
    schedules: CatalogueReader
    changes: BotChanges
    handoffs: HandoffLog
    opt_outs: OptOuts
    conversation_id: int
    turn_key: str
    calls: int = 0
    acted: list[str] = field(default_factory=list)
    last_result: ToolResult | None = None
    _free_cache: dict[tuple[int, date, tuple[int, ...]], list[datetime]] = field(default_factory=dict)
    _bookings: list[Booked] | None = None
    _stated: set[tuple[str, int | None]] = field(default_factory=set)

    # --- the Toolbox protocol -------------------------------------------------------------------

    def run(self, name: str, args: dict[str, Any]) -> ToolResult:
        self.calls += 1
        model = args_.TOOLS.get(name)
        if model is None:
            return ToolResult(False, {"error": f"unknown tool {name!r}; known: {', '.join(args_.TOOLS)}"})
        try:
            parsed = model.model_validate(args or {})
        except ValidationError as error:
            return ToolResult(False, {"error": error.errors(include_url=False, include_input=False).__repr__()})
        handler = getattr(self, f"_{name}")
        try:
            result: ToolResult = handler(parsed)
        except _Missing as missing:
            result = ToolResult(False, {"needs": missing.data or {"answer": True}}, missing.say)
        except BookingError as error:  # a CRM read the tool depends on (a change's failure is its own)
            logger.warning("a tool could not read the CRM", extra={"tool": name, "detail": str(error)[:200]})
            result = ToolResult(False, {"problem": "crm_unavailable"}, CRM_UNAVAILABLE)
        self.ctx.state.extra["last_tool"] = name
        result.final = bool(result.say)
        self.last_result = result
        return result

    # --- resolving the client's words -------------------------------------------------------------

    @property
    def _now(self) -> datetime:
        return self.ctx.now

    @property
    def _today(self) -> date:
        return self.ctx.now.date()

    def _services(self, text: str | None) -> list[ServiceInfo]:
        """The service(s) named; falls back to the one the dialog is about. Raises when unknown."""
        catalogue = self.ctx.catalogue
        state = self.ctx.state
        if text:
            found = match_services(text, catalogue.services)
            if found.unknown:
                if state.service_ids:
                    return [s for i in state.service_ids if (s := catalogue.service(i))]
                raise _Missing(
                    f"Услуги «{text}» у нас нет. Есть: {self._service_list()}.",
                    unknown_service=text,
                    services=[s.title for s in catalogue.services],
                )
            best = found.matches[0]
            chosen = [m.item for m in found.matches if m.score >= best.score - 1e-6]
            picked = [s for s in catalogue.services if s.id in {c.id for c in chosen[:1]}]
            state.service_ids = [picked[0].id]
            return picked
        if state.service_ids:
            return [s for i in state.service_ids if (s := catalogue.service(i))]
        raise _Missing(f"На какую услугу вас записать? Есть: {self._service_list()}.", needs="service")

    def _service_list(self, limit: int = 8) -> str:
        services = self.ctx.catalogue.services
        titles = [s.title for s in services[:limit]]
        more = len(services) - limit
        return ", ".join(titles) + (f" и ещё {more}" if more > 0 else "")

    def _staff_list(self, service_ids: Sequence[int] = ()) -> str:
        staff = self.ctx.catalogue.staff_for(list(service_ids)) if service_ids else list(self.ctx.catalogue.staff)
        return ", ".join(m.name for m in staff)

    def _staff(self, text: str | None, service_ids: Sequence[int]) -> StaffInfo | None:
        catalogue = self.ctx.catalogue
        state = self.ctx.state
        if text:
            if any(word in text.lower() for word in ("любой", "любому", "любая", "неважно", "все равно", "всё равно")):
                state.staff_id = None
                return None
            found = match_staff(text, catalogue.staff)
            if found.unknown:
                raise _Missing(
                    f"Мастера «{text}» у нас нет. У нас работают: {self._staff_list()}.",
                    unknown_staff=text,
                    staff=[m.name for m in catalogue.staff],
                )
            member = catalogue.member(found.matches[0].item.id)
            assert member is not None
            state.staff_id = member.id
        else:
            member = catalogue.member(state.staff_id) if state.staff_id else None
        if member is not None and service_ids and not set(service_ids) <= member.service_ids:
            titles = ", ".join(s.title for i in service_ids if (s := catalogue.service(i)))
            raise _Missing(
                f"{member.name} не выполняет услугу «{titles}». Её делают: {self._staff_list(service_ids)}.",
                staff_cannot=member.name,
            )
        return member

    def _when(self, text: str | None) -> When:
        """The day/time asked; a bare time keeps the day the dialog is about."""
        state = self.ctx.state
        hours = self.ctx.catalogue.salon.hours
        when = resolve_when(text, self._now, hours=hours) if text else When()
        if when.date is None and (when.time is not None or when.part_of_day is not None) and state.day:
            when = When(
                date=state.day,
                time=when.time,
                part_of_day=when.part_of_day,
                window=when.window,
                ambiguities=when.ambiguities,
            )
        if when.date is None and when.time is not None and not state.day:
            today_at = datetime.combine(self._today, when.time, self.ctx.catalogue.salon.tz)
            day = self._today if today_at > self._now else self._today + timedelta(days=1)
            when = When(date=day, time=when.time, ambiguities=when.ambiguities)
        if when.date is not None:
            if when.date < self._today:
                raise _Missing(f"{day_month(when.date)} уже прошло. На какой день вас записать?", past_date=True)
            state.day = when.date
        if when.time is not None:
            state.time_of_day = when.time
        if when.part_of_day is not None:
            state.part_of_day = when.part_of_day.value
        return when

    # --- free times -----------------------------------------------------------------------------

    def _works(self, member: StaffInfo, day: date) -> bool:
        if day.weekday() in member.days_off:
            return False
        return self.schedules.working_hours(self.ctx.company_id, member.id, day) is not None

    def _free(self, member: StaffInfo, day: date, service_ids: Sequence[int]) -> list[datetime]:
        key = (member.id, day, tuple(service_ids))
        if key not in self._free_cache:
            if not self._works(member, day) or day < self._today:
                self._free_cache[key] = []
            else:
                starts = self.desk.free_starts(self.ctx.company_id, member.id, day, service_ids)
                self._free_cache[key] = sorted(s for s in starts if s > self._now)
        return self._free_cache[key]

    def _is_free(self, member: StaffInfo, start: datetime, service_ids: Sequence[int]) -> bool:
        return any(s == start for s in self._free(member, start.date(), service_ids))

    def _candidates(self, member: StaffInfo | None, service_ids: Sequence[int]) -> list[StaffInfo]:
        if member is not None:
            return [member]
        staff = self.ctx.catalogue.staff_for(list(service_ids))
        favourite = self.ctx.profile.favourite_staff_ids if self.ctx.profile else ()
        return sorted(staff, key=lambda m: (m.id not in favourite, favourite.index(m.id) if m.id in favourite else 0))

    def _alternatives(
        self, member: StaffInfo | None, day: date, at: time | None, service_ids: Sequence[int]
    ) -> list[OfferedSlot]:
        """1-3 genuinely free slots near the request: same master near that time, other masters then,
        the following days. CRM lookups stop as soon as three are found."""
        minutes = self.ctx.catalogue.minutes(service_ids)
        everyone = self.ctx.catalogue.staff_for(list(service_ids))
        if member is not None:
            everyone = [member] + [m for m in everyone if m.id != member.id]
        free: dict[int, dict[date, list[time]]] = {}
        for offset in range(SEARCH_DAYS):
            current = day + timedelta(days=offset)
            for other in everyone if offset == 0 else ([member] if member else everyone):
                times = [s.time() for s in self._free(other, current, service_ids)]
                if times:
                    free.setdefault(other.id, {})[current] = times
            request = SlotRequest(day=day, start=at, staff_id=member.id if member else None)
            found = suggest_alternatives(request, free, service_minutes=minutes or 60)
            if len(found) >= 3 or (offset >= 1 and found):
                return [self._offered(slot) for slot in found]
        request = SlotRequest(day=day, start=at, staff_id=member.id if member else None)
        return [self._offered(slot) for slot in suggest_alternatives(request, free, service_minutes=minutes or 60)]

    def _offered(self, slot: Slot) -> OfferedSlot:
        tz = self.ctx.catalogue.salon.tz
        return OfferedSlot(staff_id=slot.staff_id, start=datetime.combine(slot.day, slot.start, tz))

    def _describe_slots(self, slots: list[OfferedSlot], *, named_staff: StaffInfo | None) -> str:
        """ "завтра, 11 марта, в 14:00 или 16:00; в четверг, 12 марта, в 15:00 у Бари"."""
        groups: dict[tuple[date, int], list[datetime]] = {}
        tz = self.ctx.catalogue.salon.tz
        for slot in sorted(slots, key=lambda s: s.start):
            local = slot.start.astimezone(tz)
            groups.setdefault((local.date(), slot.staff_id), []).append(local)
        parts = []
        for (day, staff_id), starts in groups.items():
            member = self.ctx.catalogue.member(staff_id)
            named = named_staff is not None and member is not None and member.id == named_staff.id
            who = "" if member is None or named else f" у {genitive(member.name)}"
            times = _either([clock(s) for s in starts])
            parts.append(f"{on_day(day, self._today)}, в {times}{who}")
        return "; ".join(parts)

    def _remember_offer(self, slots: list[OfferedSlot]) -> None:
        self.ctx.state.offered = slots

    # --- tools ----------------------------------------------------------------------------------

    def _search_slots(self, a: args_.SearchSlots) -> ToolResult:
        services = self._services(a.service)
        service_ids = [s.id for s in services]
        member = self._staff(a.staff, service_ids)
        when = self._when(a.when)
        day = when.date or self.ctx.state.day
        if day is None:
            return self._first_free_days(services, member)
        if when.time is not None:
            start = datetime.combine(day, when.time, self.ctx.catalogue.salon.tz)
            for candidate in self._candidates(member, service_ids):
                if self._is_free(candidate, start, service_ids):
                    slot = OfferedSlot(staff_id=candidate.id, start=start)
                    self._remember_offer([slot])
                    return ToolResult(
                        True,
                        {"free": True, "start": start.isoformat(), "staff": candidate.name},
                        f"{at_moment(start, self._today).capitalize()} у {genitive(candidate.name)} есть время. "
                        f"Записать вас {self._what(services, candidate)}?",
                        [YES_BUTTON, NO_BUTTON],
                    )
            return self._taken(member, day, when.time, services)
        return self._day_times(member, day, when, services)

    def _what(self, services: Sequence[ServiceInfo], member: StaffInfo | None) -> str:
        titles = " + ".join(accusative(s.title).lower() for s in services)
        return f"на {titles}" + (f" к {dative(member.name)}" if member else "")

    def _taken(self, member: StaffInfo | None, day: date, at: time, services: Sequence[ServiceInfo]) -> ToolResult:
        service_ids = [s.id for s in services]
        slots = self._alternatives(member, day, at, service_ids)
        self._remember_offer(slots)
        if member is not None and not self._works(member, day):
            lead = f"{member.name} {on_day(day, self._today).split(',')[0]} не работает."
        elif member is not None:
            lead = f"{on_day(day, self._today).capitalize()} в {clock(at)} у {genitive(member.name)} занято."
        else:
            lead = f"{on_day(day, self._today).capitalize()} в {clock(at)} свободных мастеров нет."
        data = {"free": False, "alternatives": [self._slot_data(s) for s in slots]}
        if not slots:
            return ToolResult(
                True, data, f"{lead} В ближайшие две недели свободного времени нет — передать администратору?"
            )
        return ToolResult(
            True,
            data,
            f"{lead} Могу предложить: {self._describe_slots(slots, named_staff=member)}. Какое время удобно?",
        )

    def _slot_data(self, slot: OfferedSlot) -> dict[str, Any]:
        member = self.ctx.catalogue.member(slot.staff_id)
        return {"start": slot.start.isoformat(), "staff": member.name if member else slot.staff_id}

    def _day_times(
        self, member: StaffInfo | None, day: date, when: When, services: Sequence[ServiceInfo]
    ) -> ToolResult:
        service_ids = [s.id for s in services]
        window = when.window or (when.part_of_day.window if when.part_of_day else TimeWindow())
        lines: list[str] = []
        offered: list[OfferedSlot] = []
        shown_by = member
        for candidate in self._candidates(member, service_ids):
            times = [s for s in self._free(candidate, day, service_ids) if s.time() in window]
            if not times:
                continue
            shown = _spread(times, MAX_LISTED_TIMES)
            offered += [OfferedSlot(staff_id=candidate.id, start=s) for s in shown]
            lines.append(f"{candidate.name}: " + ", ".join(clock(s) for s in shown))
            shown_by = candidate
        if not lines:
            at = (
                when.time
                or (window.start if window.start else None)
                or self.ctx.catalogue.salon.hours.start
                or time(12)
            )
            return self._taken(member, day, at, services)
        self._remember_offer(offered)
        if len(lines) == 1:
            member = shown_by
            lines = [lines[0].split(": ", 1)[1]]
        where = f" у {genitive(member.name)}" if member else ""
        part = f" {PART_OF_DAY_WORDS[when.part_of_day]}" if when.part_of_day else ""
        text = (
            f"{on_day(day, self._today).capitalize()}{part}{where} свободно: "
            + "; ".join(lines)
            + ". Какое время вам удобно?"
        )
        return ToolResult(True, {"free_times": [self._slot_data(s) for s in offered]}, text)

    def _first_free_days(self, services: Sequence[ServiceInfo], member: StaffInfo | None) -> ToolResult:
        service_ids = [s.id for s in services]
        for offset in range(SEARCH_DAYS):
            day = self._today + timedelta(days=offset)
            if any(self._free(c, day, service_ids) for c in self._candidates(member, service_ids)):
                self.ctx.state.day = day
                return self._day_times(member, day, When(date=day), services)
        return ToolResult(
            True,
            {"free_times": []},
            "В ближайшие две недели свободного времени нет. Передать ваш запрос администратору?",
        )

    def _create_booking(self, a: args_.CreateBooking) -> ToolResult:
        state = self.ctx.state
        if self.turn_key in state.booked_turns:
            return self._already_booked(state.booked_turns[self.turn_key])
        services = self._services(a.service)
        service_ids = [s.id for s in services]
        member = self._staff(a.staff, service_ids)
        when = self._when(a.when)
        day = when.date or state.day
        at = when.time
        offered = self._offered_match(day, at, member)
        if offered is None and not a.when and len(state.offered) == 1:
            offered = state.offered[0]
        if offered is not None:
            member = self.ctx.catalogue.member(offered.staff_id)
            start = offered.start
        elif day is not None and at is not None:
            start = datetime.combine(day, at, self.ctx.catalogue.salon.tz)
        elif day is not None:
            return self._day_times(member, day, when, services)
        else:
            return self._first_free_days(services, member)
        chosen = next((c for c in self._candidates(member, service_ids) if self._is_free(c, start, service_ids)), None)
        if chosen is None:
            return self._taken(member, start.date(), start.time(), services)
        name = state.client_name or (self.ctx.profile.name if self.ctx.profile else None)
        if not name:
            state.pending = PendingAction(
                kind="book", staff_id=chosen.id, service_ids=service_ids, start=start, stated_at=self._now
            )
            raise _Missing(
                f"{at_moment(start, self._today).capitalize()} у {genitive(chosen.name)} свободно. "
                "Как вас зовут? Укажу имя в записи.",
                needs="name",
            )
        return self._book(chosen, service_ids, start, name)

    def _offered_match(self, day: date | None, at: time | None, member: StaffInfo | None) -> OfferedSlot | None:
        if at is None:
            return None
        for slot in self.ctx.state.offered:
            local = slot.start.astimezone(self.ctx.catalogue.salon.tz)
            if (
                local.time() == at
                and (day is None or local.date() == day)
                and (member is None or slot.staff_id == member.id)
            ):
                return slot
        return None

    def _book(self, member: StaffInfo, service_ids: list[int], start: datetime, name: str) -> ToolResult:
        state = self.ctx.state
        api_id = "ai-admin-" + hashlib.sha256(f"{self.conversation_id}:{self.turn_key}".encode()).hexdigest()[:24]
        try:
            booked = self.desk.book(
                self.ctx.company_id,
                phone=self.ctx.phone,
                name=name,
                staff_id=member.id,
                service_ids=service_ids,
                start=start,
                api_id=api_id,
            )
        except BookingError as error:
            return self._booking_failed(error, member, service_ids, start)
        state.booked_turns[self.turn_key] = booked.record_id
        state.pending = None
        state.offered = []
        self._bookings = None
        self.changes.note(self.ctx.company_id, booked.record_id, "created", self._now)
        self.acted.append("created")
        return self._already_booked(booked.record_id, booked)

    def _already_booked(self, record_id: int, booked: Booked | None = None) -> ToolResult:
        if booked is None and self.ctx.phone_verified:
            booked = next((b for b in self._my_bookings() if b.record_id == record_id), None)
        if booked is None:
            return ToolResult(True, {"booked": True, "record_id": record_id}, "Запись уже создана.")
        return ToolResult(
            True, {"booked": True, "record_id": record_id}, "Готово! Записал вас " + self._booking_text(booked) + "."
        )

    def _booking_text(self, booked: Booked) -> str:
        return " ".join(self._booking_parts(booked))

    def _booking_parts(self, booked: Booked) -> tuple[str, str]:
        """("на мужскую стрижку к Сергею", "завтра, 11 марта, в 15:00")."""
        catalogue = self.ctx.catalogue
        services = [s for i in booked.service_ids if (s := catalogue.service(i))]
        member = catalogue.member(booked.staff_id)
        start = booked.start.astimezone(catalogue.salon.tz)
        return self._what(services, member), at_moment(start, self._today)

    def _booking_failed(
        self, error: BookingError, member: StaffInfo, service_ids: list[int], start: datetime
    ) -> ToolResult:
        logger.warning(
            "booking failed", extra={"slot_taken": error.slot_taken, "outcome_unknown": error.outcome_unknown}
        )
        if error.slot_taken:
            self._free_cache.clear()
            services = [s for i in service_ids if (s := self.ctx.catalogue.service(i))]
            result = self._taken(member, start.date(), start.time(), services)
            result.ok = False
            result.say = "Это время только что заняли. " + result.say.split(". ", 1)[-1]
            return result
        if error.outcome_unknown:
            outcome = self.hand_off("YClients не подтвердил запись: проверьте, создана ли она")
            return ToolResult(
                False,
                {"booked": "unknown", "handed_off": outcome.value},
                "Не удалось получить подтверждение записи от системы салона. "
                + handoff_said(outcome, self.ctx.catalogue.salon.phone),
            )
        return ToolResult(
            False,
            {"booked": False, "problem": "crm_unavailable"},
            "Не получилось записать: система салона сейчас не отвечает. Попробовать ещё раз через минуту "
            "или передать запрос администратору?",
        )

    # --- the client's own bookings --------------------------------------------------------------

    def _my_bookings(self) -> list[Booked]:
        if not self.ctx.phone_verified:  # the one gate to existing records: reading, cancel, move, confirm
            raise _Missing(UNVERIFIED_PHONE, unverified_phone=True)
        if self._bookings is None:
            found = self.desk.bookings_of(
                self.ctx.company_id, self.ctx.phone, self._today, self._today + timedelta(days=BOOKINGS_AHEAD_DAYS)
            )
            self._bookings = sorted(
                (b for b in found if b.phone == self.ctx.phone and not b.deleted and b.start > self._now),
                key=lambda b: b.start,
            )
        return self._bookings

    def _pick(self, record_id: int | None, hint: str | None) -> Booked:
        mine = self._my_bookings()
        if not mine:
            raise _Missing("У вас нет предстоящих записей. Хотите записаться?", no_bookings=True)
        if record_id is not None:
            found = next((b for b in mine if b.record_id == record_id), None)
            if found is None:
                raise _Missing("Такой записи среди ваших нет. " + self._list_text(mine), not_yours=record_id)
            return found
        if len(mine) == 1:
            return mine[0]
        pending = self.ctx.state.pending
        if (
            pending
            and pending.record_id
            and (chosen := next((b for b in mine if b.record_id == pending.record_id), None))
        ):
            return chosen
        if hint:
            when = resolve_when(hint, self._now, hours=self.ctx.catalogue.salon.hours)
            matching = [b for b in mine if when.date is None or b.start.date() == when.date]
            if when.time is not None:
                matching = [b for b in matching if b.start.time() == when.time] or matching
            if len(matching) == 1:
                return matching[0]
        raise _Missing("У вас несколько записей: " + self._list_text(mine) + " Какую именно?", choose=True)

    def _list_text(self, mine: list[Booked]) -> str:
        return "; ".join(self._booking_text(b) for b in mine) + "."

    def _list_my_bookings(self, _: args_.ListMyBookings) -> ToolResult:
        mine = self._my_bookings()
        if not mine:
            return ToolResult(True, {"bookings": []}, "У вас нет предстоящих записей. Хотите записаться?")
        data = [{"record_id": b.record_id, "start": b.start.isoformat()} for b in mine]
        if len(mine) == 1:
            return ToolResult(True, {"bookings": data}, "Вы записаны " + self._booking_text(mine[0]) + ".")
        return ToolResult(True, {"bookings": data}, "Ваши записи: " + self._list_text(mine))

    def _confirmed_now(self, kind: str, record_id: int) -> bool:
        """True when the bot stated this very action in an earlier turn and this turn says yes."""
        pending = self.ctx.state.pending
        return (
            pending is not None
            and pending.kind == kind
            and pending.record_id == record_id
            and (kind, record_id) not in self._stated
            and (read_answer(self.ctx.text) == "yes" or "answer_yes" in self.ctx.button_ids)
        )

    def _state_pending(self, action: PendingAction) -> None:
        """The bot states an action now; only a later turn's yes can carry it out."""
        self.ctx.state.pending = action
        self._stated.add((action.kind, action.record_id))

    def _cancel_booking(self, a: args_.CancelBooking) -> ToolResult:
        booked = self._pick(a.record_id, self.ctx.text)
        if self._confirmed_now("cancel", booked.record_id):
            # Noted first: a CRM webhook for this change may arrive before the call returns.
            self.changes.note(self.ctx.company_id, booked.record_id, "cancelled", self._now)
            try:
                self.desk.cancel(self.ctx.company_id, booked)
            except BookingError as error:
                return self._change_failed(error, "отменить")
            self.ctx.state.pending = None
            self._bookings = None
            self.acted.append("cancelled")
            return ToolResult(
                True, {"cancelled": booked.record_id}, "Готово, запись " + self._booking_text(booked) + " отменена."
            )
        self._state_pending(PendingAction(kind="cancel", record_id=booked.record_id, stated_at=self._now))
        return ToolResult(
            True,
            {"needs_confirmation": True, "record_id": booked.record_id},
            "Вы записаны " + self._booking_text(booked) + ". Отменить эту запись?",
            [YES_BUTTON, NO_BUTTON],
        )

    def _reschedule_booking(self, a: args_.RescheduleBooking) -> ToolResult:
        pending = self.ctx.state.pending
        record_id = a.record_id or (pending.record_id if pending and pending.kind == "move" else None)
        booked = self._pick(record_id, None if a.when else self.ctx.text)
        if pending and pending.kind == "move" and pending.start and self._confirmed_now("move", booked.record_id):
            staff_id = pending.staff_id or booked.staff_id
            try:
                self.changes.note(self.ctx.company_id, booked.record_id, "moved", self._now)
                moved = self.desk.move(self.ctx.company_id, booked, start=pending.start, staff_id=staff_id)
            except BookingError as error:
                if error.slot_taken:
                    self.ctx.state.pending = None
                return self._change_failed(error, "перенести")
            self.ctx.state.pending = None
            self._bookings = None
            self.acted.append("moved")
            return ToolResult(
                True,
                {"moved": booked.record_id},
                "Готово, перенёс: ваша запись {} теперь {}.".format(*self._booking_parts(moved)),
            )
        services = [s for i in booked.service_ids if (s := self.ctx.catalogue.service(i))]
        service_ids = list(booked.service_ids)
        self.ctx.state.service_ids = service_ids
        member = self._staff(a.staff, service_ids) if a.staff else self.ctx.catalogue.member(booked.staff_id)
        if not a.when:
            self._state_pending(PendingAction(kind="move", record_id=booked.record_id, stated_at=self._now))
            return ToolResult(
                False,
                {"needs": "when", "record_id": booked.record_id},
                "Вы записаны " + self._booking_text(booked) + ". На какой день и время перенести?",
            )
        self.ctx.state.day = None
        when = self._when(a.when)
        day = when.date or booked.start.date()
        # Until a free time is agreed, the next time the client names is for this move, not a new booking.
        self.ctx.state.pending = PendingAction(kind="move", record_id=booked.record_id, stated_at=self._now)
        if when.time is None:
            return self._day_times(member, day, when, services)
        start = datetime.combine(day, when.time, self.ctx.catalogue.salon.tz)
        chosen = next((c for c in self._candidates(member, service_ids) if self._is_free(c, start, service_ids)), None)
        if chosen is None:
            return self._taken(member, day, when.time, services)
        self._state_pending(
            PendingAction(
                kind="move",
                record_id=booked.record_id,
                staff_id=chosen.id,
                service_ids=service_ids,
                start=start,
                stated_at=self._now,
            )
        )
        return ToolResult(
            True,
            {"needs_confirmation": True, "record_id": booked.record_id, "new_start": start.isoformat()},
            f"Перенести вашу запись {self._booking_text(booked)} на новое время — {at_moment(start, self._today)}"
            + (f" к {dative(chosen.name)}" if chosen.id != booked.staff_id else "")
            + "?",
            [YES_BUTTON, NO_BUTTON],
        )

    def _change_failed(self, error: BookingError, verb: str) -> ToolResult:
        if error.slot_taken:
            return ToolResult(False, {"problem": "slot_taken"}, "Это время уже заняли. Подобрать другое?")
        return ToolResult(
            False,
            {"problem": "crm_unavailable"},
            f"Не получилось {verb} запись: система салона не ответила. Я передал запрос администратору.",
        )

    def _confirm_visit(self, a: args_.ConfirmVisit) -> ToolResult:
        booked = self._pick(a.record_id, None)
        self.changes.note(self.ctx.company_id, booked.record_id, "confirmed", self._now)
        try:
            self.desk.confirm(self.ctx.company_id, booked)
        except BookingError as error:
            return self._change_failed(error, "подтвердить")
        self.acted.append("confirmed")
        self.ctx.state.pending = None
        return ToolResult(
            True,
            {"confirmed": booked.record_id},
            "Спасибо, что подтвердили! Ждём вас "
            + at_moment(booked.start.astimezone(self.ctx.catalogue.salon.tz), self._today)
            + ".",
        )

    # --- facts ----------------------------------------------------------------------------------

    def _show_prices(self, a: args_.ShowPrices) -> ToolResult:
        catalogue = self.ctx.catalogue
        if a.service:
            found = match_services(a.service, catalogue.services)
            if not found.unknown:
                best = found.matches[0].score
                picked = [m.item for m in found.matches if m.score >= best - 0.25][:4]
                services = [s for s in catalogue.services if s.id in {p.id for p in picked}]
                self.ctx.state.service_ids = [services[0].id] if len(services) == 1 else self.ctx.state.service_ids
                lines = [f"{s.title} — {rubles(s.price, s.price_max)}" for s in services]
                return ToolResult(True, {"prices": lines}, "; ".join(lines) + ".")
            lead = f"Услуги «{a.service}» у нас нет. "
        else:
            lead = ""
        lines = [f"{s.title} — {rubles(s.price, s.price_max)}" for s in catalogue.services[:15]]
        return ToolResult(True, {"prices": lines}, lead + "Наши цены:\n" + "\n".join(lines))

    def _explain_service(self, a: args_.ExplainService) -> ToolResult:
        services = self._services(a.service)
        service = services[0]
        about = f" {service.description.strip()}" if service.description.strip() else ""
        who = self._staff_list([service.id])
        text = (
            f"{service.title}: {minutes_text(service.minutes)}, {rubles(service.price, service.price_max)}.{about}"
            + (f" Выполняют: {who}." if who else "")
        )
        return ToolResult(True, {"service": service.title}, text)

    def _staff_schedule(self, a: args_.StaffSchedule) -> ToolResult:
        member = self._staff(a.staff, [])
        when = self._when(a.when) if a.when else When()
        members = [member] if member else list(self.ctx.catalogue.staff)
        days = when.days() or [self._today + timedelta(days=n) for n in range(7)]
        lines = []
        for m in members:
            working = [d for d in days if self._works(m, d)]
            if when.date is not None and not working:
                lines.append(f"{m.name} {on_day(when.date, self._today).split(',')[0]} не работает")
            elif when.date is not None:
                hours = self.schedules.working_hours(self.ctx.company_id, m.id, when.date)
                span = f" с {clock(hours.start)} до {clock(hours.end)}" if hours and hours.start and hours.end else ""
                lines.append(f"{m.name} работает {on_day(when.date, self._today)}{span}")
            else:
                lines.append(
                    f"{m.name} работает: " + ", ".join(day_month(d) for d in working)
                    if working
                    else f"{m.name} в ближайшую неделю не работает"
                )
        return ToolResult(True, {"schedule": lines}, ". ".join(lines) + ".")

    def _save_client_name(self, a: args_.SaveClientName) -> ToolResult:
        self.ctx.state.client_name = a.name.strip().title()
        pending = self.ctx.state.pending
        if pending and pending.kind == "book" and pending.start and pending.staff_id:
            member = self.ctx.catalogue.member(pending.staff_id)
            if member is not None:
                if self._is_free(member, pending.start, pending.service_ids):
                    return self._book(member, list(pending.service_ids), pending.start, self.ctx.state.client_name)
                services = [s for i in pending.service_ids if (s := self.ctx.catalogue.service(i))]
                return self._taken(member, pending.start.date(), pending.start.time(), services)
        return ToolResult(
            True, {"name": self.ctx.state.client_name}, f"Приятно познакомиться, {self.ctx.state.client_name}!"
        )

    def _stop_reminders(self, _: args_.StopReminders) -> ToolResult:
        if not self.ctx.phone_verified:
            return ToolResult(False, {"unverified_phone": True}, UNVERIFIED_PHONE)
        self.opt_outs.opt_out(self.ctx.company_id, self.ctx.phone)
        self.acted.append("opted_out")
        return ToolResult(
            True,
            {"opted_out": True},
            "Хорошо, больше не буду присылать напоминания и уведомления. "
            "Записаться и задать вопрос можно здесь в любое время.",
        )

    def _hand_off_to_admin(self, a: args_.HandOffToAdmin) -> ToolResult:
        outcome = self.hand_off(a.reason or "клиент просит администратора")
        return ToolResult(
            outcome.reached_a_person,
            {"handed_off": outcome.value},
            handoff_said(outcome, self.ctx.catalogue.salon.phone),
        )

    def hand_off(self, reason: str) -> HandoffOutcome:
        """Pass the conversation to the salon's administrators; the outcome says whether anyone was told."""
        profile_name = self.ctx.profile.name if self.ctx.profile else None
        request = HandoffRequest(
            self.ctx.company_id,
            self.conversation_id,
            self.ctx.phone or None,
            self.ctx.state.client_name or profile_name,
            reason,
        )
        outcome = self.handoffs.hand_off(request)
        if outcome.reached_a_person:
            self.ctx.state.handed_off = True
            self.acted.append("handed_off")
        return outcome


def _either(items: list[str]) -> str:
    """ "13:30, 14:00 или 16:00"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " или " + items[-1]


def _spread(times: list[datetime], most: int) -> list[datetime]:
    """At most ``most`` times spread over the list (first and last kept), so a long day reads short."""
    if len(times) <= most:
        return times
    step = (len(times) - 1) / (most - 1)
    return [times[round(i * step)] for i in range(most)]


PART_OF_DAY_WORDS = {PartOfDay.MORNING: "утром", PartOfDay.AFTERNOON: "днём", PartOfDay.EVENING: "вечером"}
