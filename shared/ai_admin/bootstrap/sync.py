"""Composition of the sync planner and worker: adapters built once per cold start."""

from __future__ import annotations

import json
import threading
from typing import Any

import pg8000.native
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ai_admin.adapters.aws_clients import client as aws_client
from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.postgres_crm_mirror import PostgresCrmMirror
from ai_admin.adapters.postgres_sync_ledger import PostgresSyncLedger
from ai_admin.adapters.sqs_batch_queue import SqsBatchQueue
from ai_admin.adapters.yclients_crm import YClientsCrm
from ai_admin.bootstrap import reminders
from ai_admin.bootstrap.clock import clock
from ai_admin.observability import log_keys, logger, metrics
from ai_admin.settings import AppSettings, PostgresSettings, SettingsError, SyncSettings, load, secret
from ai_admin.sync.jobs import BatchSpec, Job, Mode
from ai_admin.sync.runs import SyncParts, plan_run, process_batch

_local = threading.local()


def parts() -> SyncParts:
    """Built once per cold start; per thread, because the local stack runs workers in threads and a
    PostgreSQL connection serves one thread (a Lambda container has one)."""
    built: SyncParts | None = getattr(_local, "parts", None)
    if built is None:
        built = _local.parts = _build()
    return built


def _build() -> SyncParts:
    db = load(PostgresSettings)
    config = load(SyncSettings)
    if not config.queue_url:
        raise SettingsError("setting error: SYNC_QUEUE_URL is not set")
    conn = connect(db.url, db.query_timeout_s, secret(db.password))
    crm = YClientsCrm.from_settings()
    return SyncParts(
        paged=crm,
        reference=crm,
        mirror=PostgresCrmMirror(conn),
        ledger=PostgresSyncLedger(conn),
        queue=SqsBatchQueue(aws_client("sqs", load(AppSettings)), config.queue_url),
        config=config,
        clock=clock().now,  # AI_ADMIN_CLOCK: the system's, or the moment a local test or scenario froze
        after_bookings=reminders.after_bookings_sync,
    )


def ledger() -> PostgresSyncLedger:
    built = parts().ledger
    assert isinstance(built, PostgresSyncLedger)
    return built


def active_companies() -> list[int]:
    return ledger().active_companies()


def plan_from_event(event: dict[str, Any]) -> dict[str, Any]:
    """``{"job": "clients", "mode": "full"?, "company_id": 1?}``: one run per active company."""
    job = Job(event["job"])
    mode = Mode(event["mode"]) if event.get("mode") else None
    companies = [int(event["company_id"])] if event.get("company_id") else active_companies()
    planned = []
    for company_id in companies:
        result = plan_run(parts(), company_id, job, mode)
        logger.info(
            "sync run planned",
            extra={"company_id": company_id, "job": job.value, "run_id": result.run_id, "batches": result.batches},
        )
        metrics.add_metric(name="SyncBatchesPlanned", unit="Count", value=result.batches)
        planned.append(
            {
                "company_id": company_id,
                "run_id": result.run_id,
                "mode": result.mode.value,
                "batches": result.batches,
                "skipped": result.skipped,
            }
        )
    return {"job": job.value, "runs": planned}


def handle_batch_record(record: SQSRecord) -> None:
    spec = BatchSpec.from_message(json.loads(record.body))
    receives = int(record.attributes.approximate_receive_count or "1")
    with log_keys(run_id=spec.run_id, batch=spec.seq, job=spec.job.value):
        try:
            process_batch(parts(), spec, final_attempt=receives >= load(SyncSettings).max_receives)
        except (pg8000.native.InterfaceError, OSError):
            _local.__dict__.clear()  # a broken connection: the next invocation builds a fresh one
            raise
