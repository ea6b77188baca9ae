"""Eight workers, one fake YClients, in a process of their own: ``python -m tests.integration.rate_limit_hammer``.

The limiter stamps a request when Redis admits it; the fake stamps it when its handler runs. Whatever
stalls the process between the two stamps shifts a whole burst of arrivals later while Redis's clock
runs on, so the next admissions land inside the fake's window. In the pytest process such stalls are
not under the test's control: a collection of the suite's heap, the session stack's moto server and SQS
pollers. A fresh process holds only the fake and the workers, as a Lambda holds only its own code, and
the margin is left to absorb what it is for: the scheduling of nine threads on two cores.

Reads one JSON job on stdin, prints one JSON result on stdout.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import redis

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.adapters.redis_rate_limiter import RedisRateLimiter, Window
from ai_admin.local.fake_yclients import FakeYClients, Limits, generate
from tests.conftest import FAKE_NOW, FAKE_TODAY, yclients_config

WORKERS = 8


def hammer(
    fake: FakeYClients, redis_url: str, windows: list[Window], scope: str, total: int, margin_s: float
) -> list[str]:
    """``WORKERS`` threads, each with its own limiter, Redis connection and HTTP pool: ``total`` calls."""
    remaining = [total]
    lock = threading.Lock()
    failures: list[str] = []

    def worker() -> None:
        limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), windows, scope=scope, margin_s=margin_s)
        client = YClientsClient(yclients_config(fake, max_retries=0), limiter)
        try:
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                client.staff(1)
        except Exception as error:
            failures.append(repr(error))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, name=f"hammer-{n}") for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    if any(thread.is_alive() for thread in threads):
        failures.append("a worker was still running after 90 s")
    return failures


def run(job: dict[str, Any]) -> dict[str, Any]:
    state = generate(seed=1, clients=20, company_id=1, today=FAKE_TODAY)
    state.set_now(FAKE_NOW)
    windows = [Window(limit, seconds) for limit, seconds in job["windows"]]
    with FakeYClients(state, limits=Limits(**job["limits"])) as fake:
        failures = hammer(fake, job["redis_url"], windows, job["scope"], job["total"], job["margin_s"])
        log = list(fake.request_log)
        return {
            "failures": failures,
            "requests": len(log),
            "statuses": sorted({entry.status for entry in log}),
            "throttled": sum(entry.throttled for entry in log),
            "max_in_window": {str(seconds): fake.max_in_window(seconds) for seconds in job["check_windows"]},
        }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
