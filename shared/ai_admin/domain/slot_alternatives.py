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


@dataclass(frozen=True, order=True)
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
    ranked = sorted((_rank(request, slot), slot) for slot in _candidates(request, free, horizon_days))
    spacing = service_minutes / 2
    chosen: list[tuple[tuple[int, ...], Slot]] = []
    offered: set[tuple[date, time]] = set()
    for strict in (True, False):
        for rank, slot in ranked:
            if len(chosen) >= limit:
                break
            if (slot.day, slot.start) in offered:
                continue
            if strict and any(c.day == slot.day and _apart(c.start, slot.start) < spacing for _, c in chosen):
                continue
            chosen.append((rank, slot))
            offered.add((slot.day, slot.start))
    return [slot for _, slot in sorted(chosen)]


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


def _rank(request: SlotRequest, slot: Slot) -> tuple[int, ...]:
    same_staff = request.staff_id is not None and slot.staff_id == request.staff_id
    start = _minutes(slot.start)
    distance = _apart(slot.start, request.start) if request.start else start
    if slot.day == request.day:
        return (0 if same_staff else 1, 0, 0, distance, start, slot.staff_id)
    return (2, (slot.day - request.day).days, 0 if same_staff else 1, distance, start, slot.staff_id)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _apart(first: time, second: time) -> int:
    return abs(_minutes(first) - _minutes(second))
