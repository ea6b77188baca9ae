"""Nightly clients+visits+goods sync against the fake YClients at the official limits, 150 ms latency.

Prints requests, wall time, the rate-limit bound (the least time the limits need to admit that many
requests), their ratio, an incremental run after 1% of records changed, and for the default salon the
old system's method (one records request per client, 500 ms apart, sequential) measured in the same run.
``--quick`` multiplies the fake's and the limiter's limits by 10 and divides the old method's pause by
10, for a short run; its figures are reported as such. The last line printed is one JSON object.

The salon is generated as it stood at noon yesterday: the generator's present is noon of its day, and
today's salon read before noon would hold changes from the future, which every incremental run counts
as new (about 550 records for 10,000 clients at 07:00), so the figures would depend on the hour.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "shared"))

from ai_admin import settings  # noqa: E402
from ai_admin.adapters.httpx_yclients import YClientsClient  # noqa: E402
from ai_admin.adapters.postgres_connection import connect  # noqa: E402
from ai_admin.adapters.redis_connection import connect as connect_redis  # noqa: E402
from ai_admin.adapters.redis_rate_limiter import RedisRateLimiter  # noqa: E402
from ai_admin.local import stack as stack_module  # noqa: E402
from ai_admin.local.fake_yclients import FakeYClients, Limits, generate  # noqa: E402
from ai_admin.local.invoke import forget_cold_starts  # noqa: E402
from ai_admin.local.sync_console import run_sync  # noqa: E402
from ai_admin.settings import RedisSettings, YClientsSettings, load  # noqa: E402
from ai_admin.sync.jobs import Job  # noqa: E402
from ai_admin.yclients.payloads import RecordsQuery  # noqa: E402

LATENCY_S = 0.15
OLD_PAUSE_S = 0.5


def admission_bound(requests: int, per_second: int, per_minute: int) -> float:
    """The earliest time the last of ``requests`` can be admitted under both sliding windows."""
    times: list[float] = []
    for i in range(requests):
        t = 0.0
        if i >= per_second:
            t = max(t, times[i - per_second] + 1.0)
        if i >= per_minute:
            t = max(t, times[i - per_minute] + 60.0)
        times.append(t)
    return times[-1] if times else 0.0


def reset(stack: stack_module.Stack) -> None:
    conn = connect(stack.env["DATABASE_URL"])
    try:
        conn.run("TRUNCATE clients, records, goods_transactions, sync_runs, sync_batches, sync_watermarks CASCADE")
    finally:
        conn.close()
    connect_redis(load(RedisSettings)).flushdb()
    forget_cold_starts()


def warm_up(stack: stack_module.Stack) -> None:
    """One small job through planner, queue and worker, so that timed runs do not include this process's
    first import of the functions' code (a deployed function has it loaded); each timed run still
    builds its own connections and clients from nothing."""
    runs = run_sync(stack, [Job.COMPANY], full=True, company_id=1, show_progress=False)
    assert runs and runs[0]["status"] == "completed", runs


def measure(stack: stack_module.Stack, fake: FakeYClients, *, full: bool) -> tuple[int, float]:
    fake.clear_log()
    started = time.perf_counter()
    runs = run_sync(stack, [Job.CLIENTS], full=full, company_id=1, show_progress=False)
    wall = time.perf_counter() - started
    assert runs and runs[0]["status"] == "completed", runs
    return sum(fake.requests_by_endpoint().values()), wall


def old_method(fake: FakeYClients, pause_s: float) -> tuple[int, float]:
    """The replaced system's visit sync: every client, then one records request per client with visits."""
    fake.clear_log()
    config = load(YClientsSettings)
    client = YClientsClient(config, RedisRateLimiter.from_settings(connect_redis(load(RedisSettings)), config))
    today = fake.state.now().date()
    started = time.perf_counter()
    clients = [c for c in client.iter_clients(1) if c.visits_count >= 1]
    for summary in clients:
        query = RecordsQuery(
            start_date=today - timedelta(days=730),
            end_date=today,
            client_id=summary.id,
            include_finance_transactions=True,
        )
        client.records(1, query, 1, 200)
        time.sleep(pause_s)
    client.close()
    return sum(fake.requests_by_endpoint().values()), time.perf_counter() - started


def bench_salon(stack: stack_module.Stack, clients: int, scale: int, old: bool) -> dict[str, float | int]:
    per_second, per_minute = 5 * scale, 200 * scale
    state = generate(seed=1, clients=clients, company_id=1, today=date.today() - timedelta(days=1))
    fake = FakeYClients(state, limits=Limits(per_second=per_second, per_minute=per_minute)).start()
    fake.faults.latency_s = LATENCY_S
    os.environ.update(
        {
            "YCLIENTS_BASE_URL": fake.base_url,
            "YCLIENTS_RATE_PER_SECOND": str(per_second),
            "YCLIENTS_RATE_PER_MINUTE": str(per_minute),
        }
    )
    settings.reset()
    try:
        reset(stack)
        warm_up(stack)
        reset(stack)
        requests, wall = measure(stack, fake, full=True)
        bound = admission_bound(requests, per_second, per_minute)
        with state.lock:
            ids = sorted(state.records)
        for record_id in random.Random(7).sample(ids, max(1, len(ids) // 100)):
            with state.lock:
                attendance = state.records[record_id].attendance
            state.set_attendance(record_id, 1 if attendance != 1 else -1, source="admin")
        incremental_requests, incremental_wall = measure(stack, fake, full=False)
        result: dict[str, float | int] = {
            "clients": clients,
            "records": len(ids),
            "requests": requests,
            "wall_s": round(wall, 2),
            "bound_s": round(bound, 2),
            "ratio": round(wall / bound, 3) if bound else 0.0,
            "incremental_requests": incremental_requests,
            "incremental_share": round(incremental_requests / requests, 3),
            "incremental_wall_s": round(incremental_wall, 2),
        }
        if old:
            reset(stack)
            old_requests, old_wall = old_method(fake, OLD_PAUSE_S / scale)
            result.update({"old_requests": old_requests, "old_wall_s": round(old_wall, 2)})
        return result
    finally:
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="limits x10 and the old pause /10")
    parser.add_argument("--sizes", default="1100,10000", help="client counts, comma separated")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    with stack_module.running(
        ROOT, state_dir=Path(tempfile.mkdtemp()), scratch_database=True, with_yclients=False, aws_in_own_process=True
    ) as stack:
        os.environ.update(stack.env)
        settings.reset()
        results = []
        for size in (int(s) for s in args.sizes.split(",")):
            result = bench_salon(stack, size, scale, old=size == 1100)
            results.append(result)
            print(f"{'quick ' if args.quick else ''}{size} clients: {result}", flush=True)
    default = next((r for r in results if r["clients"] == 1100), results[0])
    summary = {
        "mode": "quick (limits x10)" if args.quick else "official limits",
        "clients": default["clients"],
        "requests": default["requests"],
        "wall_s": default["wall_s"],
        "bound_s": default["bound_s"],
        "ratio": default["ratio"],
        "old_requests": default.get("old_requests"),
        "old_wall_s": default.get("old_wall_s"),
        "incremental_requests": default["incremental_requests"],
        "sizes": results,
    }
    if default.get("old_requests"):
        summary["fewer_requests_x"] = round(float(default["old_requests"]) / float(default["requests"]), 1)
        summary["less_wall_x"] = round(float(default["old_wall_s"]) / float(default["wall_s"]), 1)
    summary["incremental_share"] = round(float(default["incremental_requests"]) / float(default["requests"]), 3)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
