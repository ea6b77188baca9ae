"""What is synced, when, and how a run is cut into batches."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Job(StrEnum):
    COMPANY = "company"
    SERVICES = "services"
    STAFF = "staff"
    SCHEDULES = "schedules"
    CLIENTS = "clients"  # clients + visits (records) + goods sold in visits
    BOOKINGS = "bookings"  # upcoming records, for the booking monitor


class Mode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"


# Europe/Moscow wall clock; EventBridge Scheduler cron (minutes hours day-of-month month day-of-week year).
TIMETABLE: dict[Job, str] = {
    Job.SERVICES: "cron(0 1 * * ? *)",
    Job.STAFF: "cron(0 2 * * ? *)",
    Job.CLIENTS: "cron(0 3 * * ? *)",
    Job.SCHEDULES: "cron(0 */4 * * ? *)",
    Job.BOOKINGS: "cron(0/15 * * * ? *)",
    Job.COMPANY: "cron(0 0 ? * SUN *)",
}
# A full clients run once a week (Sunday night); incremental on the other nights.
FULL_RUN_WEEKDAY = 6


class Part(StrEnum):
    CLIENT_PAGES = "client_pages"
    RECORD_PAGES = "record_pages"
    WHOLE = "whole"  # a small job done in one go (company, services, staff, schedules)


@dataclass(frozen=True)
class RecordWindow:
    """Which records a run reads: by visit date, or changed since a watermark (deletions included)."""

    start_date: date | None = None
    end_date: date | None = None
    changed_after: datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {k: v.isoformat() if v else None for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordWindow:
        return cls(
            start_date=date.fromisoformat(data["start_date"]) if data.get("start_date") else None,
            end_date=date.fromisoformat(data["end_date"]) if data.get("end_date") else None,
            changed_after=datetime.fromisoformat(data["changed_after"]) if data.get("changed_after") else None,
        )


@dataclass(frozen=True)
class BatchSpec:
    """One SQS message: a range of pages of one kind, or a whole small job."""

    run_id: int
    seq: int
    company_id: int
    job: Job
    part: Part
    first_page: int = 1
    last_page: int = 1
    page_size: int = 200
    window: RecordWindow | None = None

    def to_message(self) -> dict[str, Any]:
        body = asdict(self)
        body["window"] = self.window.as_dict() if self.window else None
        return body

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> BatchSpec:
        window = body.get("window")
        return cls(
            run_id=int(body["run_id"]),
            seq=int(body["seq"]),
            company_id=int(body["company_id"]),
            job=Job(body["job"]),
            part=Part(body["part"]),
            first_page=int(body.get("first_page", 1)),
            last_page=int(body.get("last_page", 1)),
            page_size=int(body.get("page_size", 200)),
            window=RecordWindow.from_dict(window) if window else None,
        )


def page_ranges(total_items: int, page_size: int, pages_per_batch: int, first_page: int = 1) -> list[tuple[int, int]]:
    """Inclusive page ranges covering pages ``first_page``..last; empty when nothing is left."""
    last = max(0, -(-total_items // page_size))
    return [(start, min(start + pages_per_batch - 1, last)) for start in range(first_page, last + 1, pages_per_batch)]
