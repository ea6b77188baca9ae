"""Many workers, one budget: the Redis limiter keeps every 1 s and 60 s window of the fake's log in bounds.

The fake and its eight workers run in a child process (``rate_limit_hammer``), away from whatever stalls
the pytest process between a request's admission and its arrival; that module says why.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest
import redis

from ai_admin.adapters.redis_rate_limiter import RedisRateLimiter, Window
from ai_admin.local.stack import Stack
from ai_admin.yclients.errors import RateBudgetExhausted
from tests.conftest import ROOT

# The limiter widens each window by this much. Production uses 50 ms for network jitter; here the gap
# between the two stamps is nine threads sharing two cores, which a loaded CI machine stretches further.
SCHEDULING_MARGIN_S = 0.25


def hammer(
    redis_url: str, windows: list[Window], limits: dict[str, Any], scope: str, total: int, check_windows: list[float]
) -> dict[str, Any]:
    job = {
        "redis_url": redis_url,
        "windows": [[w.limit, w.seconds] for w in windows],
        "limits": limits,
        "scope": scope,
        "total": total,
        "margin_s": SCHEDULING_MARGIN_S,
        "check_windows": check_windows,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.rate_limit_hammer"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_workers_stay_inside_both_official_windows(local_stack: Stack) -> None:
    scope = f"test-{uuid.uuid4().hex[:8]}"
    windows = [Window(20, 1.0), Window(100, 60.0)]
    limits = {"per_second": 20, "per_minute": 100}
    result = hammer(local_stack.env["REDIS_URL"], windows, limits, scope, total=100, check_windows=[1.0, 60.0])
    assert result["failures"] == []
    assert result["requests"] == 100 and result["throttled"] == 0 and result["statuses"] == [200]
    assert result["max_in_window"]["1.0"] <= 20
    assert result["max_in_window"]["60.0"] <= 100
    # The minute's budget is spent: the next caller would have to wait out most of the minute.
    limiter = RedisRateLimiter(redis.Redis.from_url(local_stack.env["REDIS_URL"]), windows, scope=scope)
    assert limiter.try_acquire() > 50
    impatient = RedisRateLimiter(
        redis.Redis.from_url(local_stack.env["REDIS_URL"]), windows, scope=scope, max_wait_s=1.0
    )
    with pytest.raises(RateBudgetExhausted):
        impatient.acquire()


def test_the_long_window_holds_when_it_is_the_binding_one(local_stack: Stack) -> None:
    # The per-minute rule with its window shortened to 3 s, so the wait for it fits in a test.
    scope = f"test-{uuid.uuid4().hex[:8]}"
    windows = [Window(20, 1.0), Window(30, 3.0)]
    limits = {"per_second": 20, "per_minute": 30, "minute_s": 3.0}
    result = hammer(local_stack.env["REDIS_URL"], windows, limits, scope, total=45, check_windows=[1.0, 3.0])
    assert result["failures"] == []
    assert result["requests"] == 45 and result["throttled"] == 0
    assert result["max_in_window"]["1.0"] <= 20
    assert result["max_in_window"]["3.0"] <= 30


def test_without_the_limiter_the_fake_throttles(local_stack: Stack) -> None:
    scope = f"test-{uuid.uuid4().hex[:8]}"
    wide_open = [Window(1000, 1.0)]
    limits = {"per_second": 5, "per_minute": 200, "mode": "200"}
    result = hammer(local_stack.env["REDIS_URL"], wide_open, limits, scope, total=40, check_windows=[1.0])
    assert result["failures"] and all("RateLimited" in failure for failure in result["failures"])
    # The 200 variant: throttled answers come back as HTTP 200 with success false.
    assert result["throttled"] > 0 and result["statuses"] == [200]
