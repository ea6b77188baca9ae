"""Creating a booking: once per turn however often the turn is redelivered, read back before the bot
may say it is done, and noted as the bot's own so the booking monitor does not announce it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from ai_admin.conversation.actions import Action
from ai_admin.conversation.model import Booked
from ai_admin.conversation.ports import BookingDesk, BookingError, BotChanges
from ai_admin.observability import logger


class BookingFailure(Enum):
    TAKEN = "taken"  # the CRM says the time is no longer free
    UNKNOWN = "unknown"  # no answer we can trust: it may or may not exist
    UNAVAILABLE = "unavailable"  # the CRM refused or failed; nothing was made


@dataclass(frozen=True)
class BookResult:
    booked: Booked | None = None
    failure: BookingFailure | None = None


def api_id(conversation_id: int, turn_key: str) -> str:
    """The id YClients keeps with the record: a redelivered turn finds the record it already made."""
    return "ai-admin-" + hashlib.sha256(f"{conversation_id}:{turn_key}".encode()).hexdigest()[:24]


@dataclass
class Booker:
    desk: BookingDesk
    changes: BotChanges
    company_id: int
    conversation_id: int
    turn_key: str
    now: datetime

    def book(self, *, phone: str, name: str, staff_id: int, service_ids: Sequence[int], start: datetime) -> BookResult:
        try:
            booked = self.desk.book(
                self.company_id,
                phone=phone,
                name=name,
                staff_id=staff_id,
                service_ids=list(service_ids),
                start=start,
                api_id=api_id(self.conversation_id, self.turn_key),
            )
        except BookingError as error:
            logger.warning("booking failed", extra={"slot_taken": error.slot_taken, "unknown": error.outcome_unknown})
            if error.slot_taken:
                return BookResult(failure=BookingFailure.TAKEN)
            if error.outcome_unknown:
                return BookResult(failure=BookingFailure.UNKNOWN)
            return BookResult(failure=BookingFailure.UNAVAILABLE)
        self.changes.note(self.company_id, booked.record_id, Action.BOOKED.value, self.now)
        return BookResult(booked=booked)
