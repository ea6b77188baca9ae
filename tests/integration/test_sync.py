"""The nightly sync end to end: planner -> SQS (moto) -> workers in threads -> PostgreSQL, against the
fake YClients salon, compared row by row with the fake's own state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pg8000.native
import pytest

from ai_admin import settings
from ai_admin.adapters.postgres_connection import connect
from ai_admin.local.invoke import forget_cold_starts
from ai_admin.local.stack import Stack
from ai_admin.local.sync_console import ALL_JOBS, run_sync
from ai_admin.sync.jobs import Job


@pytest.fixture
def synced_env(
    local_stack: Stack, stack_env: dict[str, str], clean_state: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stack]:
    fake = local_stack.yclients
    fake.limits.enabled = False  # the official limits are exercised by the rate-limit tests and the bench
    fake.faults.clear()
    monkeypatch.setenv("YCLIENTS_BACKOFF_BASE_S", "0.05")
    monkeypatch.setenv("YCLIENTS_BACKOFF_CAP_S", "0.4")
    monkeypatch.setenv("YCLIENTS_MAX_RETRIES", "6")
    settings.reset()
    forget_cold_starts()
    yield local_stack
    fake.faults.clear()
    fake.limits.enabled = True
    forget_cold_starts()


@pytest.fixture
def db(local_stack: Stack) -> Iterator[pg8000.native.Connection]:
    conn = connect(local_stack.env["DATABASE_URL"])
    yield conn
    conn.close()


def fake_records(stack: Stack) -> dict[int, tuple[int, bool, str]]:
    state = stack.yclients.state
    with state.lock:
        return {
            r.id: (r.attendance, r.deleted, r.start.isoformat())
            for r in state.records.values()
            if r.start.date() >= state.now().date().replace(year=state.now().year - 2)
        }


def stored_records(db: pg8000.native.Connection, stack: Stack) -> dict[int, tuple[int, bool, str]]:
    tz = stack.yclients.state.tz
    return {
        rid: (att, deleted, start.astimezone(tz).isoformat())
        for rid, att, deleted, start in db.run("SELECT yclients_id, attendance, deleted, start_at FROM records")
    }


def test_full_sync_mirrors_the_salon(synced_env: Stack, db: pg8000.native.Connection) -> None:
    runs = run_sync(synced_env, ALL_JOBS, full=True, company_id=1, show_progress=False)
    assert {r["status"] for r in runs} == {"completed"}, runs
    state = synced_env.yclients.state
    with state.lock:
        clients = {c.id: c.phone for c in state.clients.values()}
        staff_ids = set(state.staff)
        service_ids = set(state.services)
    assert dict(db.run("SELECT yclients_id, phone FROM clients")) == clients
    assert {r[0] for r in db.run("SELECT yclients_id FROM staff WHERE is_active")} <= staff_ids
    assert {r[0] for r in db.run("SELECT yclients_id FROM services")} == service_ids
    lookahead = synced_env.yclients.state.now().date() + timedelta(days=60)
    expected = {rid: v for rid, v in fake_records(synced_env).items() if v[2][:10] <= lookahead.isoformat()}
    assert stored_records(db, synced_env) == expected
    # aggregates: visits_count counts attended visits only; total_spent is YClients' sold_amount
    attended = dict(
        db.run("SELECT client_id, count(*) FROM records WHERE attendance = 1 AND NOT deleted GROUP BY client_id")
    )
    for cid, visits, spent, services, goods in db.run(
        "SELECT yclients_id, visits_count, total_spent, services_amount, goods_amount FROM clients"
    ):
        if cid in attended:
            assert visits == attended[cid]
        assert goods == max(spent - services, Decimal(0))
    assert db.run("SELECT count(*) FROM staff_schedules WHERE NOT is_working")[0][0] > 0


def test_requests_are_bulk_not_per_client(synced_env: Stack) -> None:
    fake = synced_env.yclients
    fake.clear_log()
    runs = run_sync(synced_env, [Job.CLIENTS], full=True, company_id=1, show_progress=False)
    by_endpoint = fake.requests_by_endpoint()
    assert runs[0]["requests"] == sum(by_endpoint.values())  # the run reports what the CRM received
    with fake.state.lock:
        clients = len(fake.state.clients)
    assert sum(by_endpoint.values()) < clients / 20  # pages of 200, never one request per client


def test_rerun_is_idempotent_and_incremental_reads_only_changes(
    synced_env: Stack, db: pg8000.native.Connection
) -> None:
    run_sync(synced_env, [Job.CLIENTS], full=True, company_id=1, show_progress=False)
    full_requests = sum(synced_env.yclients.requests_by_endpoint().values())
    before = stored_records(db, synced_env)
    state = synced_env.yclients.state
    with state.lock:
        changed = sorted(state.records)[:: max(1, len(state.records) // 20)]
    for record_id in changed[:10]:
        state.set_attendance(record_id, -1, source="admin")
    with state.lock:
        touched_client = next(state.records[r].client_id for r in changed[:10] if state.records[r].client_id)
        state.clients[touched_client].name = "Клиент Переименованный"
    state.cancel_record(changed[-1], source="admin")
    synced_env.yclients.clear_log()
    runs = run_sync(synced_env, [Job.CLIENTS], full=False, company_id=1, show_progress=False)
    assert runs[0]["mode"] == "incremental" and runs[0]["status"] == "completed"
    incremental_requests = sum(synced_env.yclients.requests_by_endpoint().values())
    assert incremental_requests <= 4  # changed records, the lookback window, the clients of those records
    assert incremental_requests < full_requests
    after = stored_records(db, synced_env)
    assert len(after) == len(before)  # upserts: nothing duplicated, nothing lost
    for record_id in changed[:10]:
        assert after[record_id][0] == -1
    assert after[changed[-1]][1] is True  # the deletion arrived
    # the clients of changed records are read again (by id), with their aggregates
    assert db.run("SELECT name FROM clients WHERE yclients_id = :id", id=touched_client)[0][0] == (
        "Клиент Переименованный"
    )


def test_faults_do_not_lose_data(synced_env: Stack, db: pg8000.native.Connection) -> None:
    fake = synced_env.yclients
    fake.faults.error_rate = 0.10
    fake.faults.storm_429(0.5)  # shorter than the client's retry budget (6 retries, backoff up to 0.4 s)
    runs = run_sync(synced_env, [Job.CLIENTS], full=True, company_id=1, show_progress=False)
    fake.faults.clear()
    assert runs[0]["status"] == "completed", runs
    state = fake.state
    with state.lock:
        clients = {c.id: c.phone for c in state.clients.values()}
    assert dict(db.run("SELECT yclients_id, phone FROM clients")) == clients
    lookahead = state.now().date() + timedelta(days=60)
    expected = {rid: v for rid, v in fake_records(synced_env).items() if v[2][:10] <= lookahead.isoformat()}
    assert stored_records(db, synced_env) == expected


def test_a_second_planner_does_not_start_a_parallel_run(synced_env: Stack) -> None:
    from ai_admin.bootstrap import sync
    from ai_admin.sync.jobs import Mode
    from ai_admin.sync.runs import plan_run

    parts = sync.parts()
    first = plan_run(parts, 1, Job.SERVICES, Mode.FULL)
    second = plan_run(parts, 1, Job.SERVICES, Mode.FULL)
    assert first.run_id is not None and second.skipped


def test_a_worker_killed_mid_batch_loses_nothing(
    synced_env: Stack, db: pg8000.native.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker stored the first page of a batch and died; SQS redelivers the whole batch, and a batch
    delivered again after it succeeded is a no-op."""
    import json

    from ai_admin.bootstrap import sync
    from ai_admin.sync.jobs import BatchSpec, Mode, Part
    from ai_admin.sync.runs import plan_run, process_batch

    monkeypatch.setenv("SYNC_PAGES_PER_BATCH", "3")  # batches of several pages, to die in the middle of one
    settings.reset()
    forget_cold_starts()
    parts = sync.parts()
    planned = plan_run(parts, 1, Job.CLIENTS, Mode.FULL)
    specs = [
        BatchSpec.from_message(json.loads(spec) if isinstance(spec, str) else spec)
        for (spec,) in db.run("SELECT spec FROM sync_batches WHERE run_id = :r ORDER BY seq", r=planned.run_id)
    ]
    victim = next(s for s in specs if s.part is Part.RECORD_PAGES and s.last_page > s.first_page)
    assert victim.window is not None
    partial = parts.paged.record_page(1, victim.first_page, victim.page_size, victim.window)
    parts.mirror.upsert_records(1, partial.items)  # ... and the worker died here, before finishing
    for spec in specs:  # the redelivered victim, and every other batch
        process_batch(parts, spec, final_attempt=False)
    process_batch(parts, victim, final_attempt=False)  # a duplicate delivery after success
    run = db.run("SELECT status, batches_done, batches_failed FROM sync_runs WHERE run_id = :r", r=planned.run_id)
    assert run[0] == ["completed", len(specs), 0]
    lookahead = synced_env.yclients.state.now().date() + timedelta(days=60)
    expected = {rid: v for rid, v in fake_records(synced_env).items() if v[2][:10] <= lookahead.isoformat()}
    assert stored_records(db, synced_env) == expected
