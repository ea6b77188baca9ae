"""What reminders and booking notifications need from the outside world, as small role-named protocols."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ai_admin.domain.booking_changes import SeenState
from ai_admin.domain.crm import CrmRecord
from ai_admin.domain.messages import OutboundMessage, Recipient
from ai_admin.domain.reminder_rules import Visit


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...


@dataclass(frozen=True)
class Salon:
    company_id: int
    title: str
    address: str
    timezone: ZoneInfo
    phone_number_id: str | None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def announces_changes(self) -> bool:
        return self.settings.get("booking_notifications", True) is not False


class Salons(Protocol):
    def salon(self, company_id: int) -> Salon | None: ...

    def active_companies(self) -> list[int]: ...


class UpcomingVisits(Protocol):
    def upcoming(self, company_id: int, now: datetime, until: datetime) -> list[Visit]:
        """Visits starting in (now, until] that may still get a reminder (not cancelled or attended,
        with a phone), with the window's last inbound message and the reminder kinds already settled."""
        ...


class OptOuts(Protocol):
    def is_opted_out(self, company_id: int, phone: str) -> bool: ...


class BotChangeLog(Protocol):
    def changed_by_bot(self, company_id: int, record_id: int, since: datetime) -> set[str]:
        """The changes the bot made to the record at or after ``since`` ("created", "moved", "cancelled", ...)."""
        ...


class Messenger(Protocol):
    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        """The wamid; raises OutsideServiceWindow / MessageRejected (final) or MessengerUnavailable (retry)."""
        ...


@dataclass(frozen=True)
class NotificationKey:
    company_id: int
    record_id: int
    kind: str


@dataclass(frozen=True)
class Claim:
    """The right to send one notification; ``attempt`` is the compare-and-set token of the claim."""

    key: NotificationKey
    attempt: int


class Refusal(StrEnum):
    SETTLED = "settled"  # sent, skipped, or given up: never again
    PENDING = "pending"  # another run holds a live claim, or the next retry is not due yet


class NotificationLedger(Protocol):
    """``sent_notifications``: one row per (company, record, kind), claimed before anything is sent."""

    def claim(
        self, key: NotificationKey, phone: str, now: datetime, *, stale_after_s: float, max_attempts: int
    ) -> Claim | Refusal:
        """A new claim, or a takeover of a failed row whose retry is due or of a claim older than
        ``stale_after_s`` (a crashed run), while attempts stay below ``max_attempts``; atomic."""
        ...

    def mark_sent(self, claim: Claim, wamid: str, now: datetime) -> bool:
        """False when the claim was taken over meanwhile (nothing is changed then)."""
        ...

    def mark_failed(self, claim: Claim, error: str, retry_at: datetime | None) -> bool:
        """``retry_at`` None: never retried."""
        ...

    def skip(self, key: NotificationKey, phone: str | None, reason: str, now: datetime) -> None:
        """Settle a notification that must not go out (made by the bot), unless it is already recorded."""
        ...


class NotificationTranscript(Protocol):
    def note(self, company_id: int, phone: str, message: OutboundMessage, wamid: str) -> None:
        """Add a sent notification to the client's conversation, if there is one, so replies have context."""
        ...


@dataclass(frozen=True)
class BookingLook:
    """One look of the monitor at a salon: what differs from its snapshot. ``baseline`` is True on the
    first look ever, which only records what exists (nothing is announced)."""

    watching_since: datetime
    baseline: bool
    observed: tuple[tuple[Visit, SeenState | None], ...] = ()


class BookingSnapshots(Protocol):
    def look(self, company_id: int, now: datetime, record_ids: Sequence[int] | None = None) -> BookingLook:
        """Upcoming records (of ``record_ids``, if given) whose start or cancellation differs from the
        snapshot, or that it has not seen."""
        ...

    def remember(self, company_id: int, visits: Sequence[Visit], now: datetime) -> None: ...


class CrmRecords(Protocol):
    def record(self, company_id: int, record_id: int) -> CrmRecord | None:
        """The record as the CRM has it now; None when the CRM does not know it (deleted for good)."""
        ...


class RecordMirror(Protocol):
    def upsert_records(self, company_id: int, records: Sequence[CrmRecord]) -> int: ...

    def mark_deleted(self, company_id: int, record_id: int) -> bool: ...
