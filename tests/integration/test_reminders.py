"""Reminders end to end: the mirror in PostgreSQL, the claim ledger, the fake WhatsApp Graph API.

Every run is given its moment (``now``), so a test walks through an evening and the next morning
without waiting; retries and takeovers happen at the moments their backoff and staleness allow.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pg8000.native
import pytest

from ai_admin import settings
from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.postgres_notification_ledger import PostgresNotificationLedger
from ai_admin.adapters.postgres_opt_outs import PostgresOptOuts
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.bootstrap import reminders
from ai_admin.domain.messages import OutboundMessage, Recipient
from ai_admin.local.fake_whatsapp import FakeWhatsApp, SentMessage
from ai_admin.local.invoke import invoke
from ai_admin.local.stack import Stack
from ai_admin.local.template import Template
from ai_admin.reminders.ports import Claim, Messenger, NotificationKey
from ai_admin.reminders.send_reminders import ReminderParts, ReminderReport, run_reminders
from ai_admin.settings import PostgresSettings, load
from tests.integration.mirror_rows import (
    COMPANY,
    Row,
    client_wrote,
    notifications,
    phone,
    seed_staff,
    wa_id,
    write_records,
)

MSK = ZoneInfo("Europe/Moscow")
EVENING = datetime(2026, 3, 10, 19, 30, tzinfo=MSK)
TOMORROW_15 = datetime(2026, 3, 11, 15, 0, tzinfo=MSK)
WEEK_AGO = EVENING - timedelta(days=7)
DAY, HOURS = "reminder_day_before", "reminder_2h"


@pytest.fixture
def env(
    local_stack: Stack, stack_env: dict[str, str], clean_state: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    overrides = {
        "WHATSAPP_SEND_BACKOFF_BASE_S": "0.01",
        "WHATSAPP_SEND_BACKOFF_CAP_S": "0.02",
        "WHATSAPP_SEND_MAX_RETRIES": "1",
    }
    for key, value in overrides.items():
        monkeypatch.setenv(key, value)
    settings.reset()
    reminders.forget_cold_start()
    yield {**stack_env, **overrides}
    reminders.forget_cold_start()


@pytest.fixture
def db(local_stack: Stack) -> Iterator[pg8000.native.Connection]:
    conn = connect(local_stack.env["DATABASE_URL"])
    seed_staff(conn)
    yield conn
    conn.close()


def remind(now: datetime) -> ReminderReport:
    return reminders.remind(COMPANY, now)


def buttons(message: SentMessage) -> list[str]:
    return [b["reply"]["id"] for b in message.body["interactive"]["action"]["buttons"]]


def test_a_reminder_goes_out_once_through_the_reminder_function(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp, root: Path
) -> None:
    client = phone(1)
    write_records(db, [Row(501, client, TOMORROW_15, created=WEEK_AGO)])
    client_wrote(db, client, EVENING - timedelta(hours=2))
    template = Template.load(root / "template.yaml")
    event = {"company_id": COMPANY, "at": EVENING.isoformat()}
    result = invoke(template, "ReminderFunction", event, env)
    assert result["salons"][0]["sent"] == 1, result
    [message] = fake_whatsapp.sent_to(wa_id(client))
    assert message.type == "interactive"
    assert message.text.startswith("Ждём вас завтра в 15:00 на мужскую стрижку к Сергею.")
    assert buttons(message) == ["visit_confirm:501", "visit_decline:501"]
    assert notifications(db) == {(501, DAY): ("sent", 1, message.wamid)}
    # the conversation now holds the reminder, so a bare "да" has context
    [[kind, body]] = db.run("SELECT kind, body FROM messages WHERE direction = 'out'")
    assert kind == "buttons" and body.startswith(message.text)
    invoke(template, "ReminderFunction", event, env)
    reminders.forget_cold_start()
    assert remind(EVENING + timedelta(minutes=5)).sent == 0
    assert len(fake_whatsapp.sent()) == 1


def test_outside_the_24_hour_window_the_template_goes_out(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    never_wrote, wrote_long_ago, wrote_today = phone(1), phone(2), phone(3)
    write_records(
        db,
        [
            Row(601, never_wrote, TOMORROW_15, created=WEEK_AGO),
            Row(602, wrote_long_ago, TOMORROW_15, created=WEEK_AGO, staff_id=11, services=("Укладка",)),
            Row(603, wrote_today, TOMORROW_15, created=WEEK_AGO),
        ],
    )
    client_wrote(db, wrote_long_ago, EVENING - timedelta(days=2))
    client_wrote(db, wrote_today, EVENING - timedelta(hours=23))
    assert remind(EVENING).sent == 3
    [first] = fake_whatsapp.sent_to(wa_id(never_wrote))
    [second] = fake_whatsapp.sent_to(wa_id(wrote_long_ago))
    [third] = fake_whatsapp.sent_to(wa_id(wrote_today))
    assert (first.type, second.type, third.type) == ("template", "template", "interactive")
    template = second.body["template"]
    assert template["name"] == "appointment_reminder"
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == ["завтра в 15:00", "на укладку к Анне Петровой", "Локальный барбершоп"]
    payloads = [c["parameters"][0]["payload"] for c in template["components"][1:]]
    assert payloads == ["visit_confirm:602", "visit_decline:602"]


def test_whatsapp_saying_the_window_closed_gets_the_template_in_the_same_attempt(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    client = phone(1)
    write_records(db, [Row(701, client, TOMORROW_15, created=WEEK_AGO)])
    client_wrote(db, client, EVENING - timedelta(hours=1))
    fake_whatsapp.fail_next(131047, to=wa_id(client))
    assert remind(EVENING).sent == 1
    assert [m.type for m in fake_whatsapp.sent_to(wa_id(client))] == ["template"]
    assert notifications(db)[(701, DAY)][:2] == ("sent", 1)


def test_opted_out_clients_get_no_reminder(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    stopped, other = phone(1), phone(2)
    write_records(
        db, [Row(801, stopped, TOMORROW_15, created=WEEK_AGO), Row(802, other, TOMORROW_15, created=WEEK_AGO)]
    )
    PostgresOptOuts(PostgresSession(load(PostgresSettings))).opt_out(COMPANY, stopped)
    report = remind(EVENING)
    assert (report.sent, report.opted_out) == (1, 1)
    assert fake_whatsapp.sent_to(wa_id(stopped)) == []
    assert len(fake_whatsapp.sent_to(wa_id(other))) == 1
    assert (801, DAY) not in notifications(db)


def test_excluded_visits_get_nothing(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    write_records(
        db,
        [
            Row(901, phone(1), TOMORROW_15, created=WEEK_AGO, deleted=True),
            Row(902, phone(2), TOMORROW_15, created=WEEK_AGO, attendance=-1),
            Row(903, phone(3), EVENING - timedelta(hours=1), created=WEEK_AGO),
            Row(904, None, TOMORROW_15, created=WEEK_AGO),
            Row(905, phone(5), TOMORROW_15, created=TOMORROW_15 - timedelta(hours=3)),
            Row(906, phone(6), TOMORROW_15, created=WEEK_AGO, attendance=2),
        ],
    )
    assert remind(EVENING).sent == 1
    assert [m.to for m in fake_whatsapp.sent()] == [wa_id(phone(6))]
    write_records(db, [Row(907, phone(7), TOMORROW_15, created=WEEK_AGO, attendance=1)])
    assert remind(TOMORROW_15 - timedelta(hours=1)).sent == 1  # 906 again (two hours before), never 907
    assert [m.to for m in fake_whatsapp.sent()] == [wa_id(phone(6))] * 2


def test_a_failed_send_is_retried_later_and_never_sent_twice(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    unlucky, lucky, undeliverable = phone(1), phone(2), phone(3)
    write_records(
        db,
        [
            Row(1001, unlucky, TOMORROW_15, created=WEEK_AGO),
            Row(1002, lucky, TOMORROW_15, created=WEEK_AGO),
            Row(1003, undeliverable, TOMORROW_15, created=WEEK_AGO),
        ],
    )
    fake_whatsapp.fail_next(131000, times=2, to=wa_id(unlucky))  # "something went wrong": transient
    fake_whatsapp.fail_next(131026, to=wa_id(undeliverable))  # not on WhatsApp: final
    first = remind(EVENING)
    assert (first.sent, first.retry_later, first.gave_up) == (1, 1, 1)  # one failure blocks nobody else
    assert len(fake_whatsapp.sent_to(wa_id(lucky))) == 1
    status = notifications(db)
    assert status[(1001, DAY)][:2] == ("failed", 1)
    assert status[(1003, DAY)][:2] == ("failed", 1)
    # before the 5-minute backoff: nothing is tried
    attempts = fake_whatsapp.attempts()
    assert remind(EVENING + timedelta(minutes=4)).pending == 1
    assert fake_whatsapp.attempts() == attempts
    # the 2nd attempt fails too (backoff doubles to 10 minutes), the 3rd goes out
    assert remind(EVENING + timedelta(minutes=5)).retry_later == 1
    assert remind(EVENING + timedelta(minutes=10)).sent == 0
    assert remind(EVENING + timedelta(minutes=15)).sent == 1
    for minute in (20, 25, 30):
        assert remind(EVENING + timedelta(minutes=minute)).sent == 0
    assert len(fake_whatsapp.sent_to(wa_id(unlucky))) == 1
    assert fake_whatsapp.sent_to(wa_id(undeliverable)) == []
    status = notifications(db)
    assert status[(1001, DAY)][:2] == ("sent", 3)
    assert status[(1003, DAY)][:2] == ("failed", 1)  # rejected for good: never retried
    assert len(fake_whatsapp.sent()) == 2


def test_retries_stop_after_the_last_attempt(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDERS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("REMINDERS_RETRY_BASE_S", "60")
    settings.reset()
    reminders.forget_cold_start()
    write_records(db, [Row(1101, phone(1), TOMORROW_15, created=WEEK_AGO)])
    fake_whatsapp.fail_next(131000, times=10)
    assert remind(EVENING).retry_later == 1
    assert remind(EVENING + timedelta(minutes=1)).gave_up == 1
    remind(EVENING + timedelta(minutes=30))
    assert notifications(db)[(1101, DAY)][:2] == ("failed", 2)
    assert fake_whatsapp.attempts() == 2


class SimulatedCrash(BaseException):
    """Not an Exception: it ends the run the way a killed Lambda would, between claim and send."""


class CrashingMessenger:
    def __init__(self, real: Messenger, crash_on: int) -> None:
        self._real, self._crash_on, self.calls = real, crash_on, 0

    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        self.calls += 1
        if self.calls == self._crash_on:
            raise SimulatedCrash
        return self._real.send(phone_number_id, to, message)


def test_a_run_that_dies_half_way_is_resumed_by_the_next(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    rows = [Row(1200 + i, phone(i), TOMORROW_15, created=WEEK_AGO) for i in range(10)]
    write_records(db, rows)
    parts = reminders.build_reminder_parts(PostgresSession(load(PostgresSettings)))
    crashing = CrashingMessenger(parts.courier.messenger, crash_on=4)
    courier = type(parts.courier)(parts.courier.ledger, crashing, parts.courier.transcript, parts.courier.policy)
    doomed = ReminderParts(parts.salons, parts.visits, parts.opt_outs, courier, parts.templates, parts.defaults)
    with pytest.raises(SimulatedCrash):
        run_reminders(doomed, COMPANY, EVENING)
    assert len(fake_whatsapp.sent()) == 3
    statuses = Counter(status for status, _, _ in notifications(db).values())
    assert statuses == {"sent": 3, "claimed": 1}
    # five minutes later: everyone not yet reminded is, and the dead run's fresh claim is left alone
    second = remind(EVENING + timedelta(minutes=5))
    assert (second.sent, second.pending) == (6, 1)
    # once the claim is stale (10 minutes), the next run takes it over
    third = remind(EVENING + timedelta(minutes=15))
    assert third.sent == 1
    assert Counter(m.to for m in fake_whatsapp.sent()) == {wa_id(r.phone or ""): 1 for r in rows}
    crashed = notifications(db)[(1203, DAY)]
    assert crashed[:2] == ("sent", 2)


def test_a_taken_over_claim_cannot_be_marked_by_the_run_that_lost_it(env: dict[str, str]) -> None:
    ledger = PostgresNotificationLedger(PostgresSession(load(PostgresSettings)))
    key = NotificationKey(COMPANY, 1300, DAY)
    slow = ledger.claim(key, phone(1), EVENING, stale_after_s=600, max_attempts=5)
    fast = ledger.claim(key, phone(1), EVENING + timedelta(minutes=11), stale_after_s=600, max_attempts=5)
    assert isinstance(slow, Claim) and isinstance(fast, Claim) and (slow.attempt, fast.attempt) == (1, 2)
    assert ledger.mark_sent(fast, "wamid.fast", EVENING + timedelta(minutes=11))
    assert not ledger.mark_sent(slow, "wamid.slow", EVENING + timedelta(minutes=12))
    assert not ledger.mark_failed(slow, "late", None)


def test_two_overlapping_runs_over_500_due_visits_send_each_reminder_once(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp, capsys: pytest.CaptureFixture[str]
) -> None:
    """THE required test: two reminder jobs at once (threads, separate connections), both kinds."""
    count = 500
    morning = datetime(2026, 3, 11, 10, 0, tzinfo=MSK)
    rows = [Row(100_000 + i, phone(i), morning + timedelta(minutes=i % 120), created=WEEK_AGO) for i in range(count)]
    write_records(db, rows)
    for row in rows[::2]:  # half of them wrote to the salon today: free text; the rest get the template
        client_wrote(db, row.phone or "", EVENING - timedelta(hours=1))
    config = load(PostgresSettings)

    def overlapping_runs(now: datetime) -> tuple[list[ReminderReport], float]:
        sessions = [PostgresSession(config) for _ in range(2)]
        parts = [reminders.build_reminder_parts(session) for session in sessions]
        reports: list[ReminderReport] = []
        start = threading.Barrier(2)

        def run(own: ReminderParts) -> None:
            start.wait()
            reports.append(run_reminders(own, COMPANY, now))

        threads = [threading.Thread(target=run, args=(p,)) for p in parts]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        for session in sessions:
            session.close()
        return reports, elapsed

    evening_reports, evening_s = overlapping_runs(EVENING)
    morning_reports, morning_s = overlapping_runs(morning - timedelta(minutes=1))

    sent = fake_whatsapp.sent()
    ledger = notifications(db)
    kind_of = {wamid: kind for (_, kind), (_, _, wamid) in ledger.items()}
    per_client_and_kind = Counter((m.to, kind_of[m.wamid]) for m in sent)
    duplicates = sum(n - 1 for n in per_client_and_kind.values())
    assert duplicates == 0
    assert set(per_client_and_kind) == {(wa_id(r.phone or ""), kind) for r in rows for kind in (DAY, HOURS)}
    assert len(sent) == fake_whatsapp.attempts() == 2 * count  # no send was even attempted twice
    assert {status for status, _, _ in ledger.values()} == {"sent"} and len(ledger) == 2 * count
    assert sum(r.sent for r in evening_reports) == sum(r.sent for r in morning_reports) == count
    assert Counter(m.type for m in sent) == {"interactive": count, "template": count}
    with capsys.disabled():
        print(
            f"\nconcurrency: {count} visits, 2 overlapping runs per round; "
            f"evening sends {[r.sent for r in evening_reports]} in {evening_s:.2f} s, "
            f"morning sends {[r.sent for r in morning_reports]} in {morning_s:.2f} s; "
            f"{len(sent)} messages, {duplicates} duplicates, "
            f"lost races (already settled or pending): "
            f"{sum(r.already_settled + r.pending for r in evening_reports + morning_reports)}"
        )


def test_ai_admin_remind_runs_the_job_once_against_the_local_stack(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp, root: Path, tmp_path: Path
) -> None:
    """``ai-admin remind`` uses a running stack's environment (here: this session's, written where the
    command looks for it, next to a copy of the template)."""
    import os
    import subprocess
    import sys

    from ai_admin.local.stack import STACK_ENV_FILE, STACK_PID, STATE_DIR_NAME, write_env_file

    (tmp_path / "template.yaml").write_text((root / "template.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "functions").symlink_to(root / "functions")
    write_env_file(tmp_path / STATE_DIR_NAME / STACK_ENV_FILE, {**env, STACK_PID: str(os.getpid())})
    write_records(db, [Row(1401, phone(1), TOMORROW_15, created=WEEK_AGO)])
    command = [sys.executable, "-m", "ai_admin.local.cli", "--template", str(tmp_path / "template.yaml"), "remind"]
    result = subprocess.run(
        [*command, "--company", "1", "--at", "2026-03-10T19:45"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "YCLIENTS_"))},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "2026-03-10T19:45:00+03:00" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("│ 1 "))
    assert [cell.strip() for cell in row.strip("│ ").split("│")][:3] == ["1", "1", "1"]  # company, due, sent
    assert len(fake_whatsapp.sent_to(wa_id(phone(1)))) == 1
