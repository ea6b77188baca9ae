"""What the sync needs from the outside world, named for the role each plays."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

from ai_admin.domain.crm import (
    CompanyInfo,
    CrmCategory,
    CrmClient,
    CrmRecord,
    CrmService,
    CrmStaff,
    Page,
    StaffDay,
)
from ai_admin.sync.jobs import BatchSpec, Job, Mode, RecordWindow


class PagedCrm(Protocol):
    """The CRM's large collections, page by page, and the request count a run reports. Safe to call from
    several threads at once (the planner reads every first page together)."""

    def client_page(self, company_id: int, page: int, page_size: int) -> Page[CrmClient]: ...

    def record_page(self, company_id: int, page: int, page_size: int, window: RecordWindow) -> Page[CrmRecord]: ...

    def clients_by_id(self, company_id: int, ids: Sequence[int]) -> tuple[CrmClient, ...]: ...

    def requests_made(self) -> int:
        """Requests this CRM connection has sent so far, retries and reference reads included."""
        ...


class ReferenceCrm(Protocol):
    """The CRM's small reference data, read whole."""

    def company(self, company_id: int) -> CompanyInfo: ...

    def catalogue(self, company_id: int) -> tuple[list[CrmCategory], list[CrmService]]: ...

    def staff(self, company_id: int) -> list[CrmStaff]: ...

    def schedules(self, company_id: int, start: date, end: date) -> list[StaffDay]: ...


class Mirror(Protocol):
    """Where synced rows land (PostgreSQL)."""

    def upsert_clients(self, company_id: int, clients: Sequence[CrmClient]) -> int: ...

    def upsert_records(self, company_id: int, records: Sequence[CrmRecord]) -> int: ...

    def refresh_client_profiles(self, company_id: int, client_ids: Sequence[int] | None = None) -> int: ...

    def clients_touched_since(self, company_id: int, since: datetime) -> list[int]:
        """Clients of records written at or after ``since``."""
        ...

    def replace_reference(
        self,
        company_id: int,
        *,
        company: CompanyInfo | None = None,
        catalogue: tuple[list[CrmCategory], list[CrmService]] | None = None,
        staff: list[CrmStaff] | None = None,
        schedules: tuple[date, date, list[StaffDay]] | None = None,
    ) -> int: ...


class BatchQueue(Protocol):
    def send(self, batches: Sequence[BatchSpec]) -> None: ...


class RunLedger(Protocol):
    """Run and batch bookkeeping; every transition is idempotent under redelivery."""

    def start_run(
        self, company_id: int, job: Job, mode: Mode, *, started_at: datetime, watermark_from: datetime | None
    ) -> int | None:
        """A new run's id, or None when a run of this job for this company is already in progress."""
        ...

    def is_finished(self, spec: BatchSpec) -> bool: ...

    def add_batches(self, run_id: int, batches: Sequence[BatchSpec], *, done_requests: int, done_rows: int) -> None: ...

    def finish_batch(self, spec: BatchSpec, *, ok: bool, requests: int, rows: int, error: str | None) -> bool:
        """Record a batch outcome once; True when this made every batch of the run accounted for."""
        ...

    def watermark(self, company_id: int, job: Job) -> datetime | None: ...

    def complete(self, run_id: int, derive: Callable[[datetime, Mode], tuple[int, int]]) -> bool:
        """Close the run once, running ``derive(started_at, mode) -> (rows, requests)`` in the same
        transaction; the watermark moves only when no batch failed. False when another caller closed it,
        or batches are still open."""
        ...
