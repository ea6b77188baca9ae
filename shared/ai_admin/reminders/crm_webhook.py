"""YClients record webhooks: a salon's changes announced within seconds instead of at the next sync.

YClients signs nothing, so the URL carries the secret: ``/yclients/<secret>``, where the secret is an
HMAC of the salon's company id under our master secret (``webhook_path_secret``), so one salon's URL
says nothing about another's. A wrong secret, an unknown salon or a body naming no salon is a 404. The
payload is never trusted: the record is read again from YClients, stored in the mirror like a sync
would, and the booking monitor looks at that one record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ai_admin.domain.errors import UnknownSalon
from ai_admin.reminders.booking_monitor import MonitorReport
from ai_admin.reminders.ports import CrmRecords, RecordMirror, Salons

Monitor = Callable[[int, datetime, Sequence[int]], MonitorReport]


def webhook_path_secret(master_secret: str, company_id: int) -> str:
    digest = hmac.new(master_secret.encode(), f"yclients-webhook:{company_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


@dataclass(frozen=True)
class WebhookResult:
    company_id: int
    resource: str
    record_id: int | None = None
    found: bool = False
    notified: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "company_id": self.company_id,
            "resource": self.resource,
            "record_id": self.record_id,
            "found": self.found,
            "notified": self.notified,
        }


# Ids are PostgreSQL bigints; a larger "id" is no YClients record (and would fail the mirror's insert).
MAX_ID = 2**63 - 1


def _id(value: object) -> int | None:
    """A positive id written as a JSON number or ASCII digits; None otherwise."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _company_of(body: bytes) -> tuple[int, dict[str, object]]:
    try:
        payload = json.loads(body)
        company_id = _id(payload["company_id"])
    except (ValueError, KeyError, TypeError, RecursionError) as error:  # RecursionError: nested too deep
        raise UnknownSalon("the webhook names no salon") from error
    if company_id is None:
        raise UnknownSalon("the webhook names no salon")
    return company_id, payload


@dataclass(frozen=True)
class CrmWebhook:
    master_secret: str | None
    salons: Salons
    crm: CrmRecords
    mirror: RecordMirror
    monitor: Monitor

    def receive(self, path_secret: str, body: bytes, now: datetime) -> WebhookResult:
        """Raises UnknownSalon (answer 404) unless the path secret is this salon's."""
        company_id, payload = _company_of(body)
        if not self.master_secret or not hmac.compare_digest(
            path_secret.encode(), webhook_path_secret(self.master_secret, company_id).encode()
        ):
            raise UnknownSalon("wrong webhook secret")
        if self.salons.salon(company_id) is None:
            raise UnknownSalon(f"salon {company_id} is not served here")
        resource = str(payload.get("resource") or "")
        record_id = _id(payload.get("resource_id"))
        if resource != "record" or record_id is None:
            return WebhookResult(company_id, resource)
        record = self.crm.record(company_id, record_id)
        if record is None:
            self.mirror.mark_deleted(company_id, record_id)
        else:
            self.mirror.upsert_records(company_id, [record])
        report = self.monitor(company_id, now, [record_id])
        return WebhookResult(company_id, resource, record_id, record is not None, report.sent)
