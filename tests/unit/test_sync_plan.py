from datetime import UTC, date, datetime

import pytest

from ai_admin.settings import SyncSettings
from ai_admin.sync.jobs import BatchSpec, Job, Mode, Part, RecordWindow, page_ranges
from ai_admin.sync.runs import choose_mode, record_windows

MSK_TUESDAY = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
MSK_SUNDAY = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)
WATERMARK = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("total", "size", "per_batch", "first", "expected"),
    [
        (0, 200, 5, 1, []),
        (1, 200, 5, 1, [(1, 1)]),
        (200, 200, 5, 2, []),
        (201, 200, 5, 2, [(2, 2)]),
        (1100, 200, 5, 2, [(2, 6)]),
        (
            10_000,
            200,
            5,
            2,
            [(2, 6), (7, 11), (12, 16), (17, 21), (22, 26), (27, 31), (32, 36), (37, 41), (42, 46), (47, 50)],
        ),
    ],
)
def test_page_ranges_cover_every_page_once(
    total: int, size: int, per_batch: int, first: int, expected: list[tuple[int, int]]
) -> None:
    ranges = page_ranges(total, size, per_batch, first)
    assert ranges == expected
    pages = [p for start, end in ranges for p in range(start, end + 1)]
    assert len(pages) == len(set(pages))


def test_first_run_is_full_then_incremental_with_a_weekly_full_run() -> None:
    assert choose_mode(Job.CLIENTS, MSK_TUESDAY, None) is Mode.FULL
    assert choose_mode(Job.CLIENTS, MSK_TUESDAY, WATERMARK) is Mode.INCREMENTAL
    assert choose_mode(Job.CLIENTS, MSK_SUNDAY, WATERMARK) is Mode.FULL
    assert choose_mode(Job.SERVICES, MSK_TUESDAY, WATERMARK) is Mode.FULL


def test_incremental_reads_changes_since_the_watermark_with_overlap_plus_a_visit_window() -> None:
    config = SyncSettings(watermark_overlap_s=3600, lookback_days=7, lookahead_days=60)
    windows = record_windows(Job.CLIENTS, Mode.INCREMENTAL, date(2026, 3, 10), WATERMARK, config)
    assert windows == [
        RecordWindow(changed_after=datetime(2026, 3, 8, 23, 0, tzinfo=UTC)),
        RecordWindow(start_date=date(2026, 3, 3), end_date=date(2026, 3, 11)),
    ]


def test_full_run_reads_the_whole_history_window() -> None:
    config = SyncSettings(history_years=2, lookahead_days=60)
    assert record_windows(Job.CLIENTS, Mode.FULL, date(2026, 3, 10), None, config) == [
        RecordWindow(start_date=date(2024, 3, 10), end_date=date(2026, 5, 9))
    ]


def test_bookings_read_today_to_the_horizon() -> None:
    config = SyncSettings(lookahead_days=60)
    assert record_windows(Job.BOOKINGS, Mode.INCREMENTAL, date(2026, 3, 10), WATERMARK, config) == [
        RecordWindow(start_date=date(2026, 3, 10), end_date=date(2026, 5, 9))
    ]


def test_batch_messages_round_trip() -> None:
    spec = BatchSpec(
        7,
        3,
        1,
        Job.CLIENTS,
        Part.RECORD_PAGES,
        2,
        6,
        200,
        RecordWindow(changed_after=datetime(2026, 3, 8, 23, 0, tzinfo=UTC)),
    )
    assert BatchSpec.from_message(spec.to_message()) == spec


def test_history_window_from_a_leap_day() -> None:
    config = SyncSettings(history_years=2, lookahead_days=0)
    assert record_windows(Job.CLIENTS, Mode.FULL, date(2028, 2, 29), None, config)[0].start_date == date(2026, 2, 28)
