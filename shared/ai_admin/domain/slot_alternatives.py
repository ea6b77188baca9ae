"""Free times to offer when the requested one is taken, and ways to present free times.

Input is what the CRM's free-times lookup returns per staff member and day: start times at which the
service already fits. Nothing here invents a time: every suggestion comes from that set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

from ai_admin.domain.day_parts import PartOfDay

FreeTimes = Mapping[int, Mapping[date, Iterable[time]]]
"""staff id -> day -> free start times."""


@dataclass(frozen=True)
class Slot:
    staff_id: int
    day: date
    start: time


@dataclass(frozen=True)
class SlotRequest:
    """What the client asked for; ``start`` or ``staff_id`` may be unknown."""

    day: date
    start: time | None = None
    staff_id: int | None = None


def suggest_alternatives(
    request: SlotRequest,
    free: FreeTimes,
    *,
    service_minutes: int,
    limit: int = 3,
    horizon_days: int = 14,
) -> list[Slot]:
    """Up to ``limit`` (at most 3) free slots to offer instead of the requested one.

    Order: the requested staff member on the requested day, nearest to the requested time; then
    other staff that day at (or nearest) that time; then the following days up to ``horizon_days``,
    earliest day first and the requested staff member first within a day. The requested time itself
    (for the requested staff member, or for anyone when none was named) is never offered, nor one
    start time twice. Suggestions on one day are spread at least half a service apart when the free
    set allows it. The list is empty only when the horizon holds no other free slot.
    """
    limit = max(0, min(limit, 3))
    ranked = sorted(_candidates(request, free, horizon_days), key=lambda slot: _rank(request, slot))
    spacing = timedelta(minutes=service_minutes / 2)
    chosen: list[Slot] = []
    for strict in (True, False):
        for slot in ranked:
            if len(chosen) >= limit:
                break
            if slot in chosen or any(c.day == slot.day and c.start == slot.start for c in chosen):
                continue
            if strict and any(c.day == slot.day and _apart(c.start, slot.start) < spacing for c in chosen):
                continue
            chosen.append(slot)
    return sorted(chosen, key=lambda slot: _rank(request, slot))


def nearest(times: Iterable[time], target: time, count: int) -> list[time]:
    """The ``count`` free times closest to ``target``, closest first; the earlier one wins a tie."""
    unique = set(times)
    return sorted(unique, key=lambda moment: (_apart(moment, target), moment))[: max(count, 0)]


def group_by_part_of_day(times: Iterable[time]) -> dict[PartOfDay, list[time]]:
    """Free times by утро (< 12), день (12-18), вечер (18-24), each sorted; empty parts left out."""
    groups: dict[PartOfDay, list[time]] = {}
    for moment in sorted(set(times)):
        groups.setdefault(PartOfDay.of(moment), []).append(moment)
    return {part: groups[part] for part in PartOfDay if part in groups}


def _candidates(request: SlotRequest, free: FreeTimes, horizon_days: int) -> Iterable[Slot]:
    last_day = request.day + timedelta(days=horizon_days)
    for staff_id, days in free.items():
        for day, starts in days.items():
            if not request.day <= day <= last_day:
                continue
            for start in set(starts):
                taken = day == request.day and start == request.start
                if taken and request.staff_id in (None, staff_id):
                    continue
                yield Slot(staff_id, day, start)


def _rank(request: SlotRequest, slot: Slot) -> tuple[int, int, int, timedelta, time, int]:
    same_staff = request.staff_id is not None and slot.staff_id == request.staff_id
    distance = _apart(slot.start, request.start) if request.start else _since_midnight(slot.start)
    if slot.day == request.day:
        tier = 0 if same_staff else 1
        return (tier, 0, 0, distance, slot.start, slot.staff_id)
    return (2, (slot.day - request.day).days, 0 if same_staff else 1, distance, slot.start, slot.staff_id)


def _since_midnight(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)


def _apart(first: time, second: time) -> timedelta:
    return abs(_since_midnight(first) - _since_midnight(second))
