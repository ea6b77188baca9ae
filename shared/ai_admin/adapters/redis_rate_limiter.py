"""A sliding-window rate limiter in Redis, shared by every process and thread behind one egress IP.

YClients counts requests per source IP (5/s and 200/min), and every Lambda behind the same NAT shares
that budget, so the log of admitted requests lives in Redis and one Lua script checks and records
atomically against every window, using the Redis server's clock.
"""

from __future__ import annotations

import itertools
import os
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis

from ai_admin.domain import deadlines
from ai_admin.domain.errors import StorageUnavailable
from ai_admin.settings import YClientsSettings
from ai_admin.yclients.errors import RateBudgetExhausted

# KEYS: one sorted set per window. ARGV: member, then limit and window (ms) per key.
# Returns 0 when admitted (recorded in every window), else the milliseconds until a place frees up.
_ADMIT = """
pcall(redis.replicate_commands)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local free_in = tonumber(oldest[2]) + window - now + 1
    if free_in > wait then wait = free_in end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]) + 1000)
end
return 0
"""


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: float


class RedisRateLimiter:
    """``acquire()`` blocks until every window has room; ``scope`` names the shared egress (IP/NAT).

    ``margin_s`` widens each window slightly: a request admitted here reaches YClients a few
    milliseconds later, and jitter in that delay must not let two admissions land inside one window.
    """

    def __init__(
        self,
        client: redis.Redis,
        windows: Sequence[Window],
        *,
        scope: str = "default",
        margin_s: float = 0.05,
        max_wait_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not windows:
            raise ValueError("at least one window")
        self._redis = client
        self._windows = tuple(windows)
        self._keys = [f"yclients:ratelimit:{{{scope}}}:{w.limit}/{w.seconds:g}s" for w in self._windows]
        self._args = [value for w in self._windows for value in (w.limit, round((w.seconds + margin_s) * 1000))]
        self._script = client.register_script(_ADMIT)
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._ids = itertools.count()
        self._prefix = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._rng = random.Random()  # noqa: S311 - spreads contenders, not security

    @classmethod
    def from_settings(cls, client: redis.Redis, config: YClientsSettings) -> RedisRateLimiter:
        return cls(
            client,
            [Window(config.rate_per_second, 1.0), Window(config.rate_per_minute, 60.0)],
            scope=config.rate_limit_scope,
            margin_s=config.rate_limit_margin_s,
            max_wait_s=config.rate_limit_max_wait_s,
        )

    def try_acquire(self) -> float:
        """0 when admitted now, else the seconds to wait before trying again."""
        member = f"{self._prefix}-{next(self._ids)}"
        try:
            wait_ms = self._script(keys=self._keys, args=[member, *self._args])
        except (redis.RedisError, OSError) as error:
            raise StorageUnavailable(f"rate limiter: {type(error).__name__}") from None
        return int(wait_ms) / 1000

    def acquire(self) -> None:
        deadline = time.monotonic() + deadlines.cap(self._max_wait_s)
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return
            if time.monotonic() + wait > deadline:
                raise RateBudgetExhausted("rate limiter", f"no room within {self._max_wait_s:g} s")
            self._sleep(wait + self._rng.uniform(0, 0.01))
