"""Free times, read from the CRM at most once per master, day and service set in a turn.

Every time the bot offers comes from here, and here only from the CRM's own free-times lookup, so an
offered time is always bookable as of this turn. A requested moment is judged in the order a client
would understand: already past, outside working hours (the salon's or the master's), free, taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum

from ai_admin.conversation.model import Booked, Catalogue, MasterDay, StaffInfo
from ai_admin.conversation.ports import BookingDesk, CatalogueReader
from ai_admin.conversation.state import OfferedSlot
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.slot_alternatives import Slot, SlotRequest, suggest_alternatives

SEARCH_DAYS = 14
MOST_SHOWN = 6
GRID = timedelta(minutes=15)  # the step at which a moved booking's own time is tried again


class Verdict(Enum):
    FREE = "free"
    TAKEN = "taken"
    PAST = "past"
    CLOSED = "closed"  # outside the hours of the salon (or the master) that day
    DAY_OFF = "day_off"  # the master named does not work that day
    SALON_CLOSED = "salon_closed"  # nobody works that day


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    staff_id: int | None = None  # who is free, for FREE
    hours: TimeWindow | None = None  # the hours that day, for CLOSED


@dataclass
class Calendar:
    company_id: int
    catalogue: Catalogue
    desk: BookingDesk
    schedules: CatalogueReader
    now: datetime
    requests: int = 0
    moving: Booked | None = None  # a booking being moved: its own time counts as free for its master
    _free: dict[tuple[int, date, tuple[int, ...]], list[datetime]] = field(default_factory=dict)
    _days: dict[tuple[int, date], MasterDay] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.date()

    # --- who works when -------------------------------------------------------------------------

    def hours(self, member: StaffInfo, day: date) -> TimeWindow | None:
        if day.weekday() in member.days_off:
            return None
        return self.schedules.working_hours(self.company_id, member.id, day)

    def salon_hours(self, day: date, staff: Sequence[StaffInfo] | None = None) -> TimeWindow | None:
        """The span anyone (of ``staff``, default everyone) works that day; None when nobody does."""
        windows = [w for m in (staff if staff is not None else self.catalogue.staff) if (w := self.hours(m, day))]
        if not windows:
            return None
        starts = [w.start for w in windows if w.start is not None]
        ends = [w.end for w in windows if w.end is not None]
        return TimeWindow(min(starts) if starts else None, max(ends) if ends else None)

    def candidates(
        self,
        service_ids: Sequence[int],
        staff_id: int | None = None,
        excluded: Sequence[int] = (),
        favourites: Sequence[int] = (),
    ) -> list[StaffInfo]:
        """Who can do every service asked: the named master alone, else everyone but the excluded,
        the client's favourites first."""
        if staff_id is not None:
            member = self.catalogue.member(staff_id)
            return [member] if member is not None else []
        able = [m for m in self.catalogue.staff_for(list(service_ids)) if m.id not in set(excluded)]
        rank = {staff: n for n, staff in enumerate(favourites)}
        return sorted(able, key=lambda m: rank.get(m.id, len(rank)))

    # --- free times -----------------------------------------------------------------------------

    def free(self, member: StaffInfo, day: date, service_ids: Sequence[int]) -> list[datetime]:
        free = self._crm_free(member, day, service_ids)
        own = self.moving
        if own is not None and own.staff_id == member.id and own.start.date() == day:
            return self._with_own_time(member, free, own, service_ids)
        return free

    def _crm_free(self, member: StaffInfo, day: date, service_ids: Sequence[int]) -> list[datetime]:
        key = (member.id, day, tuple(sorted(service_ids)))
        if key not in self._free:
            if day < self.today or self.hours(member, day) is None:
                self._free[key] = []
            else:
                self.requests += 1
                starts = self.desk.free_starts(self.company_id, member.id, day, list(service_ids))
                self._free[key] = sorted(s for s in starts if s > self.now)
        return self._free[key]

    def _with_own_time(
        self, member: StaffInfo, free: list[datetime], own: Booked, service_ids: Sequence[int]
    ) -> list[datetime]:
        """The CRM's free times count the booking being moved as busy; a start is free for it when the whole
        visit lies in the master's working time and clear of every other entry of their day, as the CRM's
        schedule (with its busy intervals) has it now ("на полчаса раньше", "на час позже")."""
        length = timedelta(minutes=self.catalogue.minutes(service_ids) or 60)
        own_end = own.start + timedelta(minutes=self.catalogue.minutes(own.service_ids) or 60)
        day = self.master_day(member, own.start.date())
        found = set(free)
        start = own.start - length + GRID
        while start < own_end:
            if start > self.now and start != own.start and day.fits(start, start + length, ignoring=own.record_id):
                found.add(start)
            start += GRID
        return sorted(found)

    def master_day(self, member: StaffInfo, day: date) -> MasterDay:
        """The master's day as the CRM's schedule has it (working spans and busy intervals), once a turn."""
        key = (member.id, day)
        if key not in self._days:
            self.requests += 1
            self._days[key] = self.desk.master_day(self.company_id, member.id, day)
        return self._days[key]

    def forget(self) -> None:
        """After a refused booking: the CRM knows better than this turn's copy."""
        self._free.clear()
        self._days.clear()

    def judge(self, start: datetime, service_ids: Sequence[int], staff: Sequence[StaffInfo], named: bool) -> Judgement:
        if start <= self.now:
            return Judgement(Verdict.PAST)
        day = start.date()
        hours = self.salon_hours(day, staff) if staff else None
        if hours is None:
            return Judgement(Verdict.DAY_OFF if named else Verdict.SALON_CLOSED)
        length = timedelta(minutes=self.catalogue.minutes(service_ids) or 60)
        opens = hours.start or time.min
        closes = datetime.combine(day, hours.end, start.tzinfo) if hours.end else None
        if start.time() < opens or (closes is not None and start + length > closes):
            return Judgement(Verdict.CLOSED, hours=hours)
        for member in staff:
            if start in self.free(member, day, service_ids):
                return Judgement(Verdict.FREE, staff_id=member.id)
        return Judgement(Verdict.TAKEN)

    def slots_on(
        self, staff: Sequence[StaffInfo], day: date, service_ids: Sequence[int], window: TimeWindow | None = None
    ) -> list[OfferedSlot]:
        """Every free (master, start) that day inside ``window``, by start, then by the order of ``staff``."""
        found = [
            OfferedSlot(staff_id=member.id, start=start)
            for order, member in enumerate(staff)
            for start in self.free(member, day, service_ids)
            if window is None or start.time() in window
        ]
        order = {member.id: n for n, member in enumerate(staff)}
        return sorted(found, key=lambda s: (s.start, order[s.staff_id]))

    def first_day_with_slots(
        self,
        staff: Sequence[StaffInfo],
        service_ids: Sequence[int],
        start: date,
        window: TimeWindow | None = None,
        days: int = SEARCH_DAYS,
    ) -> tuple[date, list[OfferedSlot]] | None:
        for offset in range(days):
            day = start + timedelta(days=offset)
            slots = self.slots_on(staff, day, service_ids, window)
            if slots:
                return day, slots
        return None

    def alternatives(
        self,
        staff: Sequence[StaffInfo],
        day: date,
        at: time | None,
        service_ids: Sequence[int],
        *,
        named: StaffInfo | None,
        others: Sequence[StaffInfo] = (),
    ) -> list[OfferedSlot]:
        """1-3 genuinely free slots near the request: the named master near that time, then other able
        masters (``others``) that day, then the following days. CRM lookups stop once three are found."""
        minutes = self.catalogue.minutes(service_ids) or 60
        first_day = [*staff, *(m for m in others if m.id not in {s.id for s in staff})]
        free: dict[int, dict[date, list[time]]] = {}
        request = SlotRequest(day=day, start=at, staff_id=named.id if named else None)
        found: list[Slot] = []
        for offset in range(SEARCH_DAYS):
            current = day + timedelta(days=offset)
            for member in first_day if offset == 0 else staff:
                times = [s.time() for s in self.free(member, current, service_ids)]
                if times:
                    free.setdefault(member.id, {})[current] = times
            found = suggest_alternatives(request, free, service_minutes=minutes)
            if len(found) >= 3 or (offset >= 1 and found):
                break
        tz = self.catalogue.salon.tz
        return [OfferedSlot(staff_id=s.staff_id, start=datetime.combine(s.day, s.start, tz)) for s in found]


def spread(slots: Sequence[OfferedSlot], most: int = MOST_SHOWN) -> list[OfferedSlot]:
    """At most ``most`` slots with distinct start times, spread over the list (the first and last
    kept), so a day of free times reads short; the first master listed for a time stands for it.
    When there are more than enough, times on the hour or half hour are preferred (10:00, 10:30
    read better than 10:15, 10:45)."""
    by_start: dict[datetime, OfferedSlot] = {}
    for slot in slots:
        by_start.setdefault(slot.start, slot)
    distinct = sorted(by_start.values(), key=lambda s: s.start)
    if len(distinct) <= most:
        return distinct
    round_ones = [s for s in distinct if s.start.minute in (0, 30)]
    if len(round_ones) >= most:
        distinct = round_ones
    step = (len(distinct) - 1) / (most - 1)
    return [distinct[round(i * step)] for i in range(most)]


def nearest_first(slots: Sequence[OfferedSlot], most: int = MOST_SHOWN) -> list[OfferedSlot]:
    """The ``most`` earliest distinct start times."""
    by_start: dict[datetime, OfferedSlot] = {}
    for slot in sorted(slots, key=lambda s: s.start):
        by_start.setdefault(slot.start, slot)
    return list(by_start.values())[:most]
