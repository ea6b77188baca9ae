from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ai_admin.domain.day_parts import PartOfDay
from ai_admin.domain.slot_alternatives import (
    FreeTimes,
    Slot,
    SlotRequest,
    group_by_part_of_day,
    nearest,
    suggest_alternatives,
)

DAY = date(2026, 3, 11)
NEXT = date(2026, 3, 12)
SERGEY, BARI, OLEG = 201, 202, 203


def t(raw: str) -> time:
    return time.fromisoformat(raw)


def times(*raw: str) -> list[time]:
    return [t(value) for value in raw]


def test_the_same_master_nearest_to_the_requested_time_comes_first() -> None:
    free: FreeTimes = {
        SERGEY: {DAY: times("11:00", "14:00", "16:00", "19:00")},
        BARI: {DAY: times("15:00")},
    }
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60)
    assert offered == [
        Slot(SERGEY, DAY, t("14:00")),
        Slot(SERGEY, DAY, t("16:00")),
        Slot(SERGEY, DAY, t("11:00")),
    ]


def test_then_another_master_at_the_requested_time() -> None:
    free: FreeTimes = {
        SERGEY: {DAY: times("19:00")},
        BARI: {DAY: times("13:00", "15:00")},
        OLEG: {DAY: times("15:00")},
    }
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60)
    assert offered == [
        Slot(SERGEY, DAY, t("19:00")),
        Slot(BARI, DAY, t("15:00")),
        Slot(BARI, DAY, t("13:00")),
    ]


def test_other_masters_at_the_requested_time_when_the_master_is_full_that_day() -> None:
    free: FreeTimes = {
        SERGEY: {NEXT: times("15:00")},
        BARI: {DAY: times("12:00", "15:30")},
        OLEG: {DAY: times("15:00")},
    }
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60)
    assert offered == [Slot(OLEG, DAY, t("15:00")), Slot(BARI, DAY, t("15:30")), Slot(BARI, DAY, t("12:00"))]


def test_the_next_days_when_the_requested_day_is_full() -> None:
    later = date(2026, 3, 14)
    free: FreeTimes = {
        SERGEY: {later: times("10:00", "15:00")},
        BARI: {NEXT: times("18:00"), later: times("15:00")},
    }
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60)
    assert offered == [
        Slot(BARI, NEXT, t("18:00")),
        Slot(SERGEY, later, t("15:00")),
        Slot(SERGEY, later, t("10:00")),
    ]


def test_suggestions_spread_out_when_the_free_set_allows() -> None:
    free: FreeTimes = {SERGEY: {DAY: times("15:15", "15:30", "15:45", "16:00", "13:00")}}
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60)
    assert [slot.start for slot in offered] == times("15:15", "15:45", "13:00")


def test_crowded_times_are_still_offered_when_nothing_else_is_free() -> None:
    free: FreeTimes = {SERGEY: {DAY: times("15:15", "15:30")}}
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60)
    assert [slot.start for slot in offered] == times("15:15", "15:30")


def test_without_a_named_master_one_start_time_is_offered_once() -> None:
    free: FreeTimes = {SERGEY: {DAY: times("14:00", "15:00")}, BARI: {DAY: times("14:00", "16:00")}}
    offered = suggest_alternatives(SlotRequest(DAY, t("15:00")), free, service_minutes=60)
    assert [slot.start for slot in offered] == times("14:00", "16:00")


def test_without_a_time_the_earliest_free_times_come_first() -> None:
    free: FreeTimes = {SERGEY: {DAY: times("18:00", "11:00", "13:00")}}
    offered = suggest_alternatives(SlotRequest(DAY, None, SERGEY), free, service_minutes=30)
    assert [slot.start for slot in offered] == times("11:00", "13:00", "18:00")


def test_days_before_the_request_and_past_the_horizon_are_ignored() -> None:
    free: FreeTimes = {SERGEY: {DAY - timedelta(days=1): times("15:00"), DAY + timedelta(days=30): times("15:00")}}
    assert suggest_alternatives(SlotRequest(DAY, t("15:00"), SERGEY), free, service_minutes=60) == []


def test_nearest_and_part_of_day_groups() -> None:
    free = times("09:00", "11:30", "12:00", "17:59", "18:00", "21:30", "12:00")
    assert nearest(free, t("12:10"), 3) == times("12:00", "11:30", "09:00")
    assert nearest(free, t("15:00"), 0) == []
    assert group_by_part_of_day(free) == {
        PartOfDay.MORNING: times("09:00", "11:30"),
        PartOfDay.AFTERNOON: times("12:00", "17:59"),
        PartOfDay.EVENING: times("18:00", "21:30"),
    }
    assert group_by_part_of_day(times("19:00")) == {PartOfDay.EVENING: times("19:00")}


# --- properties ---------------------------------------------------------------------------------

STAFF_IDS = st.sampled_from([SERGEY, BARI, OLEG])
DAYS = st.integers(min_value=0, max_value=20).map(lambda offset: DAY + timedelta(days=offset))
QUARTERS = st.integers(min_value=9 * 4, max_value=21 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))
FREE = st.dictionaries(STAFF_IDS, st.dictionaries(DAYS, st.lists(QUARTERS, max_size=12), max_size=6), max_size=3)
REQUEST = st.builds(SlotRequest, DAYS, st.one_of(st.none(), QUARTERS), st.one_of(st.none(), STAFF_IDS))


def _all_free(free: FreeTimes) -> set[Slot]:
    return {Slot(staff, day, start) for staff, days in free.items() for day, starts in days.items() for start in starts}


@settings(max_examples=400, deadline=None)
@given(REQUEST, FREE, st.sampled_from([15, 30, 45, 60, 90, 120]))
def test_alternatives_are_genuinely_free(request: SlotRequest, free: FreeTimes, minutes: int) -> None:
    offered = suggest_alternatives(request, free, service_minutes=minutes)
    everything = _all_free(free)
    in_horizon = {
        slot
        for slot in everything
        if request.day <= slot.day <= request.day + timedelta(days=14)
        and not (slot.day == request.day and slot.start == request.start and request.staff_id in (None, slot.staff_id))
    }
    assert len(offered) <= 3
    assert len(set(offered)) == len(offered)
    assert set(offered) <= everything
    for slot in offered:
        taken = slot.day == request.day and slot.start == request.start
        assert not (taken and request.staff_id in (None, slot.staff_id))
    if in_horizon:
        assert offered
        assert len(offered) == min(3, len({(s.day, s.start) for s in in_horizon}))
    else:
        assert offered == []


@settings(max_examples=200, deadline=None)
@given(REQUEST, FREE)
def test_the_requested_master_on_the_requested_day_always_comes_first(request: SlotRequest, free: FreeTimes) -> None:
    offered = suggest_alternatives(request, free, service_minutes=60)
    same = [s for s in offered if s.day == request.day and s.staff_id == request.staff_id]
    assert offered[: len(same)] == same
    days = [slot.day for slot in offered]
    assert days == sorted(days)
