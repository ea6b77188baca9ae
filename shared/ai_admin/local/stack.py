"""The whole product on one machine: PostgreSQL, Redis, AWS (moto), the external fakes and the
template's functions behind a local HTTP API, with the environment every function sees."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_admin.adapters.postgres_connection import connect
from ai_admin.local import services
from ai_admin.local.fake_whatsapp import FakeWhatsApp
from ai_admin.local.template import Template
from ai_admin.migrations import migrate

LOCAL_COMPANY_ID = 1
LOCAL_PHONE_NUMBER_ID = "100000000000001"
STATE_DIR_NAME = ".local"
STACK_ENV_FILE = "stack.env"

# Test-only credentials for the fakes; nothing here is a real secret.
LOCAL_SECRETS = {
    "YCLIENTS_PARTNER_TOKEN": "local-partner-token",
    "YCLIENTS_USER_TOKEN": "local-user-token",
    "YCLIENTS_WEBHOOK_SECRET": "local-yclients-webhook-secret",
    "WHATSAPP_APP_SECRET": "local-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "local-verify-token",
    "WHATSAPP_ACCESS_TOKEN": "local-access-token",
}
LOCAL_AWS = {
    "AWS_REGION": "eu-central-1",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "template.yaml").is_file():
            return candidate
    raise FileNotFoundError("template.yaml not found here or above; run from the project")


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


def seed_local_company(database_url: str) -> None:
    """The salon the local stack serves until a sync replaces its details."""
    conn = connect(database_url)
    try:
        conn.run(
            "INSERT INTO companies (company_id, title, address, timezone, whatsapp_phone_number_id)"
            " VALUES (:id, :title, :address, 'Europe/Moscow', :phone_id) ON CONFLICT (company_id) DO NOTHING",
            id=LOCAL_COMPANY_ID,
            title="Локальный барбершоп",
            address="ул. Примерная, 1",
            phone_id=LOCAL_PHONE_NUMBER_ID,
        )
    finally:
        conn.close()


@dataclass
class Stack:
    root: Path
    template: Template
    env: dict[str, str]
    services: services.Services
    moto: Any = None
    fake_whatsapp: FakeWhatsApp | None = None
    queue_urls: dict[str, str] = field(default_factory=dict)
    yclients: Any = None  # the fake YClients server (FakeYClients)
    closers: list[Any] = field(default_factory=list)
    pollers: list[Any] = field(default_factory=list)  # started by start_event_sources; waking a stopped one is a no-op

    def sqs(self) -> Any:
        import boto3

        return boto3.client(
            "sqs",
            region_name=self.env["AWS_REGION"],
            endpoint_url=self.env["AI_ADMIN_AWS_ENDPOINT_URL"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
        )

    def start_event_sources(
        self,
        resolve: Any,
        only: set[str] | None = None,
        warm: Callable[[], object] | None = None,
        max_idle_s: float = 0.5,
    ) -> list[Any]:
        """An SQS poller per SQS event source in the template (of the ``only`` functions, if given),
        invoking handlers from ``resolve(function, container)``, each thread running ``warm`` first and
        an idle poller polling at least every ``max_idle_s``; they stop with the stack (or earlier, by
        ``stop()``)."""
        from ai_admin.local.event_sources import SqsPoller

        pollers = []
        for function in self.template.functions().values():
            if only is not None and function.logical_id not in only:
                continue
            for source in function.sqs_sources:
                poller = SqsPoller(
                    sqs=self.sqs(),
                    queue_url=self.queue_urls[source.queue_logical_id],
                    function=function,
                    resolve=resolve,
                    source=source,
                    region=self.env["AWS_REGION"],
                    warm=warm,
                    max_idle_s=max_idle_s,
                ).start()
                self.closers.append(poller.stop)
                pollers.append(poller)
        self.pollers += pollers
        return pollers

    def wake_pollers(self, function_id: str) -> None:
        """Work was just enqueued for ``function_id``: its pollers receive now rather than after their idle wait."""
        for poller in self.pollers:
            if poller.function.logical_id == function_id:
                poller.wake()

    def close(self) -> None:
        for closer in reversed(self.closers):
            with contextlib.suppress(Exception):
                closer()
        if self.moto is not None:
            with contextlib.suppress(Exception):
                self.moto.stop()
        self.services.close()


def create_queues(stack: Stack) -> None:
    """The template's queues in the moto server, dead-letter queues first, redrive policies included;
    every function variable set to ``!Ref <Queue>`` gets that queue's URL in the stack environment."""
    sqs = stack.sqs()
    queues = stack.template.queues()
    ordered = sorted(queues.values(), key=lambda q: q.dead_letter_target is not None)
    for queue in ordered:
        props = queue.properties
        attributes: dict[str, str] = {
            key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
            for key in (
                "FifoQueue",
                "ContentBasedDeduplication",
                "VisibilityTimeout",
                "MessageRetentionPeriod",
            )
            if key in props
        }
        target = queue.dead_letter_target
        if target:
            arn = sqs.get_queue_attributes(QueueUrl=stack.queue_urls[target], AttributeNames=["QueueArn"])
            policy = {
                "deadLetterTargetArn": arn["Attributes"]["QueueArn"],
                "maxReceiveCount": str(props["RedrivePolicy"]["maxReceiveCount"]),
            }
            attributes["RedrivePolicy"] = json.dumps(policy)
        name = queue.logical_id + (".fifo" if queue.fifo else "")
        stack.queue_urls[queue.logical_id] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    for function in stack.template.functions().values():
        for variable, value in function.environment.items():
            if isinstance(value, dict) and value.get("Ref") in stack.queue_urls:
                stack.env[variable] = stack.queue_urls[value["Ref"]]


def start_fake_whatsapp(stack: Stack) -> None:
    fake = FakeWhatsApp(access_token=stack.env["WHATSAPP_ACCESS_TOKEN"]).start()
    stack.fake_whatsapp = fake
    stack.closers.append(fake.stop)
    stack.env["WHATSAPP_GRAPH_BASE_URL"] = fake.url


def start_yclients(env: dict[str, str]) -> Any:
    """The fake YClients with the default demo salon (generated in about 0.1 s), official limits on."""
    from ai_admin.local.fake_yclients import FakeYClients, generate

    fake = FakeYClients(
        generate(seed=1, clients=1100, company_id=LOCAL_COMPANY_ID),
        partner_token=LOCAL_SECRETS["YCLIENTS_PARTNER_TOKEN"],
        user_token=LOCAL_SECRETS["YCLIENTS_USER_TOKEN"],
    ).start()
    env["YCLIENTS_BASE_URL"] = fake.base_url
    return fake


class MotoProcess:
    """The moto server in a child process, for benchmarks: in the measured process its CPU, garbage
    collections and GIL would stall the code under test, which real AWS never does."""

    def __init__(self, port: int, start_timeout_s: float = 30.0) -> None:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - fixed argv
        deadline = time.monotonic() + start_timeout_s
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto server did not start on port {port}")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def start_aws(env: dict[str, str], own_process: bool = False) -> Any:
    port = free_port()
    server: Any
    if own_process:
        server = MotoProcess(port)
    else:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
    env["AI_ADMIN_AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    return server


@contextlib.contextmanager
def running(
    root: Path,
    *,
    state_dir: Path | None = None,
    scratch_database: bool = False,
    with_aws: bool = True,
    with_yclients: bool = True,
    aws_in_own_process: bool = False,
) -> Iterator[Stack]:
    """Start everything the functions need and yield the stack; stops it all on exit."""
    state = state_dir or root / STATE_DIR_NAME
    found = services.start(state, scratch_database=scratch_database)
    try:
        migrate(found.database_url)
        seed_local_company(found.database_url)
        env = {
            **LOCAL_AWS,
            **LOCAL_SECRETS,
            "DATABASE_URL": found.database_url,
            "REDIS_URL": found.redis_url,
            "AI_ADMIN_STAGE": "local",
            "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
        }
        stack = Stack(root=root, template=Template.load(root / "template.yaml"), env=env, services=found)
        start_fake_whatsapp(stack)
        if with_aws:
            stack.moto = start_aws(env, own_process=aws_in_own_process)
            create_queues(stack)
        if with_yclients:
            stack.yclients = start_yclients(env)
            stack.closers.append(stack.yclients.stop)
        yield stack
    finally:
        if "stack" in locals():
            stack.close()
        else:
            found.close()


def write_env_file(path: Path, env: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by `ai-admin stack` while it runs; other ai-admin commands read it."]
    lines += [f"{key}={value}" for key, value in sorted(env.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
