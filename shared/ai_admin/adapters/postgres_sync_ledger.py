"""Sync runs and batches in PostgreSQL: each transition is one conditional statement, so redelivered
SQS messages and concurrent workers count every batch exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pg8000.native

from ai_admin.adapters.postgres_connection import transaction
from ai_admin.sync.jobs import BatchSpec, Job, Mode

# A run still "running" after this long had its planner or workers die; it is closed as failed.
STALE_RUN = timedelta(hours=3)


class PostgresSyncLedger:
    def __init__(self, conn: pg8000.native.Connection) -> None:
        self._conn = conn

    def start_run(
        self, company_id: int, job: Job, mode: Mode, *, started_at: datetime, watermark_from: datetime | None
    ) -> int | None:
        self._conn.run(
            "UPDATE sync_runs SET status = 'failed', finished_at = now(),"
            " errors = errors || '[\"abandoned: no progress\"]'::jsonb"
            " WHERE company_id = :company AND job = :job AND status = 'running' AND started_at < :stale",
            company=company_id,
            job=job.value,
            stale=started_at - STALE_RUN,
        )
        rows = self._conn.run(
            "INSERT INTO sync_runs (company_id, job, mode, started_at, watermark_from)"
            " VALUES (:company, :job, :mode, :started, :watermark)"
            " ON CONFLICT (company_id, job) WHERE status = 'running' DO NOTHING RETURNING run_id",
            company=company_id,
            job=job.value,
            mode=mode.value,
            started=started_at,
            watermark=watermark_from,
        )
        return int(rows[0][0]) if rows else None

    def add_batches(self, run_id: int, batches: Sequence[BatchSpec], *, done_requests: int, done_rows: int) -> None:
        with transaction(self._conn):
            if batches:
                self._conn.run(
                    "INSERT INTO sync_batches (run_id, seq, spec)"
                    " SELECT :run, (b->>'seq')::int, b FROM jsonb_array_elements(CAST(:batches AS jsonb)) b"
                    " ON CONFLICT DO NOTHING",
                    run=run_id,
                    batches=json.dumps([b.to_message() for b in batches]),
                )
            self._conn.run(
                "UPDATE sync_runs SET batches_planned = :n, requests = requests + :req,"
                " rows_written = rows_written + :rows WHERE run_id = :run",
                n=len(batches),
                req=done_requests,
                rows=done_rows,
                run=run_id,
            )

    def is_finished(self, spec: BatchSpec) -> bool:
        rows = self._conn.run(
            "SELECT status FROM sync_batches WHERE run_id = :run AND seq = :seq", run=spec.run_id, seq=spec.seq
        )
        return bool(rows) and rows[0][0] != "pending"

    def finish_batch(self, spec: BatchSpec, *, ok: bool, requests: int, rows: int, error: str | None) -> bool:
        result = self._conn.run(
            """
            WITH batch AS (
                UPDATE sync_batches SET status = :status, attempts = attempts + 1, requests = :req,
                       rows_written = :rows, error = :error, finished_at = now()
                WHERE run_id = :run AND seq = :seq AND status = 'pending' RETURNING 1 AS changed
            )
            UPDATE sync_runs SET
                batches_done = batches_done + (SELECT count(*) FROM batch) * CAST(:ok AS int),
                batches_failed = batches_failed + (SELECT count(*) FROM batch) * (1 - CAST(:ok AS int)),
                requests = requests + (SELECT count(*) FROM batch) * :req,
                rows_written = rows_written + (SELECT count(*) FROM batch) * :rows,
                errors = CASE WHEN CAST(:error AS text) IS NULL OR NOT EXISTS (SELECT 1 FROM batch) THEN errors
                              ELSE errors || jsonb_build_array(jsonb_build_object('batch', :seq, 'error', :error))
                         END
            WHERE run_id = :run
            RETURNING status, batches_done + batches_failed >= batches_planned
            """,
            status="done" if ok else "failed",
            req=requests,
            rows=rows,
            error=error,
            run=spec.run_id,
            seq=spec.seq,
            ok=1 if ok else 0,
        )
        return bool(result) and result[0][0] == "running" and bool(result[0][1])

    def watermark(self, company_id: int, job: Job) -> datetime | None:
        rows = self._conn.run(
            "SELECT watermark FROM sync_watermarks WHERE company_id = :company AND job = :job",
            company=company_id,
            job=job.value,
        )
        return rows[0][0] if rows else None

    def complete(self, run_id: int, derive: Callable[[datetime, Mode], tuple[int, int]]) -> bool:
        with transaction(self._conn):
            rows = self._conn.run(
                "SELECT company_id, job, started_at, batches_failed, mode FROM sync_runs WHERE run_id = :run"
                " AND status = 'running' AND batches_done + batches_failed >= batches_planned FOR UPDATE",
                run=run_id,
            )
            if not rows:
                return False
            company_id, job, started_at, failed, mode = rows[0]
            derived, requests = derive(started_at, Mode(mode))
            status = "completed" if failed == 0 else "failed"
            self._conn.run(
                "UPDATE sync_runs SET status = :status, finished_at = now(), rows_written = rows_written + :rows,"
                " requests = requests + :requests,"
                " watermark_to = CASE WHEN :status = 'completed' THEN started_at END WHERE run_id = :run",
                status=status,
                rows=derived,
                requests=requests,
                run=run_id,
            )
            if status == "completed":
                self._conn.run(
                    "INSERT INTO sync_watermarks (company_id, job, watermark, run_id) VALUES (:c, :j, :w, :r)"
                    " ON CONFLICT (company_id, job) DO UPDATE SET watermark = greatest(sync_watermarks.watermark,"
                    " EXCLUDED.watermark), run_id = EXCLUDED.run_id, updated_at = now()",
                    c=company_id,
                    j=job,
                    w=started_at,
                    r=run_id,
                )
        return True

    def active_companies(self) -> list[int]:
        return [int(row[0]) for row in self._conn.run("SELECT company_id FROM companies WHERE active ORDER BY 1")]

    def recent_runs(self, limit: int = 20) -> list[dict[str, object]]:
        cols = [
            "run_id",
            "company_id",
            "job",
            "mode",
            "status",
            "started_at",
            "finished_at",
            "batches_planned",
            "batches_done",
            "batches_failed",
            "requests",
            "rows_written",
            "errors",
        ]
        rows = self._conn.run(f"SELECT {', '.join(cols)} FROM sync_runs ORDER BY run_id DESC LIMIT :n", n=limit)
        return [dict(zip(cols, row, strict=True)) for row in rows]
