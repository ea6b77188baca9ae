"""The YClients client every function shares: one httpx pool and one Redis limiter per cold start."""

from __future__ import annotations

import functools

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.adapters.redis_rate_limiter import RedisRateLimiter
from ai_admin.settings import RedisSettings, YClientsSettings, load


@functools.cache
def yclients_client() -> YClientsClient:
    config = load(YClientsSettings)
    limiter = RedisRateLimiter.from_settings(connect_redis(load(RedisSettings)), config)
    return YClientsClient(config, limiter)
