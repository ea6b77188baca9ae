"""The moments the five-minute reminder schedule fires at, as the scenario runner replays them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ai_admin.bootstrap.reminders import ticks

MSK = ZoneInfo("Europe/Moscow")


def test_ticks_are_five_minute_marks_after_since_up_to_until() -> None:
    since = datetime(2026, 3, 10, 18, 58, 30, tzinfo=MSK)
    found = ticks(since, datetime(2026, 3, 10, 19, 10, tzinfo=MSK))
    assert [t.astimezone(MSK).strftime("%H:%M") for t in found] == ["19:00", "19:05", "19:10"]
    assert all(t.tzinfo is UTC for t in found)


def test_no_tick_when_the_clock_barely_moves_or_goes_back() -> None:
    since = datetime(2026, 3, 10, 19, 0, tzinfo=MSK)
    assert ticks(since, since) == []
    assert ticks(since, since + timedelta(minutes=4, seconds=59)) == []
    assert ticks(since, since - timedelta(hours=1)) == []


def test_a_day_long_wait_replays_every_run() -> None:
    since = datetime(2026, 3, 10, 12, 0, tzinfo=MSK)
    assert len(ticks(since, since + timedelta(days=1))) == 288
