"""The local scheduler fires the template's schedules at the moments EventBridge Scheduler would."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ai_admin.local.schedules import LocalScheduler, Rule, ScheduleError, entries
from ai_admin.local.template import Function, Template

MSK = ZoneInfo("Europe/Moscow")
TEMPLATE = Template.load(Path(__file__).resolve().parents[2] / "template.yaml")


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0/15 * * * ? *)", "2026-03-10T12:07:30", "2026-03-10T12:15"),
        ("cron(0/15 * * * ? *)", "2026-03-10T12:15", "2026-03-10T12:30"),
        ("cron(0 */4 * * ? *)", "2026-03-10T13:00", "2026-03-10T16:00"),
        ("cron(0 3 * * ? *)", "2026-03-10T03:00", "2026-03-11T03:00"),
        ("cron(0 0 ? * SUN *)", "2026-03-10T12:00", "2026-03-15T00:00"),  # 10 March 2026 is a Tuesday
        ("cron(30 9 1 JAN-MAR ? *)", "2026-03-10T12:00", "2027-01-01T09:30"),
    ],
)
def test_cron_expressions_fire_on_the_salon_clock(expression: str, after: str, expected: str) -> None:
    rule = Rule.parse(expression, "Europe/Moscow")
    assert rule.next_after(msk(after)) == msk(expected)


def test_rates_fire_on_multiples_of_the_period_since_the_epoch() -> None:
    rule = Rule.parse("rate(5 minutes)", "Europe/Moscow")
    after = datetime(2026, 3, 10, 9, 7, 1, tzinfo=UTC)
    assert rule.next_after(after) == datetime(2026, 3, 10, 9, 10, tzinfo=UTC)
    assert Rule.parse("rate(1 hour)").next_after(after) == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "expression", ["cron(0 12 * * ?)", "cron(61 * * * ? *)", "every 5 minutes", "rate(5 weeks)", "cron(0 x * * ? *)"]
)
def test_malformed_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleError):
        Rule.parse(expression)


def test_every_schedule_of_the_template_is_understood() -> None:
    labels = {e.label: e.rule for e in entries(TEMPLATE)}
    assert "SyncPlannerFunction.Bookings" in labels and "ReminderFunction.EveryFiveMinutes" in labels
    assert len(labels) == sum(len(f.schedules) for f in TEMPLATE.functions().values())


def test_due_schedules_fire_once_each_with_their_input_even_across_a_long_gap() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def resolve(function: Function) -> Any:
        return lambda event, context: calls.append((function.logical_id, event))

    scheduler = LocalScheduler(TEMPLATE, resolve)
    fired = scheduler.fire_due(msk("2026-03-10T12:01"), msk("2026-03-10T19:31"))  # 7.5 h of a laptop asleep
    assert sorted(e.label for e in fired) == [
        "ReminderFunction.EveryFiveMinutes",
        "SyncPlannerFunction.Bookings",
        "SyncPlannerFunction.Schedules",
    ]
    assert ("SyncPlannerFunction", {"job": "bookings"}) in calls and ("ReminderFunction", {"job": "reminders"}) in calls
    assert len(calls) == 3
    calls.clear()
    assert scheduler.fire_due(msk("2026-03-10T19:31"), msk("2026-03-10T19:32")) == []
    assert [e.label for e in scheduler.fire_due(msk("2026-03-10T19:32"), msk("2026-03-10T19:35"))] == [
        "ReminderFunction.EveryFiveMinutes"
    ]


def test_a_failing_job_does_not_stop_the_others() -> None:
    ran: list[str] = []

    def resolve(function: Function) -> Any:
        def handler(event: dict[str, Any], context: Any) -> None:
            ran.append(function.logical_id)
            if function.logical_id == "SyncPlannerFunction":
                raise RuntimeError("planner down")

        return handler

    scheduler = LocalScheduler(TEMPLATE, resolve)
    scheduler.fire_due(msk("2026-03-10T12:14"), msk("2026-03-10T12:15"))
    assert sorted(ran) == ["ReminderFunction", "SyncPlannerFunction"]


def test_the_thread_follows_the_clock_and_stops() -> None:
    moments = iter(
        [msk("2026-03-10T12:04:59"), *(msk("2026-03-10T12:05:00") + timedelta(seconds=i) for i in range(99))]
    )
    ran: list[str] = []
    scheduler = LocalScheduler(TEMPLATE, lambda f: lambda e, c: ran.append(f.logical_id), now=lambda: next(moments))
    scheduler.start()
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while not ran and datetime.now(UTC) < deadline:
        time.sleep(0.01)
    scheduler.stop()
    assert ran[:1] == ["ReminderFunction"]
