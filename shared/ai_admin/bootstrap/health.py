"""Composition of the health function: adapters built once per cold start."""

from __future__ import annotations

import functools

from ai_admin.adapters.postgres_probe import PostgresProbe
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.adapters.redis_probe import RedisProbe
from ai_admin.health.check import HealthReport, Probe, check_health
from ai_admin.settings import PostgresSettings, RedisSettings, load


@functools.cache
def probes() -> tuple[Probe, ...]:
    return (PostgresProbe(load(PostgresSettings)), RedisProbe(connect_redis(load(RedisSettings))))


def report() -> HealthReport:
    return check_health(probes())
