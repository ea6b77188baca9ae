"""Planning a sync run, processing its batches, and completing it exactly once.

A run reads each collection once, in pages: the planner fetches the first page of every paged
collection itself (all at once; it needs the totals anyway), stores them, and enqueues the remaining
pages as batches of ``pages_per_batch``. Workers process batches in parallel within the shared
YClients rate limit. The batch that accounts for the last one completes the run: client aggregates
are derived in SQL and the watermark moves, in one transaction, only if no batch failed.

Incremental clients runs read records changed since the last completed run's start (minus an overlap,
deletions included) plus every record in a lookback window of recent visit dates; full runs read the
whole history window. The CRM offers no change filter for clients: a full run reads them all, an
incremental one reads by id, at completion, the clients of the records it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ai_admin.observability import logger
from ai_admin.settings import SyncSettings
from ai_admin.sync.jobs import FULL_RUN_WEEKDAY, BatchSpec, Job, Mode, Part, RecordWindow, page_ranges
from ai_admin.sync.ports import BatchQueue, Mirror, PagedCrm, ReferenceCrm, RunLedger


@dataclass(frozen=True)
class SyncParts:
    paged: PagedCrm
    reference: ReferenceCrm
    mirror: Mirror
    ledger: RunLedger
    queue: BatchQueue
    config: SyncSettings
    clock: Callable[[], datetime]
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    # Told the salon and the run's clock once a bookings run has closed (the booking monitor looks then).
    after_bookings: Callable[[int, datetime], None] | None = None


@dataclass(frozen=True)
class PlanResult:
    run_id: int | None
    mode: Mode
    batches: int
    requests: int
    rows: int

    @property
    def skipped(self) -> bool:
        return self.run_id is None


def choose_mode(job: Job, now_local: datetime, watermark: datetime | None) -> Mode:
    if job not in (Job.CLIENTS, Job.BOOKINGS) or watermark is None:
        return Mode.FULL
    if job is Job.CLIENTS and now_local.weekday() == FULL_RUN_WEEKDAY:
        return Mode.FULL
    return Mode.INCREMENTAL


def record_windows(
    job: Job, mode: Mode, today: date, watermark: datetime | None, config: SyncSettings
) -> list[RecordWindow]:
    ahead = today + timedelta(days=config.lookahead_days)
    if job is Job.BOOKINGS:
        return [RecordWindow(start_date=today, end_date=ahead)]
    if mode is Mode.FULL or watermark is None:
        return [RecordWindow(start_date=_years_before(today, config.history_years), end_date=ahead)]
    since = watermark - timedelta(seconds=config.watermark_overlap_s)
    # Upcoming visits are kept fresh by the 15-minute bookings job: the nightly lookback covers the
    # recent past (visits whose attendance was set late) up to tomorrow.
    return [
        RecordWindow(changed_after=since),
        RecordWindow(start_date=today - timedelta(days=config.lookback_days), end_date=today + timedelta(days=1)),
    ]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def plan_run(parts: SyncParts, company_id: int, job: Job, mode: Mode | None = None) -> PlanResult:
    now = parts.clock()
    watermark = parts.ledger.watermark(company_id, job)
    mode = mode or choose_mode(job, now.astimezone(parts.timezone), watermark)
    run_id = parts.ledger.start_run(
        company_id, job, mode, started_at=now, watermark_from=watermark if mode is Mode.INCREMENTAL else None
    )
    if run_id is None:
        return PlanResult(None, mode, 0, 0, 0)
    config, rows, before = parts.config, 0, parts.paged.requests_made()
    batches: list[BatchSpec] = []

    def add(part: Part, first: int, last: int, window: RecordWindow | None = None, size: int = 0) -> None:
        batches.append(BatchSpec(run_id, len(batches) + 1, company_id, job, part, first, last, size, window))

    if job in (Job.CLIENTS, Job.BOOKINGS):
        today = now.astimezone(parts.timezone).date()
        windows = record_windows(job, mode, today, watermark if mode is Mode.INCREMENTAL else None, config)
        with_clients = job is Job.CLIENTS and mode is Mode.FULL
        # Every first page at once: the requests are independent and each costs a round trip.
        with ThreadPoolExecutor(max_workers=len(windows) + 1) as pool:
            client_first = (
                pool.submit(parts.paged.client_page, company_id, 1, config.clients_page_size) if with_clients else None
            )
            record_firsts = [
                pool.submit(parts.paged.record_page, company_id, 1, config.records_page_size, window)
                for window in windows
            ]
        # Records first: a run ends with its last responses stored, and a page of clients stores faster.
        for window, future in zip(windows, record_firsts, strict=True):
            first_records = future.result()
            rows += parts.mirror.upsert_records(company_id, first_records.items)
            for start, end in page_ranges(first_records.total, config.records_page_size, config.pages_per_batch, 2):
                add(Part.RECORD_PAGES, start, end, window, config.records_page_size)
        if client_first is not None:
            first = client_first.result()
            rows += parts.mirror.upsert_clients(company_id, first.items)
            for start, end in page_ranges(first.total, config.clients_page_size, config.pages_per_batch, 2):
                add(Part.CLIENT_PAGES, start, end, size=config.clients_page_size)
    else:
        add(Part.WHOLE, 1, 1)
    requests = parts.paged.requests_made() - before
    parts.ledger.add_batches(run_id, batches, done_requests=requests, done_rows=rows)
    if batches:
        parts.queue.send(batches)
    else:
        complete_run(parts, run_id, company_id, job)
    return PlanResult(run_id, mode, len(batches), requests, rows)


def run_batch(parts: SyncParts, spec: BatchSpec) -> int:
    """Fetch and store one batch; the rows written. Safe to repeat: every write is an upsert keyed by
    YClients ids."""
    company = spec.company_id
    if spec.part is Part.CLIENT_PAGES:
        return sum(
            parts.mirror.upsert_clients(company, parts.paged.client_page(company, page, spec.page_size).items)
            for page in range(spec.first_page, spec.last_page + 1)
        )
    if spec.part is Part.RECORD_PAGES:
        assert spec.window is not None
        window = spec.window
        return sum(
            parts.mirror.upsert_records(company, parts.paged.record_page(company, page, spec.page_size, window).items)
            for page in range(spec.first_page, spec.last_page + 1)
        )
    if spec.job is Job.COMPANY:
        return parts.mirror.replace_reference(company, company=parts.reference.company(company))
    if spec.job is Job.SERVICES:
        return parts.mirror.replace_reference(company, catalogue=parts.reference.catalogue(company))
    if spec.job is Job.STAFF:
        return parts.mirror.replace_reference(company, staff=parts.reference.staff(company))
    start = parts.clock().astimezone(parts.timezone).date()
    end = start + timedelta(days=parts.config.schedule_days)
    days = parts.reference.schedules(company, start, end)
    return parts.mirror.replace_reference(company, schedules=(start, end, days))


def process_batch(parts: SyncParts, spec: BatchSpec, *, final_attempt: bool) -> None:
    """Run a batch and account for it, with the CRM requests it made (retries included); on its final
    attempt a failure is recorded on the run before the error goes back to SQS (which dead-letters it).
    Re-delivery of a finished batch is a no-op."""
    if parts.ledger.is_finished(spec):
        return
    before = parts.paged.requests_made()
    try:
        rows = run_batch(parts, spec)
    except Exception as error:
        spent = parts.paged.requests_made() - before
        if final_attempt and parts.ledger.finish_batch(spec, ok=False, requests=spent, rows=0, error=repr(error)[:500]):
            complete_run(parts, spec.run_id, spec.company_id, spec.job)
        raise
    spent = parts.paged.requests_made() - before
    if parts.ledger.finish_batch(spec, ok=True, requests=spent, rows=rows, error=None):
        complete_run(parts, spec.run_id, spec.company_id, spec.job)


def complete_run(parts: SyncParts, run_id: int, company_id: int, job: Job) -> bool:
    """Close the run once (concurrent callers: one wins); True when this call closed it."""

    def derive(started_at: datetime, mode: Mode) -> tuple[int, int]:
        if job is not Job.CLIENTS:
            return 0, 0
        if mode is Mode.FULL:
            return parts.mirror.refresh_client_profiles(company_id), 0
        # Incremental: only the clients whose records changed are read again (the CRM has no change
        # filter for clients; renames without a visit wait for the weekly full run).
        touched = parts.mirror.clients_touched_since(company_id, started_at)
        if not touched:
            return 0, 0
        before = parts.paged.requests_made()
        rows = parts.mirror.upsert_clients(company_id, parts.paged.clients_by_id(company_id, touched))
        rows += parts.mirror.refresh_client_profiles(company_id, touched)
        return rows, parts.paged.requests_made() - before

    closed = parts.ledger.complete(run_id, derive)
    if closed:
        logger.info("sync run closed", extra={"company_id": company_id})
    if closed and job is Job.BOOKINGS and parts.after_bookings is not None:
        try:
            parts.after_bookings(company_id, parts.clock())
        except Exception:  # the run is closed either way; the next bookings run looks again
            logger.exception("after-bookings hook failed", extra={"company_id": company_id})
    return closed
