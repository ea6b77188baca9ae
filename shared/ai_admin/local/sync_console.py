"""``ai-admin sync``: the planner, the SQS queue (moto) and parallel workers, through the same handlers
as in AWS, with a progress bar and a summary table."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ai_admin.local.invoke import LocalContext, resolve_handler
from ai_admin.local.stack import Stack
from ai_admin.local.template import Function, Template
from ai_admin.sync.jobs import Job

ALL_JOBS = (Job.COMPANY, Job.SERVICES, Job.STAFF, Job.SCHEDULES, Job.CLIENTS, Job.BOOKINGS)


def run_sync(
    stack: Stack,
    jobs: Sequence[Job],
    *,
    full: bool,
    company_id: int | None,
    timeout_s: float = 1800,
    show_progress: bool = True,
    start_workers: bool = True,
) -> list[dict[str, Any]]:
    """Plan ``jobs`` and drain the sync queue with the worker (or the stack's own pollers when
    ``start_workers`` is off); returns the runs as the ledger has them.

    Workers start before the planner, building their adapters while it reads the first pages, and are
    woken when it has enqueued the batches."""
    from ai_admin.bootstrap import sync

    planner = stack.template.function("SyncPlannerFunction")
    worker = stack.template.function("SyncWorkerFunction")
    plan = resolve_handler(planner)
    sync.parts()  # the planner's cold start, before the workers' own compete with it for the interpreter
    # These pollers live for one run: they poll every 50 ms when idle, a planner still enqueueing included.
    pollers = (
        stack.start_event_sources(resolve_handler, only={worker.logical_id}, warm=sync.parts, max_idle_s=0.05)
        if start_workers
        else []
    )
    try:
        run_ids = _plan(plan, planner, jobs, full, company_id, wake=lambda: stack.wake_pollers(worker.logical_id))
        _wait(sync, run_ids, timeout_s, show_progress)
    finally:
        for poller in pollers:
            poller.stop()
            stack.pollers.remove(poller)
            stack.closers.remove(poller.stop)
    return [r for r in sync.ledger().recent_runs(200) if r["run_id"] in run_ids]


def run_attached(
    template: Template,
    jobs: Sequence[Job],
    *,
    full: bool,
    company_id: int | None,
    timeout_s: float = 1800,
    show_progress: bool = True,
) -> list[dict[str, Any]]:
    """Plan ``jobs`` into the queue of a stack running in another process (this process's environment
    is that stack's) and wait while its workers drain it."""
    from ai_admin.bootstrap import sync

    planner = template.function("SyncPlannerFunction")
    run_ids = _plan(resolve_handler(planner), planner, jobs, full, company_id, wake=lambda: None)
    _wait(sync, run_ids, timeout_s, show_progress)
    return [r for r in sync.ledger().recent_runs(200) if r["run_id"] in run_ids]


def _plan(  # noqa: PLR0917 - run_sync's and run_attached's shared step
    plan: Any, planner: Function, jobs: Sequence[Job], full: bool, company_id: int | None, wake: Callable[[], None]
) -> list[int]:
    run_ids: list[int] = []
    for job in jobs:
        event: dict[str, Any] = {"job": job.value, "mode": "full" if full else None}
        if company_id is not None:
            event["company_id"] = company_id
        result = plan(event, LocalContext(function_name=planner.logical_id, timeout_s=planner.timeout))
        wake()
        run_ids += [r["run_id"] for r in result["runs"] if r["run_id"] is not None]
        for skipped in (r for r in result["runs"] if r["skipped"]):
            print(f"{job.value}: salon {skipped['company_id']} already has a run in progress; not started again")
    return run_ids


def _wait(sync: Any, run_ids: list[int], timeout_s: float, show_progress: bool) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    deadline = time.monotonic() + timeout_s
    with Progress(
        TextColumn("sync"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} batches"),
        TimeElapsedColumn(),
        disable=not show_progress,
    ) as progress:
        task = progress.add_task("batches", total=None)
        while time.monotonic() < deadline:
            runs = [r for r in sync.ledger().recent_runs(200) if r["run_id"] in run_ids]
            planned = sum(int(r["batches_planned"]) for r in runs)
            finished = sum(int(r["batches_done"]) + int(r["batches_failed"]) for r in runs)
            progress.update(task, total=planned, completed=finished)
            if all(r["status"] != "running" for r in runs):
                return
            time.sleep(0.01 if finished >= planned else 0.1)  # all batches in: only the completion is left
    raise TimeoutError(f"sync runs {run_ids} did not finish within {timeout_s:.0f} s")


def age(seconds: float) -> str:
    """ "45 s", "12 min", "3 h 5 min", "2 d 4 h": how long ago, to the unit that matters."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 3600:
        return f"{minutes} min"
    if seconds < 86400:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"


def print_runs(runs: Sequence[dict[str, Any]], now: datetime | None = None) -> None:
    """Runs with when they started (this machine's time), how long ago, and how long they took (or have
    been running)."""
    from rich.console import Console
    from rich.table import Table

    moment = now or datetime.now(UTC)
    table = Table(title="Sync runs")
    columns = ("run", "company", "job", "mode", "status", "started", "age", "duration", "batches", "failed")
    for column in (*columns, "requests", "rows"):
        table.add_column(column)
    for r in runs:
        started = r["started_at"]
        if r["finished_at"]:
            duration = f"{(r['finished_at'] - started).total_seconds():.1f} s"
        else:
            duration = f"running {age((moment - started).total_seconds())}"
        table.add_row(
            str(r["run_id"]),
            str(r["company_id"]),
            r["job"],
            r["mode"],
            r["status"],
            started.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            age((moment - started).total_seconds()),
            duration,
            f"{r['batches_done']}/{r['batches_planned']}",
            str(r["batches_failed"]),
            str(r["requests"]),
            str(r["rows_written"]),
        )
    Console(width=160).print(table)
