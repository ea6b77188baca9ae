"""`ai-admin sync status`: when each run started, how long ago, how long it took or has been running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ai_admin.local.sync_console import age, print_runs

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def run(run_id: int, started_min_ago: float, took_s: float | None, status: str) -> dict[str, object]:
    started = NOW - timedelta(minutes=started_min_ago)
    return {
        "run_id": run_id,
        "company_id": 1,
        "job": "clients",
        "mode": "full",
        "status": status,
        "started_at": started,
        "finished_at": started + timedelta(seconds=took_s) if took_s is not None else None,
        "batches_done": 3,
        "batches_planned": 5,
        "batches_failed": 0,
        "requests": 26,
        "rows_written": 1100,
    }


def test_status_shows_start_age_and_duration(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    print_runs([run(1, 12, 1.5, "completed"), run(2, 2, None, "running")], now=NOW)
    out = capsys.readouterr().out
    finished, running = (line for line in out.splitlines() if "clients" in line)
    local = (NOW - timedelta(minutes=12)).astimezone()  # started is shown in this machine's time
    assert f"{local:%Y-%m-%d %H:%M:%S}" in finished and "12 min" in finished and "1.5 s" in finished
    assert f"{local + timedelta(minutes=10):%H:%M:%S}" in running and "running 2 min" in running


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(45, "45 s"), (720, "12 min"), (3 * 3600 + 300, "3 h 5 min"), (2 * 86400 + 4 * 3600, "2 d 4 h")],
)
def test_age_is_said_to_the_unit_that_matters(seconds: float, said: str) -> None:
    assert age(seconds) == said
