from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ai_admin.yclients import parsing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5), ("16", 16), (" 7 ", 7), (3.0, 3), ("12.0", 12), (True, 1), ("-1", -1)],
)
def test_ids(raw: object, expected: int) -> None:
    assert parsing.parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["abc", 1.5, None, [], "1e3"])
def test_bad_ids(raw: object) -> None:
    with pytest.raises(ValueError, match="not an integer"):
        parsing.parse_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1000.00", Decimal("1000.00")), (100.77, Decimal("100.77")), (5, Decimal(5)), ("", Decimal(0)),
     (None, Decimal(0)), ("1,5", Decimal("1.5")), ([], Decimal(0))],
)  # fmt: skip
def test_money(raw: object, expected: Decimal) -> None:
    assert parsing.parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["free", True, "NaN", {"a": 1}])
def test_bad_money(raw: object) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parsing.parse_money(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(79161234567, "+79161234567"), ("79161234567", "+79161234567"), ("+7 916 123-45-67", "+79161234567"),
     ("89161234567", "+79161234567"), ("", None), (0, None), (None, None), ("12", None)],
)  # fmt: skip
def test_phones(raw: object, expected: str | None) -> None:
    assert parsing.parse_phone(raw) == expected


MSK = timezone(timedelta(hours=3))
NINE = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-01-16T16:00:00+09:00", datetime(2019, 1, 16, 16, tzinfo=NINE)),
        ("2019-01-16T20:35:11+0900", datetime(2019, 1, 16, 20, 35, 11, tzinfo=NINE)),
        ("2026-03-11T10:00:00.000+03:00", datetime(2026, 3, 11, 10, tzinfo=MSK)),
        ("2019-01-16 16:00:00", datetime(2019, 1, 16, 16)),
        (1443513600, datetime(2015, 9, 29, 8, tzinfo=UTC)),
        ("1443513600", datetime(2015, 9, 29, 8, tzinfo=UTC)),
        ("31.12.2025", datetime(2025, 12, 31)),
        (0, None), ("", None), (None, None), ("0000-00-00 00:00:00", None),
    ],
)  # fmt: skip
def test_timestamps(raw: object, expected: datetime | None) -> None:
    assert parsing.parse_timestamp(raw) == expected


def test_birth_date_zero_is_empty() -> None:
    assert parsing.parse_date(0) is None
    assert parsing.parse_date("1990-05-01") == date(1990, 5, 1)


@pytest.mark.parametrize("raw", ["yesterday", True, "2026-13-01"])
def test_bad_timestamps(raw: object) -> None:
    with pytest.raises(ValueError, match="not a timestamp"):
        parsing.parse_timestamp(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [(1, True), (0, False), ("1", True), ("0", False), (True, True), ("", False)]
)
def test_flags(raw: object, expected: bool) -> None:
    assert parsing.parse_flag(raw) is expected


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_ids_survive_any_serialisation(value: int) -> None:
    assert parsing.parse_int(value) == parsing.parse_int(str(value)) == parsing.parse_int(float(value)) == value


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_money_survives_strings_and_numbers(value: Decimal) -> None:
    assert parsing.parse_money(str(value)) == value
    assert parsing.parse_money(f"{value:.2f}") == value
