"""The whole product on one machine: PostgreSQL, Redis, AWS (moto), the external fakes and the
template's functions behind a local HTTP API, with the environment every function sees."""

from __future__ import annotations

import contextlib
import json
import logging
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
OWNER_FILE = "owner.pid"
SALON_FILE = "fake_yclients.json"
STACK_PID = "AI_ADMIN_STACK_PID"

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


class StackBusy(RuntimeError):
    """Another live process owns the local servers of this state folder."""


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def owning(state: Path) -> Iterator[None]:
    """This process runs the servers kept in ``state`` (embedded PostgreSQL, Redis, the fake salon) for
    the block; a second process gets ``StackBusy`` instead of starting, sharing or stopping them."""
    state.mkdir(parents=True, exist_ok=True)
    path = state / OWNER_FILE
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(path)
            if owner == os.getpid():
                yield  # nested in this process: the outer block owns and releases
                return
            if owner is not None and pid_alive(owner):
                raise StackBusy(
                    f"another ai-admin process (pid {owner}) is using the local servers in {state}"
                ) from None
            path.unlink(missing_ok=True)  # a dead process's leftover
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(str(os.getpid()))
        break
    try:
        yield
    finally:
        if _owner(path) == os.getpid():
            path.unlink(missing_ok=True)


def attached_env(state: Path) -> dict[str, str] | None:
    """The environment of the ``ai-admin stack`` running from ``state``, or None when none runs (its
    process is gone, or its PostgreSQL or Redis no longer answers)."""
    env = read_env_file(state / STACK_ENV_FILE)
    pid = env.get(STACK_PID, "")
    if not (pid.isdigit() and pid_alive(int(pid))):
        return None
    if not (
        services.postgres_answers(env.get("DATABASE_URL", "")) and services.redis_answers(env.get("REDIS_URL", ""))
    ):
        return None
    return env


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


def start_yclients(
    env: dict[str, str], state: Path | None = None, exclusive: bool = False
) -> tuple[Any, Callable[[], None]]:
    """The fake YClients (official limits on) with the demo salon saved in ``state`` by the last run, so
    bookings made in chat survive a restart; a new demo salon (generated in about 0.1 s) when there is
    none or it does not read back, and then the database forgets what named the old salon's records.

    A stack holds the database's demo-salon lock while it runs. Only the stack that holds it may make the
    database forget a salon; ``exclusive`` (``ai-admin stack``) refuses to start without it, so a second
    long-running stack on the same ``DATABASE_URL`` fails with one line, while a command's own short
    stack beside another's leaves that salon as it is."""
    from ai_admin.local.fake_yclients import FakeYClients, generate
    from ai_admin.local.fake_yclients.snapshot import SnapshotError, SnapshotWriter, load

    path = state / SALON_FILE if state is not None else None
    claim = _claim_database(env["DATABASE_URL"], state, exclusive) if state is not None else None
    salon = None
    if path is not None and path.is_file():
        try:
            salon = load(path)
            print(f"fake YClients: the demo salon as the last run left it ({path})")
        except SnapshotError as error:
            print(f"fake YClients: {error}; starting a new demo salon")
    if salon is None:
        salon = generate(seed=1, clients=1100, company_id=LOCAL_COMPANY_ID)
        if path is not None:
            print(f"fake YClients: a new demo salon, kept in {path} from now on")
            if claim is None:
                print("fake YClients: another local stack keeps its salon in this database; it is left as it is")
            elif forget_local_salon(env):
                print(
                    "fake YClients: cleared the old salon's records, clients, notifications, dialog contexts and"
                    " sync watermarks from PostgreSQL and Redis (the start-up sync refills them)"
                )
    writer = SnapshotWriter(salon, path) if path is not None else None
    fake = FakeYClients(
        salon,
        partner_token=LOCAL_SECRETS["YCLIENTS_PARTNER_TOKEN"],
        user_token=LOCAL_SECRETS["YCLIENTS_USER_TOKEN"],
        on_write=writer.changed if writer is not None else None,
    ).start()
    env["YCLIENTS_BASE_URL"] = fake.base_url

    def stop() -> None:
        fake.stop()
        if writer is not None:
            writer.close()
        if claim is not None:
            claim.close()  # the advisory lock goes with its session

    return fake, stop


_SALON_CLAIM = 0x41494144  # one stack's demo salon per database ("AIAD"); advisory locks are per database


def _claim_database(url: str, state: Path, exclusive: bool) -> Any:
    """A session holding this database's demo-salon lock while the stack runs, or None when another stack
    holds it (``StackBusy`` when ``exclusive``): a stack with another ``--state-dir`` but the same
    ``DATABASE_URL`` would otherwise take that salon for a new one and clear the running stack's records."""
    conn = connect(url)
    [[claimed]] = conn.run("SELECT pg_try_advisory_lock(:key)", key=_SALON_CLAIM)
    if claimed:
        return conn
    conn.close()
    if exclusive:
        raise StackBusy(
            f"another local stack keeps its demo salon in this database ({url.rsplit('@', 1)[-1]}): stop it, or "
            f"give the stack of {state} a database of its own (DATABASE_URL)"
        )
    return None


# Everything that names the fake salon's record, client or visit ids (or was derived from them).
_SALON_TABLES = (
    "records",
    "clients",
    "goods_transactions",
    "booking_snapshots",
    "booking_monitors",
    "sent_notifications",
    "bot_record_changes",
    "sync_watermarks",
)


def forget_local_salon(env: dict[str, str]) -> bool:
    """Clears what the database and Redis hold about the local salon's CRM; True when anything was there."""
    import redis

    conn = connect(env["DATABASE_URL"])
    try:
        [[had]] = conn.run("SELECT EXISTS (SELECT 1 FROM records WHERE company_id = :c)", c=LOCAL_COMPANY_ID)
        for table in _SALON_TABLES:
            conn.run(f"DELETE FROM {table} WHERE company_id = :c", c=LOCAL_COMPANY_ID)
        conn.run("UPDATE conversations SET state = state - 'dialog' WHERE company_id = :c", c=LOCAL_COMPANY_ID)
    finally:
        conn.close()
    client = redis.Redis.from_url(env["REDIS_URL"])
    try:
        for key in client.scan_iter(match=f"ai-admin:context:{LOCAL_COMPANY_ID}:*"):
            client.delete(key)
    finally:
        client.close()
    return bool(had)


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

        # moto serves through werkzeug, which logs every request (pollers make several a second).
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
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
    allow_remote_database: bool = False,
    exclusive_database: bool = False,
) -> Iterator[Stack]:
    """Start everything the functions need and yield the stack; stops it all on exit. Raises
    ``StackBusy`` when another process runs the servers of ``state_dir`` (default ``<root>/.local``)."""
    state = state_dir or root / STATE_DIR_NAME
    with owning(state), _services(state, scratch_database, allow_remote_database) as found:
        yield from _run(root, state, found, with_aws, with_yclients, aws_in_own_process, exclusive_database)


@contextlib.contextmanager
def _services(state: Path, scratch_database: bool, allow_remote_database: bool) -> Iterator[services.Services]:
    found = services.start(state, scratch_database=scratch_database, allow_remote_database=allow_remote_database)
    try:
        yield found
    finally:
        found.close()


def _run(  # noqa: PLR0917 - running()'s own options, passed on
    root: Path,
    state: Path,
    found: services.Services,
    with_aws: bool,
    with_yclients: bool,
    aws_in_own_process: bool,
    exclusive_database: bool,
) -> Iterator[Stack]:
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
            stack.yclients, stop_yclients = start_yclients(env, state, exclusive_database)
            stack.closers.append(stop_yclients)
        yield stack
    finally:
        if "stack" in locals():
            stack.close()


def write_env_file(path: Path, env: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by `ai-admin stack` while it runs; other ai-admin commands read it."]
    lines += [f"{key}={value}" for key, value in sorted(env.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
