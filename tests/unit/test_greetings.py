from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ai_admin.domain.greetings import greeting_for, should_greet

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (4, 0, "Доброе утро"),
        (9, 30, "Доброе утро"),
        (11, 59, "Доброе утро"),
        (12, 0, "Добрый день"),
        (17, 59, "Добрый день"),
        (18, 0, "Добрый вечер"),
        (22, 59, "Добрый вечер"),
        (23, 0, "Доброй ночи"),
        (0, 30, "Доброй ночи"),
        (3, 59, "Доброй ночи"),
    ],
)
def test_greeting_by_salon_hour(hour: int, minute: int, expected: str) -> None:
    assert greeting_for(datetime(2026, 3, 10, hour, minute, tzinfo=MSK)) == expected


def test_greeting_uses_the_salon_zone_not_utc() -> None:
    # 07:30 UTC is 10:30 in Moscow
    assert greeting_for(datetime(2026, 3, 10, 7, 30, tzinfo=UTC), MSK) == "Доброе утро"
    assert greeting_for(datetime(2026, 3, 10, 15, 30, tzinfo=UTC), MSK) == "Добрый вечер"


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=MSK)
TTL = timedelta(hours=24)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (None, True),
        (NOW - timedelta(minutes=1), False),
        (NOW - timedelta(hours=23, minutes=59), False),
        (NOW - TTL, True),
        (NOW - timedelta(days=3), True),
        (NOW + timedelta(minutes=1), False),
        (datetime(2026, 3, 10, 8, 0, tzinfo=UTC), False),
    ],
)
def test_greet_only_in_the_first_message_of_a_conversation(last: datetime | None, expected: bool) -> None:
    assert should_greet(last, NOW, TTL) is expected
