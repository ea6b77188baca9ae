"""The webhook's whole job: check the signature, parse, route each message to its salon, drop
duplicates, buffer it for the client's next turn and enqueue; delivery receipts update our outbound
messages. Nothing slow happens here: the reply is the conversation worker's job.

A signed delivery is always acknowledged once what it holds is stored: what cannot be read is kept as a
dead letter (Meta would re-send a refused body for days, and one bad message would hold back the rest).
Only an unsigned or oversized body is refused, and a storage or queue outage answers 5xx so Meta retries."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Protocol

from ai_admin.domain.errors import PayloadTooLarge, QueueUnavailable, StorageUnavailable
from ai_admin.domain.messages import BufferedMessage, StatusUpdate
from ai_admin.observability import logger
from ai_admin.whatsapp import signature
from ai_admin.whatsapp.webhook_payload import parse

MAX_QUEUED_BYTES = 200_000


def _line(item: BufferedMessage) -> str:
    return json.dumps(item.to_dict(), ensure_ascii=False, separators=(",", ":"))


class SalonDirectory(Protocol):
    def company_for(self, phone_number_id: str) -> int | None: ...


class Inbox(Protocol):
    """The per-client buffer of messages waiting to be answered, with atomic duplicate detection."""

    def admit(self, wamid: str, company_id: int, client_key: str, item: str) -> bool:
        """Buffers ``item`` for the client and returns True the first time a message id is seen (within
        the dedup TTL); afterwards returns False and buffers nothing. Atomic: concurrent duplicates admit one."""
        ...

    def release(self, wamid: str, company_id: int, client_key: str) -> None:
        """Forget the message id, so Meta's redelivery of it is admitted again."""
        ...


class TurnQueue(Protocol):
    def enqueue(self, company_id: int, client_key: str, wamid: str, item: str) -> None:
        """Queues the client's turn with the buffered ``item`` itself, the durable copy of the message."""
        ...


class DeadLetters(Protocol):
    def keep(self, source: str, reason: str, fragment: str, fingerprint: str) -> None:
        """Stores what could not be processed, once per ``fingerprint`` (a redelivery adds nothing)."""
        ...


class DeliveryLog(Protocol):
    def record_status(self, update: StatusUpdate) -> bool:
        """False when the message is not one of ours (it is then ignored)."""
        ...


@dataclass(frozen=True)
class Receipt:
    accepted: int = 0
    duplicates: int = 0
    unrouted: int = 0
    statuses: int = 0
    statuses_ignored: int = 0
    dead_lettered: int = 0


@dataclass
class WebhookReceiver:
    app_secret: str
    max_body_bytes: int
    salons: SalonDirectory
    inbox: Inbox
    queue: TurnQueue
    deliveries: DeliveryLog
    dead_letters: DeadLetters

    def receive(self, body: bytes, signature_header: str | None) -> Receipt:
        if len(body) > self.max_body_bytes:
            raise PayloadTooLarge(f"body of {len(body)} bytes is over {self.max_body_bytes}")
        signature.verify(body, signature_header, self.app_secret)
        delivery = parse(body)
        for rejected in delivery.rejected:
            fragment = rejected.fragment
            text = fragment if isinstance(fragment, str) else json.dumps(fragment, ensure_ascii=False, default=str)
            fingerprint = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
            self.dead_letters.keep("whatsapp", rejected.reason, text, fingerprint)
        if delivery.rejected:
            logger.warning(
                "webhook parts dead-lettered", extra={"reasons": [r.reason[:200] for r in delivery.rejected]}
            )
        accepted = duplicates = unrouted = 0
        for item in delivery.messages:
            company_id = self.salons.company_for(item.phone_number_id)
            if company_id is None:
                unrouted += 1
                continue
            if self._buffer(company_id, item):
                accepted += 1
            else:
                duplicates += 1
        done = ignored = 0
        for phone_number_id, update in delivery.statuses:
            if self.salons.company_for(phone_number_id) is None:
                unrouted += 1
            elif self.deliveries.record_status(update):
                done += 1
            else:
                ignored += 1
        if unrouted:
            logger.warning("webhook for an unknown phone_number_id", extra={"unrouted": unrouted})
        return Receipt(accepted, duplicates, unrouted, done, ignored, len(delivery.rejected))

    def _buffer(self, company_id: int, item: BufferedMessage) -> bool:
        """False for a duplicate."""
        line = _line(item)
        if len(line.encode()) > MAX_QUEUED_BYTES:  # SQS takes 256 KiB: keep the message, drop its raw copy
            line = _line(replace(item, message=replace(item.message, raw={})))
        try:
            if not self.inbox.admit(item.message.wamid, company_id, item.client.key, line):
                return False
            self.queue.enqueue(company_id, item.client.key, item.message.wamid, line)
        except (QueueUnavailable, StorageUnavailable):
            # Meta redelivers on our 5xx; let that retry through (the worker drops a repeated wamid).
            with contextlib.suppress(StorageUnavailable):
                self.inbox.release(item.message.wamid, company_id, item.client.key)
            raise
        return True
