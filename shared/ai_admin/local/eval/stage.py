"""The product as scenarios meet it: one local stack per eval, the template's HTTP routes and SQS
consumers running in this process, a fake YClients re-seeded for every scenario run, and the means
to drive it (signed deliveries, the frozen clock) and to know when it has finished reacting.

Each scenario run gets a salon of its own: a new company id and WhatsApp ``phone_number_id``, its
catalogue, staff, schedules, clients and records synced into PostgreSQL through the sync use cases,
and no Redis state left from earlier runs.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import redis

from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.redis_inbox import RedisInbox
from ai_admin.adapters.redis_llm_meter import RedisLlmMeter
from ai_admin.local.eval.loading import LoadedScenario
from ai_admin.local.eval.salon_sync import ALL_JOBS, sync_salon
from ai_admin.local.fake_whatsapp import SentMessage
from ai_admin.local.fake_yclients import FakeYClients, Limits, SalonState, state_from_scenario
from ai_admin.local.fake_yclients.state import Company
from ai_admin.local.gateway import LocalHttpApi, bind_routes
from ai_admin.local.inbound import contact, envelope, messages_value, signed
from ai_admin.local.invoke import patched_environ, resolve_handler
from ai_admin.local.stack import LOCAL_SECRETS, Stack
from ai_admin.sync.jobs import Mode

CLOCK_KEY = "ai-admin:clock:now"
SYNC_WORKER = "SyncWorkerFunction"  # sync batches are processed inline (salon_sync.py)
FIRST_COMPANY_ID = 1001
# What the worker sees during an eval on top of the stack's environment.
EVAL_ENV = {
    "WHATSAPP_DEBOUNCE_S": "0.3",
    "WHATSAPP_SEND_BACKOFF_BASE_S": "0.01",
    "WHATSAPP_SEND_BACKOFF_CAP_S": "0.05",
    "YCLIENTS_RATE_PER_SECOND": "1000",
    "YCLIENTS_RATE_PER_MINUTE": "60000",
    "YCLIENTS_BACKOFF_BASE_S": "0.01",
    "YCLIENTS_BACKOFF_CAP_S": "0.05",
    "AI_ADMIN_CLOCK": "redis",
    "AI_ADMIN_LLM_METER": "redis",
}


class PipelineBusy(TimeoutError):
    """The pipeline did not go idle in time (a turn hangs, or messages keep coming back)."""


@dataclass
class Salon:
    """One scenario run's salon in the stack."""

    company_id: int
    phone_number_id: str
    state: SalonState

    @property
    def tz(self) -> ZoneInfo:
        return self.state.tz


class Stage:
    def __init__(self, stack: Stack, fake: FakeYClients, api: LocalHttpApi, queue_urls: list[str]) -> None:
        self.stack = stack
        self.fake = fake
        self.api = api
        self.queue_urls = queue_urls
        self.redis = redis.Redis.from_url(stack.env["REDIS_URL"])
        self.meter = RedisLlmMeter(self.redis)
        self.inbox = RedisInbox(self.redis, dedup_ttl_s=1)  # read-only here: is a client's turn pending?
        self._http = httpx.Client(timeout=15)
        self._db = connect(stack.env["DATABASE_URL"])
        self._sqs = stack.sqs()
        self._next_company = FIRST_COMPANY_ID

    @classmethod
    @contextlib.contextmanager
    def on(
        cls, stack: Stack, worker_env: Mapping[str, str] | None = None, drop_prefixes: Sequence[str] = ()
    ) -> Iterator[Stage]:
        """Serve the product from ``stack`` with the eval settings until the block ends."""
        empty = SalonState(Company(0, "", "", ""))
        fake = FakeYClients(
            empty,
            partner_token=LOCAL_SECRETS["YCLIENTS_PARTNER_TOKEN"],
            user_token=LOCAL_SECRETS["YCLIENTS_USER_TOKEN"],
            limits=Limits(enabled=False),
        ).start()
        env = {**stack.env, **EVAL_ENV, "YCLIENTS_BASE_URL": fake.base_url, **(worker_env or {})}
        pollers: list[Any] = []
        api: LocalHttpApi | None = None
        try:
            with patched_environ(env, drop_prefixes=drop_prefixes, cold=True):
                functions = list(stack.template.functions().values())
                api = LocalHttpApi(bind_routes(functions, resolve_handler), port=0).start()
                consumers = {f.logical_id for f in functions if f.sqs_sources and f.logical_id != SYNC_WORKER}
                pollers = stack.start_event_sources(resolve_handler, only=consumers)
                queue_urls = [
                    stack.queue_urls[s.queue_logical_id]
                    for f in functions
                    if f.logical_id in consumers
                    for s in f.sqs_sources
                ]
                stage = cls(stack, fake, api, queue_urls)
                try:
                    yield stage
                finally:
                    for poller in pollers:
                        poller.stop()
                        stack.closers.remove(poller.stop)
                    stage.close()
        finally:
            if api is not None:
                api.stop()
            fake.stop()

    def close(self) -> None:
        self._http.close()
        with contextlib.suppress(Exception):
            self._db.close()
        self.redis.close()

    # --- a salon per scenario run -----------------------------------------------------------------

    def prepare(self, scenario: LoadedScenario) -> Salon:
        """A fresh salon for one run of ``scenario``, synced into PostgreSQL, its clock frozen at ``now``."""
        company_id = self._next_company
        self._next_company += 1
        state = state_from_scenario(scenario.raw, company_id=company_id)
        self.fake.state = state
        self.fake.faults.clear()
        salon = Salon(company_id, str(200_000_000_000_000 + company_id), state)
        spec = scenario.spec
        hours = {"open": f"{spec.salon.hours.open:%H:%M}", "close": f"{spec.salon.hours.close:%H:%M}"}
        self._db.run(
            "INSERT INTO companies (company_id, title, address, timezone, whatsapp_phone_number_id, settings)"
            " VALUES (:id, :title, :address, :tz, :phone_id, CAST(:settings AS jsonb))"
            " ON CONFLICT (company_id) DO UPDATE SET title = EXCLUDED.title, address = EXCLUDED.address,"
            " timezone = EXCLUDED.timezone, whatsapp_phone_number_id = EXCLUDED.whatsapp_phone_number_id,"
            " settings = EXCLUDED.settings, active = true",
            id=company_id,
            title=spec.salon.title,
            address=spec.salon.address,
            tz=spec.salon.timezone,
            phone_id=salon.phone_number_id,
            settings=json.dumps({"hours": hours}),
        )
        # the salon's keys (inbox, turn, context ...) and any keyed by the client's phone alone
        for pattern in (f"*:{company_id}:*", f"wa:{{{company_id}:*", f"*{spec.client.wa_id}*"):
            for key in self.redis.scan_iter(match=pattern, count=1000):
                self.redis.delete(key)
        self.meter.reset()
        now = spec.local(spec.now)
        self.set_clock(salon, now)
        sync_salon(company_id, ALL_JOBS, at=now, mode=Mode.FULL)
        self.fake.clear_log()  # from here on, requests are the product's
        return salon

    def handoffs(self, salon: Salon) -> int:
        """Hand-offs to a person opened for this run's salon (each run has its own salon and one client)."""
        return int(self._db.run("SELECT count(*) FROM handoffs WHERE company_id = :id", id=salon.company_id)[0][0])

    def set_clock(self, salon: Salon, moment: datetime) -> None:
        """The frozen salon clock, for the worker (Redis, ISO-8601 with offset) and the fake CRM."""
        self.redis.set(CLOCK_KEY, moment.isoformat())
        salon.state.set_now(moment)

    # --- driving and observing ----------------------------------------------------------------------

    def deliver(self, salon: Salon, wa_id: str, name: str | None, message: dict[str, Any]) -> None:
        value = messages_value([message], [contact(wa_id, name)], phone_number_id=salon.phone_number_id)
        body, headers = signed(envelope([value]), self.stack.env["WHATSAPP_APP_SECRET"])
        try:
            response = self._http.post(f"{self.api.url}/webhook", content=body, headers=headers)
        except httpx.HTTPError as error:
            raise PipelineBusy(f"the webhook did not answer: {type(error).__name__}") from error
        if response.status_code != 200:
            raise PipelineBusy(f"the webhook answered HTTP {response.status_code}: {response.text[:200]}")

    def sent(self) -> list[SentMessage]:
        fake = self.stack.fake_whatsapp
        return fake.sent() if fake is not None else []

    def crm_requests(self) -> int:
        return len(self.fake.request_log)

    def _busy(self, salon: Salon, client_key: str) -> bool:
        if self.inbox.pending_since(salon.company_id, client_key) is not None:
            return True
        for url in self.queue_urls:
            names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            found = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
            if any(int(found.get(name, 0)) for name in names):
                return True
        return False

    def wait_idle(self, salon: Salon, client_key: str, timeout_s: float = 30.0) -> None:
        """Until nothing waits in the client's buffer, no turn is open and every consumed queue is
        empty with nothing in flight, seen twice in a row."""
        deadline = time.monotonic() + timeout_s
        quiet = 0
        while quiet < 2:
            quiet = 0 if self._busy(salon, client_key) else quiet + 1
            if time.monotonic() > deadline:
                raise PipelineBusy(f"the pipeline was still busy after {timeout_s:g} s")
            time.sleep(0.05)
