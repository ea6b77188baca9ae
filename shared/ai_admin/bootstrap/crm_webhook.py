"""Composition of the YClients record webhook: the shared YClients client, the CRM mirror and the
booking monitor, built once per cold start on first use."""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from datetime import datetime

import pg8000.native

from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.postgres_crm_mirror import PostgresCrmMirror
from ai_admin.adapters.yclients_crm import YClientsCrm
from ai_admin.bootstrap import reminders
from ai_admin.bootstrap.clock import clock
from ai_admin.bootstrap.yclients import yclients_client
from ai_admin.reminders.booking_monitor import MonitorReport
from ai_admin.reminders.crm_webhook import CrmWebhook, WebhookResult
from ai_admin.settings import PostgresSettings, YClientsSettings, load, secret

_local = threading.local()


def _mirror() -> PostgresCrmMirror:
    """Per thread: a pg8000 connection serves one thread, and the local HTTP API serves on several."""
    mirror: PostgresCrmMirror | None = getattr(_local, "mirror", None)
    if mirror is None:
        db = load(PostgresSettings)
        mirror = _local.mirror = PostgresCrmMirror(connect(db.url, db.connect_timeout_s, secret(db.password)))
    return mirror


def _monitor(company_id: int, now: datetime, record_ids: Sequence[int]) -> MonitorReport:
    return reminders.watch_bookings(company_id, now, record_ids)


@functools.cache
def _crm() -> YClientsCrm:
    return YClientsCrm(yclients_client())


def webhook() -> CrmWebhook:
    return CrmWebhook(
        master_secret=secret(load(YClientsSettings).webhook_secret),
        salons=reminders.salons(),
        crm=_crm(),
        mirror=_mirror(),
        monitor=_monitor,
    )


def receive(path_secret: str, body: bytes) -> WebhookResult:
    try:
        return webhook().receive(path_secret, body, clock().now())
    except (pg8000.native.InterfaceError, OSError):
        _local.__dict__.clear()  # a broken connection: the next request opens a fresh one
        raise


def forget_cold_start() -> None:
    _crm.cache_clear()
    _local.__dict__.clear()
