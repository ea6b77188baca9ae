"""The fake's salon: deterministic demo data, availability from schedules and records, scenario seeding."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from ai_admin.local.fake_yclients import ScenarioError, generate, state_from_scenario
from ai_admin.local.fake_yclients.state import SlotUnavailable

MSK = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 3, 10)


def fingerprint(seed: int) -> list[tuple[int, int, datetime, int | None, int, bool]]:
    state = generate(seed=seed, clients=300, today=TODAY)
    return [(r.id, r.staff_id, r.start, r.client_id, r.attendance, r.deleted) for r in state.records.values()]


def test_same_seed_same_salon_and_another_seed_differs() -> None:
    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)


def test_default_salon_is_a_realistic_barbershop() -> None:
    state = generate(seed=1, clients=1100, today=TODAY)
    assert len(state.staff) == 8 and 45 <= len(state.services) <= 55 and len(state.categories) >= 6
    assert len(state.clients) == 1100 and 3500 <= len(state.records) <= 4500
    assert len({c.phone for c in state.clients.values()}) == 1100
    kinds = {(r.attendance, r.deleted) for r in state.records.values()}
    assert {(1, False), (-1, False), (0, True), (2, False)} <= kinds
    assert state.goods and all(state.records[g.record_id].attendance == 1 for g in state.goods)
    starts = [r.start for r in state.records.values()]
    assert min(starts).date() <= TODAY - timedelta(days=700) and max(starts).date() > TODAY
    for member in state.staff.values():
        assert len(member.hours) == 5  # two days off a week
        by_day: dict[date, list[tuple[datetime, datetime]]] = {}
        for record in state.records.values():
            if record.staff_id == member.id:
                by_day.setdefault(record.start.date(), []).append((record.start, record.end))
        for spans in by_day.values():
            spans.sort()
            assert all(a[1] <= b[0] for a, b in pairwise(spans))  # no double booking


def test_more_clients_scale_everything() -> None:
    state = generate(seed=1, clients=4000, today=TODAY)
    assert len(state.staff) > 8 and len(state.records) > 12000 and len(state.goods) > 1000


SCENARIO = {
    "now": "2026-03-10T12:00",
    "salon": {
        "hours": {"open": "10:00", "close": "21:00"},
        "services": [{"id": 101, "title": "Стрижка", "price": 1500, "minutes": 60, "category": "Стрижки"}],
        "staff": [
            {"id": 201, "name": "Сергей", "services": [101]},
            {"id": 202, "name": "Бари", "days_off": ["tue"]},
        ],
        "records": [
            {
                "id": 9001,
                "phone": "+79990000002",
                "staff": 201,
                "services": [101],
                "start": "2026-03-10T15:00",
            }
        ],
    },
    "client": {
        "phone": "+79990000001",
        "name": "Анна",
        "history": [{"staff": 202, "services": [101], "start": "2026-02-10T18:00"}],
    },
}


def test_free_starts_respect_hours_records_and_the_clock() -> None:
    state = state_from_scenario(SCENARIO)
    starts = [f"{t:%H:%M}" for t in state.free_starts(201, TODAY, [101])]
    assert starts[0] == "12:15"  # the clock stands at 12:00
    assert "14:00" in starts and "14:15" not in starts and "15:00" not in starts and "16:00" in starts
    assert starts[-1] == "20:00"
    assert state.free_starts(202, TODAY, [101]) == []  # Tuesday off
    with pytest.raises(SlotUnavailable):
        state.create_record(201, [101], datetime(2026, 3, 10, 15, 30, tzinfo=MSK), None)


def test_changes_are_logged_for_assertions() -> None:
    state = state_from_scenario(SCENARIO)
    anna = state.client_by_phone("+79990000001")
    assert anna is not None and [r.attendance for r in state.records.values() if r.client_id == anna.id] == [1]
    created = state.create_record(201, [101], datetime(2026, 3, 11, 10, tzinfo=MSK), anna.id)
    state.move_record(9001, datetime(2026, 3, 11, 12, tzinfo=MSK))
    state.set_attendance(created.id, 2)
    state.cancel_record(9001)
    assert [r.id for r in state.records_created()] == [created.id]
    assert state.records_moved() == {9001: datetime(2026, 3, 11, 12, tzinfo=MSK)}
    assert state.records_confirmed() == [created.id] and state.records_cancelled() == [9001]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"salon": {"staff": []}}, "salon: 'services' is required"),
        ({"salon": {"services": [{"id": 1}], "staff": []}}, r"salon.services\[0\]: 'title' is required"),
        ({"salon": {"services": [], "staff": [{"id": 2, "name": "X", "services": [5]}]}}, "unknown services"),
        (
            {"salon": {"services": [], "staff": [{"id": 2, "name": "X", "days_off": ["xyz"]}]}},
            "unknown weekday",
        ),
        ({"salon": {"services": [], "staff": [], "hours": {"open": "ten", "close": "21:00"}}}, "not HH:MM"),
    ],
)
def test_a_broken_scenario_names_the_field(broken: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        state_from_scenario(broken)


def test_working_hours_are_in_the_salon_zone() -> None:
    state = state_from_scenario(SCENARIO)
    hours = state.working_hours(201, TODAY)
    assert hours == (datetime.combine(TODAY, time(10), MSK), datetime.combine(TODAY, time(21), MSK))


def test_weekday_hours_override_the_salon_hours_for_that_weekday() -> None:
    scenario = {
        **SCENARIO,
        "salon": {**SCENARIO["salon"], "weekday_hours": {"sun": {"open": "11:00", "close": "17:00"}}},
    }
    state = state_from_scenario(scenario)
    sunday = date(2026, 3, 15)
    assert state.working_hours(201, sunday) == (
        datetime.combine(sunday, time(11), MSK),
        datetime.combine(sunday, time(17), MSK),
    )
    assert [f"{t:%H:%M}" for t in state.free_starts(201, sunday, [101])][-1] == "16:00"
    assert state.working_hours(201, TODAY) == (
        datetime.combine(TODAY, time(10), MSK),
        datetime.combine(TODAY, time(21), MSK),
    )
    assert state.working_hours(202, date(2026, 3, 17)) is None  # a day off stays off
