"""The clock every function reads the current moment from, chosen once per cold start."""

from __future__ import annotations

import functools

from ai_admin.adapters.clocks import RedisClock, SystemClock
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.conversation.ports import Clock
from ai_admin.settings import AppSettings, RedisSettings, load


@functools.cache
def clock() -> Clock:
    if load(AppSettings).clock == "redis":
        return RedisClock(connect_redis(load(RedisSettings)))
    return SystemClock()
