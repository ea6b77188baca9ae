"""One redis-py client per process from ``REDIS_URL`` (``rediss://`` for ElastiCache, ``unix://`` locally)."""

from __future__ import annotations

import redis

from ai_admin.settings import RedisSettings


def connect(config: RedisSettings) -> redis.Redis:
    return redis.Redis.from_url(
        config.url,
        socket_timeout=config.socket_timeout_s,
        socket_connect_timeout=config.socket_timeout_s,
        health_check_interval=30,
    )
