"""The operator's commands as they run them: ``client``, ``monitor``, ``handoff``, ``salon add``, each a
real subprocess against this session's PostgreSQL, moto and fake YClients."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pg8000.native
import pytest

from ai_admin.adapters.postgres_connection import connect
from ai_admin.local.stack import STACK_ENV_FILE, STACK_PID, Stack, write_env_file
from tests.integration.console import cli, terminal

PHONE = "+79990000061"


def here(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A terminal whose ``ai-admin`` looks for a running stack in ``tmp_path``."""
    return terminal(AI_ADMIN_LOCAL_DIR=str(tmp_path), **extra)


@pytest.fixture
def db(local_stack: Stack, clean_state: None) -> Iterator[pg8000.native.Connection]:
    conn = connect(local_stack.env["DATABASE_URL"])
    yield conn
    conn.close()


@pytest.fixture
def beside(local_stack: Stack, tmp_path: Path) -> dict[str, str]:
    """A terminal beside a running stack: this session's, recorded where the command looks for one."""
    write_env_file(tmp_path / STACK_ENV_FILE, {**local_stack.env, STACK_PID: str(os.getpid())})
    return here(tmp_path)


def seed_client(db: pg8000.native.Connection) -> dict[str, Any]:
    now = datetime.now(UTC)
    db.run("INSERT INTO staff (company_id, yclients_id, name) VALUES (1, 501, 'Сергей') ON CONFLICT DO NOTHING")
    db.run(
        "INSERT INTO clients (company_id, yclients_id, name, phone, visits_count, total_spent, services_amount,"
        " goods_amount, loyalty_level, favourite_staff_ids, last_services)"
        " VALUES (1, 9001, 'Анна Петрова', :phone, 7, 15400, 12600, 2800, 'silver', '{501}', '{Мужская стрижка}')",
        phone=PHONE,
    )
    services = json.dumps([{"id": 301, "title": "Мужская стрижка"}], ensure_ascii=False)
    for record_id, start, attendance in ((71001, now - timedelta(days=20), 1), (71002, now + timedelta(days=2), 0)):
        db.run(
            "INSERT INTO records (company_id, yclients_id, client_id, client_phone, staff_id, services, start_at,"
            " attendance, cost) VALUES (1, :id, 9001, :phone, 501, CAST(:services AS jsonb), :start, :att, 1800)",
            id=record_id,
            phone=PHONE,
            services=services,
            start=start,
            att=attendance,
        )
    db.run(
        "INSERT INTO goods_transactions (company_id, yclients_id, record_id, client_id, title, amount, cost)"
        " VALUES (1, 88001, 71001, 9001, 'Воск', 1, 900)"
    )
    db.run("INSERT INTO client_opt_outs (company_id, phone) VALUES (1, :phone)", phone=PHONE)
    [[conversation]] = db.run(
        "INSERT INTO conversations (company_id, client_key, phone) VALUES (1, '79990000061', :phone)"
        " RETURNING conversation_id",
        phone=PHONE,
    )
    db.run(
        "INSERT INTO messages (conversation_id, direction, body) VALUES (:c, 'in', 'Мой второй номер +79161234567'),"
        " (:c, 'out', 'Передал ваш вопрос администратору')",
        c=conversation,
    )
    [[handoff]] = db.run(
        "INSERT INTO handoffs (company_id, conversation_id, client_phone, client_name, reason, opened_at, notice)"
        " VALUES (1, :c, :phone, 'Анна Петрова', 'жалоба', :at, 'failed') RETURNING handoff_id",
        c=conversation,
        phone=PHONE,
        at=now - timedelta(minutes=30),
    )
    return {"conversation": conversation, "handoff": handoff}


def test_client_shows_what_we_hold_masked_as_the_logs_are(db: pg8000.native.Connection, beside: dict[str, str]) -> None:
    seed_client(db)
    result = cli("client", "8 (999) 000-00-61", env=beside)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "+7999*****61" in out and PHONE not in out and "79161234567" not in out
    assert "А***" in out and "Анна" not in out
    assert "total 15400.00 = services 12600.00 + goods 2800.00 (1 goods lines in visits, 900.00)" in out
    assert "71002" in out and "71001" in out and "пришёл" in out
    assert "opt-out: since" in out and "hand-off: open #" in out and "жалоба" in out
    assert "Мой второй номер +7916*****67" in out and "Сергей" in out
    revealed = cli("client", PHONE, "--reveal", env=beside)
    assert PHONE in revealed.stdout and "Анна Петрова" in revealed.stdout and "+79161234567" in revealed.stdout


def test_client_of_an_unknown_or_invalid_number(db: pg8000.native.Connection, beside: dict[str, str]) -> None:
    unknown = cli("client", "+79990000062", env=beside)
    assert (unknown.returncode, unknown.stdout.strip()) == (1, "no salon knows +7999*****62")
    invalid = cli("client", "not-a-phone", env=beside)
    assert invalid.returncode == 2 and invalid.stderr.strip() == (
        "ai-admin: 'not-a-phone' is not a phone number (e.g. +79161234567)"
    )


def test_operator_commands_never_start_a_stack(tmp_path: Path) -> None:
    result = cli("client", PHONE, env=here(tmp_path))
    assert result.returncode == 2
    assert "no local stack is running and DATABASE_URL is not set" in result.stderr
    assert list(tmp_path.iterdir()) == []


def drain(sqs: Any, url: str) -> None:
    """Empties a queue (PurgeQueue is allowed once a minute)."""
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_monitor_once_lists_what_needs_a_person_and_exits_1(
    local_stack: Stack, db: pg8000.native.Connection, beside: dict[str, str]
) -> None:
    sqs = local_stack.sqs()
    for url in local_stack.queue_urls.values():
        drain(sqs, url)
    ids = seed_client(db)
    first = cli("monitor", "--once", env=beside)
    assert first.returncode == 1 and "nobody was told (failed)" in first.stdout
    db.run("UPDATE handoffs SET notice = 'notified'")
    calm = cli("monitor", "--once", env=beside)
    assert calm.returncode == 0 and "all clear" in calm.stdout, calm.stdout + calm.stderr
    assert "ConversationDLQ.fifo (DLQ)" in calm.stdout and "Open hand-offs: 1" in calm.stdout

    sqs.send_message(QueueUrl=local_stack.queue_urls["SyncDLQ"], MessageBody="{}")
    [[run]] = db.run(
        "INSERT INTO sync_runs (company_id, job, mode, status, finished_at, batches_failed)"
        " VALUES (1, 'clients', 'full', 'failed', now(), 1) RETURNING run_id"
    )
    db.run(
        "INSERT INTO sent_notifications (company_id, record_id, kind, client_phone, status, attempts)"
        " VALUES (1, 71002, 'reminder_day_before', :phone, 'failed', 5)",
        phone=PHONE,
    )
    db.run("UPDATE handoffs SET notice = 'no_admin'")
    result = cli("monitor", "--json", env=beside)
    assert result.returncode == 1, result.stderr
    snapshot = json.loads(result.stdout)
    assert sorted(snapshot["alerts"]) == sorted(
        [
            "SyncDLQ: 1 dead letter(s)",
            f"hand-off #{ids['handoff']} in salon 1: nobody was told (no_admin)",
            f"sync run {run} (clients, salon 1) failed",
            "1 notification(s) given up in 24 h",
        ]
    )
    [dlq] = [q for q in snapshot["queues"] if q["name"] == "SyncDLQ"]
    assert dlq == {"name": "SyncDLQ", "waiting": 1, "in_flight": 0, "dead_letter": True}
    assert snapshot["handoffs"][0]["client_phone"] == "+7999*****61"
    assert snapshot["errors"]["undelivered_handoffs"] == 1
    drain(sqs, local_stack.queue_urls["SyncDLQ"])


def test_handoff_list_and_close(db: pg8000.native.Connection, beside: dict[str, str]) -> None:
    ids = seed_client(db)
    listed = cli("handoff", "list", env=beside)
    assert (
        listed.returncode == 0
        and f"#{ids['handoff']} salon 1 +7999*****61 open 30 min (failed): жалоба" in listed.stdout
    )
    closed = cli("handoff", "close", "8 999 000 00 61", env=beside)
    assert closed.returncode == 0, closed.stderr
    assert db.run("SELECT closed_by FROM handoffs") == [["cli"]]
    again = cli("handoff", "close", f"#{ids['handoff']}", env=beside)
    assert again.returncode == 2 and f"no open hand-off for #{ids['handoff']}" in again.stderr


def salon_settings(db: pg8000.native.Connection, company: int) -> Any:
    rows = db.run(
        "SELECT title, timezone, whatsapp_phone_number_id, settings FROM companies WHERE company_id = :c", c=company
    )
    return rows[0] if rows else None


def test_salon_add_checks_against_yclients_and_writes_only_a_valid_salon(
    local_stack: Stack, db: pg8000.native.Connection, tmp_path: Path
) -> None:
    yclients = {k: v for k, v in local_stack.env.items() if k.startswith("YCLIENTS_")}
    env = here(tmp_path, DATABASE_URL=local_stack.env["DATABASE_URL"], **yclients)
    before = salon_settings(db, 1)
    exists = cli("salon", "add", "--company", "1", "--phone-number-id", "100000000000009", env=env)
    assert exists.returncode == 2 and "company 1 is already a salon here" in exists.stderr
    updated = cli(
        "salon", "add", "--company", "1", "--phone-number-id", "100000000000009", "--update",
        "--admin", "8 999 000-01-00", "--admin", "+79990000101", "--reminders-from", "18:30", "--reminders-to", "20:00",
        "--no-pause-bot", "--pause-hours", "4", env=env,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    title, timezone, number, settings = salon_settings(db, 1)
    assert title == local_stack.yclients.state.company.title and timezone == "Europe/Moscow"
    assert number == "100000000000009" and title != before[0]
    assert settings == {
        "admins": ["+79990000100", "+79990000101"],
        "reminders": {"evening_from": "18:30", "evening_to": "20:00"},
        "handoff": {"pause_bot": False, "pause_hours": 4.0},
    }
    assert "next: ai-admin sync all --full --company 1" in updated.stdout

    unknown = cli("salon", "add", "--company", "2", "--phone-number-id", "100000000000002", env=env)
    assert unknown.returncode == 2 and unknown.stderr.strip() == "ai-admin: salon not added: YClients has no company 2"
    bad = cli(
        "salon", "add", "--company", "2", "--phone-number-id", "12ab", "--timezone", "Mars/Base", "--admin", "nope",
        "--reminders-from", "21:00", "--reminders-to", "19:00", "--pause-hours", "0", env=env,
    )  # fmt: skip
    assert bad.returncode == 2
    problems = ("phone_number_id '12ab'", "time zone 'Mars/Base'", "admin 'nope'", "reminder window 21:00-19:00")
    for problem in (*problems, "--pause-hours 0"):
        assert problem in bad.stderr
    wrong_token = cli(
        "salon", "add", "--company", "1", "--phone-number-id", "100000000000009", "--update",
        env={**env, "YCLIENTS_PARTNER_TOKEN": "wrong"},
    )  # fmt: skip
    assert wrong_token.returncode == 2 and "YClients refused our tokens for company 1" in wrong_token.stderr
    assert salon_settings(db, 2) is None
    assert salon_settings(db, 1)[3] == settings  # nothing written by the refused calls
