"""Killing Redis mid-burst loses no acknowledged message and answers none twice: the webhook's 200
means the message is in its SQS record, and PostgreSQL knows which turn answered it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ai_admin.local.eval.stage import Stage
from ai_admin.local.fault_drills import redis_kill_burst
from ai_admin.local.services import RedisProcess
from ai_admin.local.stack import Stack
from tests.integration.test_turn_safety import scenario


@pytest.fixture
def killable_redis() -> Iterator[RedisProcess]:
    server = RedisProcess().start()
    yield server
    server.kill()


@pytest.fixture
def stage_on_killable_redis(local_stack: Stack, clean_state: None, killable_redis: RedisProcess) -> Iterator[Stage]:
    env = {"AI_ADMIN_BRAIN": "offline", "REDIS_URL": killable_redis.url, "AI_ADMIN_CLOCK": "system"}
    with Stage.on(local_stack, worker_env=env, drop_prefixes=("LLM_",)) as running:
        yield running


def test_a_redis_killed_and_restarted_mid_burst_loses_no_acknowledged_message(
    stage_on_killable_redis: Stage, killable_redis: RedisProcess
) -> None:
    stage = stage_on_killable_redis
    salon = stage.prepare(scenario())
    report = redis_kill_burst(stage, salon, killable_redis, clients=3, messages=4, kill_after=0.4, down_s=1.0)
    assert report.redis_down_s >= 1.0  # the kill happened, mid-burst
    assert report.acknowledged == report.sent
    assert report.lost == 0, report
    assert report.dead_lettered == 0, report
    # every turn answered once, each with one reply: never more replies than messages
    assert report.replies == report.turns
    assert report.clients <= report.turns <= report.acknowledged
