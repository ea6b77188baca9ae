"""The booking monitor: salon staff's changes announced once, the bot's own never; through the mirror
with given moments, through the real bookings sync against the fake YClients, and through the YClients
record webhook behind the local HTTP API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pg8000.native
import pytest

from ai_admin import settings
from ai_admin.adapters.postgres_bot_changes import PostgresBotChanges
from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.postgres_opt_outs import PostgresOptOuts
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.bootstrap import crm_webhook, reminders
from ai_admin.local.fake_whatsapp import FakeWhatsApp, SentMessage
from ai_admin.local.gateway import LocalHttpApi, bind_routes
from ai_admin.local.invoke import resolve_handler
from ai_admin.local.stack import LOCAL_SECRETS, Stack
from ai_admin.local.sync_console import run_sync
from ai_admin.reminders.booking_monitor import MonitorReport
from ai_admin.reminders.crm_webhook import webhook_path_secret
from ai_admin.settings import PostgresSettings, load
from ai_admin.sync.jobs import Job
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
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=MSK)
TOMORROW_15 = datetime(2026, 3, 11, 15, 0, tzinfo=MSK)
WEEK_AGO = T0 - timedelta(days=7)


@pytest.fixture
def env(
    local_stack: Stack, stack_env: dict[str, str], clean_state: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    monkeypatch.setenv("WHATSAPP_SEND_BACKOFF_BASE_S", "0.01")
    monkeypatch.setenv("WHATSAPP_SEND_BACKOFF_CAP_S", "0.02")
    monkeypatch.setenv("WHATSAPP_SEND_MAX_RETRIES", "0")
    settings.reset()
    reminders.forget_cold_start()
    crm_webhook.forget_cold_start()
    yield dict(stack_env)
    reminders.forget_cold_start()
    crm_webhook.forget_cold_start()


@pytest.fixture
def db(local_stack: Stack) -> Iterator[pg8000.native.Connection]:
    conn = connect(local_stack.env["DATABASE_URL"])
    seed_staff(conn)
    yield conn
    conn.close()


def watch(now: datetime) -> MonitorReport:
    return reminders.watch_bookings(COMPANY, now)


def texts(fake: FakeWhatsApp, number: str) -> list[str]:
    return [m.text for m in fake.sent_to(wa_id(number))]


def test_staff_changes_are_announced_once_and_past_or_old_ones_never(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    moved, deleted, no_show, untouched, past, created, old = (phone(i) for i in range(1, 8))
    for number in (moved, deleted, no_show, created):
        client_wrote(db, number, T0 - timedelta(hours=1))  # free text, so the words can be checked
    write_records(
        db,
        [
            Row(2001, moved, TOMORROW_15, created=WEEK_AGO),
            Row(2002, deleted, TOMORROW_15, created=WEEK_AGO),
            Row(2003, no_show, TOMORROW_15, created=WEEK_AGO, staff_id=11, services=("Укладка",)),
            Row(2004, untouched, TOMORROW_15, created=WEEK_AGO),
            Row(2005, past, T0 - timedelta(hours=1), created=WEEK_AGO),
        ],
        synced=T0,
    )
    first = watch(T0)
    assert first.baseline and fake_whatsapp.sent() == []

    later = T0 + timedelta(minutes=15)
    write_records(
        db,
        [
            Row(2001, moved, TOMORROW_15 + timedelta(hours=1), created=WEEK_AGO),
            Row(2002, deleted, TOMORROW_15, created=WEEK_AGO, deleted=True),
            Row(2003, no_show, TOMORROW_15, created=WEEK_AGO, staff_id=11, services=("Укладка",), attendance=-1),
            Row(2005, past, T0 - timedelta(hours=1), created=WEEK_AGO, deleted=True),
            Row(2006, created, TOMORROW_15 + timedelta(days=1), created=T0 + timedelta(minutes=5)),
            Row(2007, old, TOMORROW_15, created=WEEK_AGO),  # booked before the monitor watched
        ],
        synced=later,
    )
    second = watch(later)
    assert (second.baseline, second.changes, second.sent) == (False, 4, 4), second
    assert texts(fake_whatsapp, moved) == [
        "Время вашей записи на мужскую стрижку к Сергею изменилось, теперь завтра в 16:00 вместо 15:00.\n"
        "Если так неудобно, напишите нам, и мы подберём другое время."
    ]
    assert texts(fake_whatsapp, deleted) == [
        "Ваша запись на мужскую стрижку к Сергею завтра в 15:00 отменена. Если хотите записаться снова, напишите нам."
    ]
    assert texts(fake_whatsapp, no_show) == [
        "Запись на укладку к Анне Петровой завтра в 15:00 отменена. Напишите нам, и мы подберём другое время."
    ]
    assert texts(fake_whatsapp, created) == [
        "Вы записаны на мужскую стрижку к Сергею в четверг, 12 марта, в 15:00. Ждём вас! Адрес: ул. Примерная, 1."
    ]
    assert texts(fake_whatsapp, untouched) == texts(fake_whatsapp, past) == texts(fake_whatsapp, old) == []
    ledger = notifications(db)
    assert {kind for (_, kind), (status, _, _) in ledger.items() if status == "sent"} == {
        "monitor_moved:2026-03-11T13:00Z",
        "monitor_cancelled",
        "monitor_created",
    }

    for minutes in (30, 45):
        again = watch(T0 + timedelta(minutes=minutes))
        assert (again.changes, again.sent) == (0, 0)
    assert len(fake_whatsapp.sent()) == 4

    # moved back: a new start, a new notification; cancelled again: nothing (announced once)
    write_records(db, [Row(2001, moved, TOMORROW_15, created=WEEK_AGO)], synced=T0 + timedelta(hours=1))
    assert watch(T0 + timedelta(hours=1)).sent == 1
    assert texts(fake_whatsapp, moved)[-1].startswith("Время вашей записи на мужскую стрижку к Сергею изменилось")


def test_changes_the_bot_made_are_not_announced(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    by_bot_moved, by_bot_cancelled, booked_by_bot, logged_by_bot, staff_after_bot = (phone(i) for i in range(1, 6))
    write_records(
        db,
        [
            Row(2101, by_bot_moved, TOMORROW_15, created=WEEK_AGO),
            Row(2102, by_bot_cancelled, TOMORROW_15, created=WEEK_AGO),
            Row(2105, staff_after_bot, TOMORROW_15, created=WEEK_AGO),
        ],
        synced=T0,
    )
    watch(T0)
    changes = PostgresBotChanges(PostgresSession(load(PostgresSettings)))
    # the bot moved 2105 two days ago (the snapshot already shows it); staff moves it now
    changes.note(COMPANY, 2105, "moved", T0 - timedelta(days=2))
    at = T0 + timedelta(minutes=3)
    changes.note(COMPANY, 2101, "moved", at)
    changes.note(COMPANY, 2102, "cancelled", at)
    changes.note(COMPANY, 2104, "created", at)  # before the sync has seen the record
    later = T0 + timedelta(minutes=15)
    write_records(
        db,
        [
            Row(2101, by_bot_moved, TOMORROW_15 + timedelta(hours=2), created=WEEK_AGO),
            Row(2102, by_bot_cancelled, TOMORROW_15, created=WEEK_AGO, deleted=True),
            Row(2103, booked_by_bot, TOMORROW_15, created=at, by_bot=True),
            Row(2104, logged_by_bot, TOMORROW_15, created=at),
            Row(2105, staff_after_bot, TOMORROW_15 + timedelta(hours=3), created=WEEK_AGO),
        ],
        synced=later,
    )
    report = watch(later)
    assert (report.changes, report.by_bot, report.sent) == (5, 4, 1), report
    assert [m.to for m in fake_whatsapp.sent()] == [wa_id(staff_after_bot)]
    skipped = {record for (record, _), (status, _, _) in notifications(db).items() if status == "skipped"}
    assert skipped == {2101, 2102, 2103, 2104}
    assert watch(later + timedelta(minutes=15)).changes == 0


def test_opted_out_clients_and_quiet_salons_are_not_told(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    stopped, other = phone(1), phone(2)
    write_records(
        db, [Row(2201, stopped, TOMORROW_15, created=WEEK_AGO), Row(2202, other, TOMORROW_15, created=WEEK_AGO)]
    )
    watch(T0)
    PostgresOptOuts(PostgresSession(load(PostgresSettings))).opt_out(COMPANY, stopped)
    write_records(db, [Row(2201, stopped, TOMORROW_15, created=WEEK_AGO, deleted=True)])
    report = watch(T0 + timedelta(minutes=15))
    assert (report.not_announced, report.sent) == (1, 0)
    db.run(
        "UPDATE companies SET settings = '{\"booking_notifications\": false}'::jsonb WHERE company_id = :c", c=COMPANY
    )
    write_records(db, [Row(2202, other, TOMORROW_15, created=WEEK_AGO, deleted=True)])
    assert watch(T0 + timedelta(minutes=30)).not_announced == 1
    assert fake_whatsapp.sent() == []


def test_a_failed_announcement_is_retried_by_a_later_look(
    env: dict[str, str], db: pg8000.native.Connection, fake_whatsapp: FakeWhatsApp
) -> None:
    client = phone(1)
    write_records(db, [Row(2301, client, TOMORROW_15, created=WEEK_AGO)])
    watch(T0)
    write_records(db, [Row(2301, client, TOMORROW_15, created=WEEK_AGO, deleted=True)])
    fake_whatsapp.fail_next(131000, to=wa_id(client))
    assert watch(T0 + timedelta(minutes=15)).retry_later == 1
    assert watch(T0 + timedelta(minutes=16)).pending == 1  # backoff not over: nothing tried
    assert watch(T0 + timedelta(minutes=21)).sent == 1
    assert watch(T0 + timedelta(minutes=36)).changes == 0
    assert len(fake_whatsapp.sent_to(wa_id(client))) == 1 and fake_whatsapp.attempts() == 2


# --- through the real bookings sync and the YClients webhook ----------------------------------------


@pytest.fixture
def salon(env: dict[str, str], local_stack: Stack) -> Iterator[Any]:
    """The stack's fake YClients salon, limits off, with the sync's cold start forgotten."""
    from ai_admin.bootstrap import sync

    fake = local_stack.yclients
    fake.limits.enabled = False
    fake.faults.clear()
    sync._local.__dict__.clear()
    yield fake
    fake.limits.enabled = True
    sync._local.__dict__.clear()


def bookings_sync(stack: Stack) -> None:
    runs = run_sync(stack, [Job.BOOKINGS], full=False, company_id=COMPANY, show_progress=False)
    assert {r["status"] for r in runs} == {"completed"}, runs


def upcoming_with_phones(state: Any, count: int) -> list[Any]:
    """Future, active records of distinct clients with phones, a few hours apart from now at least."""
    soon = state.now() + timedelta(hours=6)
    seen: set[int] = set()
    found = []
    with state.lock:
        for record in sorted(state.records.values(), key=lambda r: (r.start, r.id)):
            client = state.clients.get(record.client_id) if record.client_id else None
            if (
                record.start > soon
                and not record.deleted
                and record.attendance == 0
                and client
                and client.id not in seen
            ):
                seen.add(client.id)
                found.append(record)
            if len(found) == count:
                break
    return found


def template_params(message: SentMessage) -> list[str]:
    return [p["text"] for p in message.body["template"]["components"][0]["parameters"]]


def test_the_bookings_sync_announces_staff_changes_and_skips_the_bots(
    salon: Any, local_stack: Stack, fake_whatsapp: FakeWhatsApp
) -> None:
    state = salon.state
    bookings_sync(local_stack)  # the monitor's first look: remembers, tells nobody
    assert fake_whatsapp.sent() == []
    time.sleep(1.1)  # YClients stamps creations to the second; the monitor watches from the first look on
    moved, cancelled, template_for_new, bot_moved = upcoming_with_phones(state, 4)
    phones = {r.id: state.clients[r.client_id].phone for r in (moved, cancelled, template_for_new, bot_moved)}
    old_start = moved.start
    state.move_record(moved.id, moved.start + timedelta(hours=1), force=True, source="admin")
    state.cancel_record(cancelled.id, source="admin")
    new = state.create_record(
        template_for_new.staff_id,
        template_for_new.service_ids,
        template_for_new.start + timedelta(days=1),
        template_for_new.client_id,
        force=True,
        source="admin",
    )
    bot_changes = PostgresBotChanges(PostgresSession(load(PostgresSettings)))
    state.move_record(bot_moved.id, bot_moved.start + timedelta(hours=2), force=True, source="api")
    bot_changes.note(COMPANY, bot_moved.id, "moved", datetime.now(UTC))
    booked = state.create_record(
        bot_moved.staff_id, bot_moved.service_ids, bot_moved.start + timedelta(days=2), bot_moved.client_id, force=True
    )
    bot_changes.note(COMPANY, booked.id, "created", datetime.now(UTC))

    bookings_sync(local_stack)
    sent = {m.to: m for m in fake_whatsapp.sent()}
    assert set(sent) == {wa_id(phones[moved.id]), wa_id(phones[cancelled.id]), wa_id(phones[template_for_new.id])}
    moved_message = sent[wa_id(phones[moved.id])]
    assert moved_message.body["template"]["name"] == "booking_moved"  # they never wrote: outside the window
    what, new_when, old_when = template_params(moved_message)
    local_new, local_old = (moved.start).astimezone(MSK), old_start.astimezone(MSK)
    assert new_when.endswith(f"в {local_new:%H:%M}")
    assert old_when.endswith(f"в {local_old:%H:%M}")
    assert what.startswith(("на ", "к "))
    assert sent[wa_id(phones[cancelled.id])].body["template"]["name"] == "booking_cancelled"
    assert sent[wa_id(phones[template_for_new.id])].body["template"]["name"] == "booking_created"
    assert new.id != booked.id

    bookings_sync(local_stack)  # nothing changed since: nothing more
    assert len(fake_whatsapp.sent()) == 3


def post(api: LocalHttpApi, secret: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{api.url}/yclients/{secret}", content=json.dumps(body), timeout=30)


def test_a_yclients_webhook_is_checked_re_read_and_announced_once(
    salon: Any, local_stack: Stack, fake_whatsapp: FakeWhatsApp
) -> None:
    state = salon.state
    bookings_sync(local_stack)
    [record] = upcoming_with_phones(state, 1)
    client_phone = state.clients[record.client_id].phone
    state.move_record(record.id, record.start + timedelta(minutes=30), force=True, source="admin")
    functions = [local_stack.template.function("CrmWebhookFunction")]
    api = LocalHttpApi(bind_routes(functions, resolve_handler), port=0).start()
    try:
        secret = webhook_path_secret(LOCAL_SECRETS["YCLIENTS_WEBHOOK_SECRET"], COMPANY)
        # the payload lies about the time: the handler believes only what it reads back from YClients
        lying = {
            "company_id": COMPANY,
            "resource": "record",
            "resource_id": record.id,
            "status": "update",
            "data": {"id": record.id, "datetime": "2030-01-01T09:00:00+03:00", "deleted": True},
        }
        assert post(api, "0" * 40, lying).status_code == 404
        assert post(api, webhook_path_secret(LOCAL_SECRETS["YCLIENTS_WEBHOOK_SECRET"], 2), lying).status_code == 404
        assert post(api, secret, {"resource": "record"}).status_code == 404  # names no salon
        assert fake_whatsapp.sent() == []
        answer = post(api, secret, lying)
        assert answer.status_code == 200, answer.text
        assert answer.json()["notified"] == 1
        [message] = fake_whatsapp.sent_to(wa_id(client_phone))
        assert message.body["template"]["name"] == "booking_moved"
        local = record.start.astimezone(MSK)
        assert template_params(message)[1].endswith(f"в {local:%H:%M}")
        assert post(api, secret, lying).json()["notified"] == 0  # the same change again: nothing
        ignored = post(api, secret, {"company_id": COMPANY, "resource": "client", "resource_id": 5, "status": "update"})
        assert ignored.status_code == 200 and ignored.json()["record_id"] is None
        assert len(fake_whatsapp.sent()) == 1
    finally:
        api.stop()


def test_a_yclients_webhook_answers_unreadable_bodies_and_impossible_ids_cleanly(
    salon: Any, local_stack: Stack, fake_whatsapp: FakeWhatsApp
) -> None:
    functions = [local_stack.template.function("CrmWebhookFunction")]
    api = LocalHttpApi(bind_routes(functions, resolve_handler), port=0).start()
    secret = webhook_path_secret(LOCAL_SECRETS["YCLIENTS_WEBHOOK_SECRET"], COMPANY)
    url = f"{api.url}/yclients/{secret}"
    salon.clear_log()
    try:
        nested = b'{"company_id": 1, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        assert httpx.post(url, content=nested, timeout=30).status_code == 404
        assert post(api, secret, {"company_id": 10**30, "resource": "record", "resource_id": 1}).status_code == 404
        for impossible in (10**30, -5, "١٢٣", True, "12a"):
            answer = post(api, secret, {"company_id": COMPANY, "resource": "record", "resource_id": impossible})
            assert answer.status_code == 200, (impossible, answer.text)
            assert answer.json()["record_id"] is None
        assert salon.request_log == []  # nothing to re-read
        assert fake_whatsapp.sent() == []
    finally:
        api.stop()
