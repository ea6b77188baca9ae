"""Sending one notification at most once: claim it in PostgreSQL, send, record the outcome.

The claim comes first, so overlapping runs never both send; the outcome is written with a
compare-and-set on the claim's attempt number, so a run that was taken over cannot overwrite the run
that took over. A run that dies between claim and outcome leaves a ``claimed`` row that the next run
takes over once it is older than ``stale_after`` (the one case a message can go out twice: a crash
after WhatsApp accepted it and before the row says so). Transient WhatsApp failures are retried by
later runs with exponential backoff up to ``max_attempts``; rejections are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ai_admin.domain.errors import AiAdminError, MessageRejected, MessengerUnavailable, OutsideServiceWindow
from ai_admin.domain.messages import OutboundMessage, Recipient, TemplateReply
from ai_admin.domain.reminder_rules import retry_delay
from ai_admin.observability import logger
from ai_admin.reminders.ports import (
    Claim,
    Messenger,
    NotificationKey,
    NotificationLedger,
    NotificationTranscript,
    Refusal,
)


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 5
    retry_base: timedelta = timedelta(minutes=5)
    retry_cap: timedelta = timedelta(hours=1)
    stale_after: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class Notice:
    """One notification for one client: free text (with buttons) inside the 24-hour window, the
    approved template outside it."""

    key: NotificationKey
    phone: str
    free_form: OutboundMessage
    template: TemplateReply
    inside_window: bool


@dataclass(frozen=True)
class Templates:
    """Names of the approved WhatsApp templates (parameters: domain/notification_texts.py)."""

    reminder: str = "appointment_reminder"
    booking_created: str = "booking_created"
    booking_moved: str = "booking_moved"
    booking_cancelled: str = "booking_cancelled"
    language: str = "ru"


class Outcome(StrEnum):
    SENT = "sent"
    RETRY_LATER = "retry_later"
    GAVE_UP = "gave_up"
    SETTLED = "settled"  # already done by an earlier run
    PENDING = "pending"  # another run is on it, or its retry is not due


@dataclass(frozen=True)
class Courier:
    ledger: NotificationLedger
    messenger: Messenger
    transcript: NotificationTranscript
    policy: DeliveryPolicy

    def deliver(self, notice: Notice, phone_number_id: str, now: datetime) -> Outcome:
        policy = self.policy
        claim = self.ledger.claim(
            notice.key,
            notice.phone,
            now,
            stale_after_s=policy.stale_after.total_seconds(),
            max_attempts=policy.max_attempts,
        )
        if not isinstance(claim, Claim):
            return Outcome.SETTLED if claim is Refusal.SETTLED else Outcome.PENDING
        to = Recipient(notice.phone.lstrip("+"))
        try:
            message, wamid = self._send(notice, phone_number_id, to)
        except MessageRejected as error:
            logger.warning("notification rejected", extra={"kind": notice.key.kind, "code": error.code})
            self.ledger.mark_failed(claim, str(error)[:500], None)
            return Outcome.GAVE_UP
        except MessengerUnavailable as error:
            retry_at = None
            if claim.attempt < policy.max_attempts:
                retry_at = now + retry_delay(claim.attempt, policy.retry_base, policy.retry_cap)
            logger.warning("notification failed", extra={"kind": notice.key.kind, "attempt": claim.attempt})
            self.ledger.mark_failed(claim, str(error)[:500], retry_at)
            return Outcome.RETRY_LATER if retry_at else Outcome.GAVE_UP
        if not self.ledger.mark_sent(claim, wamid, now):
            logger.warning("notification claim was taken over while sending", extra={"kind": notice.key.kind})
        try:
            self.transcript.note(notice.key.company_id, notice.phone, message, wamid)
        except AiAdminError as error:  # the message went out; a missing transcript line is not worth a retry
            logger.warning("notification not added to the transcript", extra={"error": str(error)})
        return Outcome.SENT

    def _send(self, notice: Notice, phone_number_id: str, to: Recipient) -> tuple[OutboundMessage, str]:
        message = notice.free_form if notice.inside_window else notice.template
        try:
            return message, self.messenger.send(phone_number_id, to, message)
        except OutsideServiceWindow:
            if message is notice.template:
                raise
            # The window closed (or WhatsApp says so inside it): the template is still one message.
            return notice.template, self.messenger.send(phone_number_id, to, notice.template)
