"""The sync of one salon into PostgreSQL on the scenario's frozen clock.

The same use cases and adapters as the sync Lambdas (``plan_run`` / ``process_batch``, the YClients
adapter, the PostgreSQL mirror and ledger), with two local substitutions: the clock is the scenario's
moment (record windows such as "today..+60 days" are the salon's, not the machine's), and batches are
processed in this thread as they are planned instead of going through SQS, so the caller knows the
mirror is current when it returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from ai_admin.sync.jobs import BatchSpec, Job, Mode
from ai_admin.sync.runs import plan_run, process_batch

ALL_JOBS = (Job.COMPANY, Job.SERVICES, Job.STAFF, Job.SCHEDULES, Job.CLIENTS, Job.BOOKINGS)


class SyncFailed(RuntimeError):
    pass


class _Batches:
    def __init__(self) -> None:
        self.waiting: list[BatchSpec] = []

    def send(self, batches: Sequence[BatchSpec]) -> None:
        self.waiting.extend(batches)


def sync_salon(company_id: int, jobs: Sequence[Job], *, at: datetime, mode: Mode | None = None) -> None:
    """Run ``jobs`` for the salon as of ``at`` (aware); raises ``SyncFailed`` unless every run completes."""
    from ai_admin.bootstrap import sync

    if at.tzinfo is None:
        raise ValueError("the sync clock must be timezone-aware")
    batches = _Batches()
    parts = dataclasses.replace(sync.parts(), queue=batches, clock=lambda: at, timezone=ZoneInfo(str(at.tzinfo)))
    for job in jobs:
        planned = plan_run(parts, company_id, job, mode)
        if planned.run_id is None:
            raise SyncFailed(f"{job.value}: a run for company {company_id} is already in progress")
        while batches.waiting:
            spec = batches.waiting.pop(0)
            try:
                process_batch(parts, spec, final_attempt=True)
            except Exception as error:
                raise SyncFailed(f"{job.value} sync of company {company_id}, batch {spec.seq}: {error!r}") from error
        [run] = [r for r in sync.ledger().recent_runs(50) if r["run_id"] == planned.run_id]
        if run["status"] != "completed":
            raise SyncFailed(f"{job.value} sync of company {company_id} ended {run['status']}: {run['errors']}")
