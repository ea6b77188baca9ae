"""What hand-offs need from the outside world, and the salon's hand-off settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from ai_admin.conversation.ports import HandoffRequest
from ai_admin.domain.handoff_texts import Said
from ai_admin.domain.phones import InvalidPhone, to_e164

DEFAULT_PAUSE = timedelta(hours=12)


class Notice(StrEnum):
    PENDING = "pending"
    NOTIFIED = "notified"
    NO_ADMIN = "no_admin"
    FAILED = "failed"


def admin_phones(values: Sequence[object]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The administrators' numbers in E.164, and the values that are not phone numbers."""
    valid: list[str] = []
    invalid: list[str] = []
    for value in values:
        try:
            phone = to_e164(str(value))
        except InvalidPhone:
            invalid.append(str(value))
            continue
        if phone not in valid:
            valid.append(phone)
    return tuple(valid), tuple(invalid)


@dataclass(frozen=True)
class SalonDesk:
    """A salon's administrators and what a hand-off does there, from ``companies.settings``:
    ``{"admins": ["+79161234567"], "handoff": {"pause_bot": true, "pause_hours": 12}}``.
    ``pause_bot``: the bot does not answer a client while an administrator has been told and has not
    closed the hand-off; after ``pause_hours`` the hand-off expires and the bot answers again."""

    company_id: int
    title: str
    phone_number_id: str | None
    admins: tuple[str, ...] = ()
    pause_bot: bool = True
    pause_for: timedelta = DEFAULT_PAUSE
    invalid_admins: tuple[str, ...] = ()

    @classmethod
    def from_settings(
        cls, company_id: int, title: str, phone_number_id: str | None, settings: Mapping[str, Any]
    ) -> SalonDesk:
        raw = settings.get("admins") or []
        admins, invalid = admin_phones(raw if isinstance(raw, list) else [raw])
        found = settings.get("handoff")
        handoff: Mapping[str, Any] = found if isinstance(found, dict) else {}
        try:
            hours = float(handoff.get("pause_hours", DEFAULT_PAUSE.total_seconds() / 3600))
        except (TypeError, ValueError):
            hours = DEFAULT_PAUSE.total_seconds() / 3600
        return cls(
            company_id,
            title,
            phone_number_id,
            admins,
            handoff.get("pause_bot", True) is not False,
            timedelta(hours=max(hours, 0.0)),
            invalid,
        )


@dataclass(frozen=True)
class Handoff:
    handoff_id: int
    company_id: int
    conversation_id: int
    client_phone: str | None
    client_name: str | None
    reason: str
    opened_at: datetime
    notice: Notice
    notified_to: tuple[str, ...] = ()


class SalonDesks(Protocol):
    def desk(self, company_id: int) -> SalonDesk | None: ...


class HandoffStore(Protocol):
    """``handoffs``: at most one open hand-off per conversation."""

    def open(self, request: HandoffRequest, now: datetime) -> Handoff:
        """The conversation's open hand-off, opened at ``now`` when there is none."""
        ...

    def record_notice(
        self, handoff_id: int, notice: Notice, notified_to: Sequence[str], error: str | None, now: datetime
    ) -> None: ...

    def close(self, handoff_id: int, by: str, at: datetime) -> bool:
        """False when it was closed already."""
        ...

    def open_handoffs(self, company_id: int, conversation_id: int | None = None) -> list[Handoff]:
        """Oldest first."""
        ...


class TranscriptTail(Protocol):
    def recent(self, conversation_id: int, limit: int) -> list[Said]:
        """The conversation's last ``limit`` messages with text, oldest first."""
        ...

    def last_inbound_at(self, company_id: int, phone: str) -> datetime | None:
        """When ``phone`` last wrote to the salon (an administrator's 24-hour window)."""
        ...
