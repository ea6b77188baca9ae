"""Sending one notification: what each WhatsApp outcome does to its ledger row (in-memory ports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ai_admin.domain.errors import MessageRejected, MessengerUnavailable, OutsideServiceWindow, StorageUnavailable
from ai_admin.domain.messages import OutboundMessage, Recipient, TemplateReply, TextReply
from ai_admin.reminders.delivery import Courier, DeliveryPolicy, Notice, Outcome
from ai_admin.reminders.ports import Claim, NotificationKey, Refusal

NOW = datetime(2026, 3, 10, 19, 30, tzinfo=ZoneInfo("Europe/Moscow"))
KEY = NotificationKey(1, 42, "reminder_day_before")
TEMPLATE = TemplateReply("appointment_reminder", "ru", ("завтра в 15:00", "на стрижку", "Салон"))


@dataclass
class Row:
    status: str
    attempts: int
    retry_at: datetime | None = None
    wamid: str | None = None


@dataclass
class MemoryLedger:
    """One row per key; claims and takeovers as the PostgreSQL ledger makes them (single-threaded)."""

    rows: dict[NotificationKey, Row] = field(default_factory=dict)

    def claim(
        self, key: NotificationKey, phone: str, now: datetime, *, stale_after_s: float, max_attempts: int
    ) -> Claim | Refusal:
        row = self.rows.get(key)
        if row is None:
            self.rows[key] = Row("claimed", 1)
            return Claim(key, 1)
        if row.status == "failed" and row.retry_at and row.retry_at <= now and row.attempts < max_attempts:
            row.status, row.attempts = "claimed", row.attempts + 1
            return Claim(key, row.attempts)
        return Refusal.SETTLED if row.status in ("sent", "skipped") or row.retry_at is None else Refusal.PENDING

    def mark_sent(self, claim: Claim, wamid: str, now: datetime) -> bool:
        self.rows[claim.key] = Row("sent", claim.attempt, None, wamid)
        return True

    def mark_failed(self, claim: Claim, error: str, retry_at: datetime | None) -> bool:
        self.rows[claim.key] = Row("failed", claim.attempt, retry_at)
        return True

    def skip(self, key: NotificationKey, phone: str | None, reason: str, now: datetime) -> None:
        self.rows.setdefault(key, Row("skipped", 0))


@dataclass
class ScriptedMessenger:
    """Raises the scripted errors in order, then accepts."""

    errors: list[Exception] = field(default_factory=list)
    sent: list[OutboundMessage] = field(default_factory=list)

    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)
        return f"wamid.{len(self.sent)}"


@dataclass
class Transcript:
    broken: bool = False
    lines: list[str] = field(default_factory=list)

    def note(self, company_id: int, phone: str, message: OutboundMessage, wamid: str) -> None:
        if self.broken:
            raise StorageUnavailable("down")
        self.lines.append(wamid)


def courier(messenger: ScriptedMessenger, ledger: MemoryLedger, transcript: Transcript | None = None) -> Courier:
    return Courier(ledger, messenger, transcript or Transcript(), DeliveryPolicy(max_attempts=3))


def notice(inside: bool = True) -> Notice:
    return Notice(KEY, "+79990000001", TextReply("Напоминаем: завтра в 15:00"), TEMPLATE, inside_window=inside)


def test_sent_once_then_settled() -> None:
    messenger, ledger = ScriptedMessenger(), MemoryLedger()
    assert courier(messenger, ledger).deliver(notice(), "pnid", NOW) is Outcome.SENT
    assert courier(messenger, ledger).deliver(notice(), "pnid", NOW) is Outcome.SETTLED
    assert len(messenger.sent) == 1 and ledger.rows[KEY].wamid == "wamid.1"


def test_outside_the_window_only_the_template_goes() -> None:
    messenger = ScriptedMessenger()
    courier(messenger, MemoryLedger()).deliver(notice(inside=False), "pnid", NOW)
    assert messenger.sent == [TEMPLATE]


def test_131047_inside_the_window_falls_back_to_the_template_in_the_same_attempt() -> None:
    messenger, ledger = ScriptedMessenger([OutsideServiceWindow(131047, "Re-engagement message")]), MemoryLedger()
    assert courier(messenger, ledger).deliver(notice(), "pnid", NOW) is Outcome.SENT
    assert messenger.sent == [TEMPLATE] and ledger.rows[KEY].attempts == 1


def test_a_rejection_is_final() -> None:
    messenger, ledger = ScriptedMessenger([MessageRejected(131026, "undeliverable")]), MemoryLedger()
    assert courier(messenger, ledger).deliver(notice(), "pnid", NOW) is Outcome.GAVE_UP
    assert ledger.rows[KEY] == Row("failed", 1, None)
    assert courier(messenger, ledger).deliver(notice(), "pnid", NOW + timedelta(days=1)) is Outcome.SETTLED
    assert messenger.sent == []


def test_transient_failures_back_off_until_the_last_attempt() -> None:
    errors: list[Exception] = [MessengerUnavailable("HTTP 500")] * 3
    messenger, ledger = ScriptedMessenger(list(errors)), MemoryLedger()
    send = courier(messenger, ledger)
    assert send.deliver(notice(), "pnid", NOW) is Outcome.RETRY_LATER
    assert ledger.rows[KEY].retry_at == NOW + timedelta(minutes=5)
    assert send.deliver(notice(), "pnid", NOW + timedelta(minutes=4)) is Outcome.PENDING
    assert send.deliver(notice(), "pnid", NOW + timedelta(minutes=5)) is Outcome.RETRY_LATER
    assert ledger.rows[KEY].retry_at == NOW + timedelta(minutes=15)
    assert send.deliver(notice(), "pnid", NOW + timedelta(minutes=15)) is Outcome.GAVE_UP
    assert ledger.rows[KEY] == Row("failed", 3, None)


@pytest.mark.parametrize("broken", [False, True])
def test_a_transcript_failure_does_not_undo_a_sent_message(broken: bool) -> None:
    messenger, ledger, transcript = ScriptedMessenger(), MemoryLedger(), Transcript(broken=broken)
    assert courier(messenger, ledger, transcript).deliver(notice(), "pnid", NOW) is Outcome.SENT
    assert ledger.rows[KEY].status == "sent"
    assert transcript.lines == ([] if broken else ["wamid.1"])
