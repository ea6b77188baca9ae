"""Many workers, one budget: the Redis limiter keeps every 1 s and 60 s window of the fake's log in bounds."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.adapters.redis_rate_limiter import RedisRateLimiter, Window
from ai_admin.local.fake_yclients import FakeYClients, Limits
from ai_admin.local.stack import Stack
from ai_admin.yclients.errors import RateBudgetExhausted
from tests.conftest import yclients_config

WORKERS = 8
# The limiter stamps a request when it admits it; the fake stamps it when its handler runs. Here both
# share one Python process on a loaded 2-core CI machine, so the gap between the two stamps is thread
# scheduling, which can exceed production's 50 ms network margin. The margin absorbs that gap; what the
# tests prove - eight independent limiters sharing one budget through Redis - does not depend on it.
SCHEDULING_MARGIN_S = 0.25


def hammer(fake: FakeYClients, redis_url: str, windows: list[Window], scope: str, total: int) -> None:
    """``WORKERS`` threads, each with its own limiter, Redis connection and HTTP pool: ``total`` calls."""
    remaining = [total]
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker() -> None:
        limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), windows, scope=scope, margin_s=SCHEDULING_MARGIN_S)
        client = YClientsClient(yclients_config(fake, max_retries=0), limiter)
        try:
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                client.staff(1)
        except BaseException as error:
            failures.append(error)
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures[:1]


def test_workers_stay_inside_both_official_windows(fake_yclients: FakeYClients, local_stack: Stack) -> None:
    fake_yclients.limits = Limits(per_second=20, per_minute=100)
    scope = f"test-{uuid.uuid4().hex[:8]}"
    windows = [Window(20, 1.0), Window(100, 60.0)]
    hammer(fake_yclients, local_stack.env["REDIS_URL"], windows, scope, total=100)
    log = fake_yclients.request_log
    assert len(log) == 100 and not [e for e in log if e.throttled or e.status != 200]
    assert fake_yclients.max_in_window(1.0) <= 20
    assert fake_yclients.max_in_window(60.0) <= 100
    # The minute's budget is spent: the next caller would have to wait out most of the minute.
    limiter = RedisRateLimiter(redis.Redis.from_url(local_stack.env["REDIS_URL"]), windows, scope=scope)
    assert limiter.try_acquire() > 50
    impatient = RedisRateLimiter(
        redis.Redis.from_url(local_stack.env["REDIS_URL"]), windows, scope=scope, max_wait_s=1.0
    )
    with pytest.raises(RateBudgetExhausted):
        impatient.acquire()


def test_the_long_window_holds_when_it_is_the_binding_one(fake_yclients: FakeYClients, local_stack: Stack) -> None:
    # The per-minute rule with its window shortened to 3 s, so the wait for it fits in a test.
    fake_yclients.limits = Limits(per_second=20, per_minute=30, minute_s=3.0)
    scope = f"test-{uuid.uuid4().hex[:8]}"
    hammer(fake_yclients, local_stack.env["REDIS_URL"], [Window(20, 1.0), Window(30, 3.0)], scope, total=45)
    log = fake_yclients.request_log
    assert len(log) == 45 and not [e for e in log if e.throttled]
    assert fake_yclients.max_in_window(1.0) <= 20
    assert fake_yclients.max_in_window(3.0) <= 30


def test_without_the_limiter_the_fake_throttles(fake_yclients: FakeYClients, local_stack: Stack) -> None:
    fake_yclients.limits = Limits(per_second=5, per_minute=200, mode="200")
    scope = f"test-{uuid.uuid4().hex[:8]}"
    wide_open = [Window(1000, 1.0)]
    with pytest.raises(AssertionError, match="RateLimited"):
        hammer(fake_yclients, local_stack.env["REDIS_URL"], wide_open, scope, total=40)
    assert any(e.throttled and e.status == 200 for e in fake_yclients.request_log)
