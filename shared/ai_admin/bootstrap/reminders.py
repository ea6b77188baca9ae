"""Composition of the reminder function and of the booking monitor (which the bookings sync and the
YClients record webhook call), built once per cold start on first use."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ai_admin.adapters.httpx_whatsapp_messenger import WhatsAppCloudMessenger
from ai_admin.adapters.postgres_booking_snapshots import PostgresBookingSnapshots
from ai_admin.adapters.postgres_bot_changes import PostgresBotChanges
from ai_admin.adapters.postgres_notification_ledger import PostgresNotificationLedger
from ai_admin.adapters.postgres_notification_transcript import PostgresNotificationTranscript
from ai_admin.adapters.postgres_opt_outs import PostgresOptOuts
from ai_admin.adapters.postgres_salon_visits import PostgresSalonVisits
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.bootstrap.clock import clock
from ai_admin.domain.reminder_rules import EveningWindow, ReminderRules, clock_time
from ai_admin.observability import logger, metrics
from ai_admin.reminders.booking_monitor import MonitorParts, MonitorReport, monitor_bookings
from ai_admin.reminders.delivery import Courier, DeliveryPolicy, Templates
from ai_admin.reminders.send_reminders import ReminderParts, ReminderReport, run_reminders
from ai_admin.settings import PostgresSettings, ReminderSettings, WhatsAppSettings, load

# The schedule in template.yaml (ReminderFunction): every five minutes.
TICK = timedelta(minutes=5)


@functools.cache
def _db() -> PostgresSession:
    return PostgresSession(load(PostgresSettings))


@functools.cache
def salons() -> PostgresSalonVisits:
    return PostgresSalonVisits(_db())


def build_courier(db: PostgresSession) -> Courier:
    config = load(ReminderSettings)
    policy = DeliveryPolicy(
        max_attempts=config.max_attempts,
        retry_base=timedelta(seconds=config.retry_base_s),
        retry_cap=timedelta(seconds=config.retry_cap_s),
        stale_after=timedelta(seconds=config.stale_claim_s),
    )
    return Courier(
        ledger=PostgresNotificationLedger(db),
        messenger=WhatsAppCloudMessenger(load(WhatsAppSettings)),
        transcript=PostgresNotificationTranscript(db),
        policy=policy,
    )


def templates() -> Templates:
    config = load(WhatsAppSettings)
    return Templates(
        reminder=config.reminder_template,
        booking_created=config.booking_created_template,
        booking_moved=config.booking_moved_template,
        booking_cancelled=config.booking_cancelled_template,
        language=config.template_language,
    )


def default_rules() -> ReminderRules:
    config = load(ReminderSettings)
    start, end = clock_time(config.evening_from), clock_time(config.evening_to)
    return ReminderRules(
        evening=EveningWindow(start, end) if start and end and start < end else EveningWindow(),
        before_visit=timedelta(seconds=config.hours_before_s),
        min_booking_lead=timedelta(seconds=config.min_booking_lead_s),
    )


def build_reminder_parts(db: PostgresSession) -> ReminderParts:
    """Everything a reminder run needs over one PostgreSQL session (tests build one per thread)."""
    visits = PostgresSalonVisits(db)
    return ReminderParts(
        salons=visits,
        visits=visits,
        opt_outs=PostgresOptOuts(db),
        courier=build_courier(db),
        templates=templates(),
        defaults=default_rules(),
    )


def build_monitor_parts(db: PostgresSession) -> MonitorParts:
    config = load(ReminderSettings)
    return MonitorParts(
        salons=PostgresSalonVisits(db),
        snapshots=PostgresBookingSnapshots(db),
        bot_changes=PostgresBotChanges(db),
        opt_outs=PostgresOptOuts(db),
        courier=build_courier(db),
        templates=templates(),
        news_for=timedelta(seconds=config.monitor_news_for_s),
        bot_margin=timedelta(seconds=config.monitor_bot_margin_s),
    )


@functools.cache
def reminder_parts() -> ReminderParts:
    return build_reminder_parts(_db())


@functools.cache
def monitor_parts() -> MonitorParts:
    return build_monitor_parts(_db())


def forget_cold_start() -> None:
    """Drop what was built (tests and the local console change settings between runs)."""
    if _db.cache_info().currsize:
        _db().close()
    for cached in (_db, salons, reminder_parts, monitor_parts):
        cached.cache_clear()


# --- entry points ----------------------------------------------------------------------------------


def remind(company_id: int, now: datetime, should_stop: Callable[[], bool] = lambda: False) -> ReminderReport:
    """One reminder run for one salon as of ``now`` (the Lambda, ``ai-admin remind`` and scenarios)."""
    report = run_reminders(reminder_parts(), company_id, now, should_stop=should_stop)
    logger.info("reminders", extra=report.as_dict())
    return report


def watch_bookings(company_id: int, now: datetime, record_ids: Sequence[int] | None = None) -> MonitorReport:
    """One booking-monitor look at one salon (or at some of its records) as of ``now``."""
    report = monitor_bookings(monitor_parts(), company_id, now, record_ids)
    logger.info("booking monitor", extra=report.as_dict())
    return report


def after_bookings_sync(company_id: int, now: datetime) -> None:
    """The bookings sync's completion hook, on the sync's clock (a scenario's frozen one, locally)."""
    if load(ReminderSettings).monitor_enabled:
        watch_bookings(company_id, now)


def ticks(since: datetime, until: datetime, every: timedelta = TICK) -> list[datetime]:
    """The moments in (since, until] a rate schedule fires at (multiples of ``every`` since the epoch)."""
    step = every.total_seconds()
    first = datetime.fromtimestamp((since.timestamp() // step + 1) * step, UTC)
    count = max(0, (until - first) // every + 1)
    return [first + every * n for n in range(count)]


def reminders_between(company_id: int, since: datetime, until: datetime) -> None:
    """The runs the five-minute schedule makes in (since, until]: a scheduled job for the scenario runner."""
    for tick in ticks(since, until):
        remind(company_id, tick)


def run_from_event(event: dict[str, Any], remaining_ms: Callable[[], int] | None = None) -> dict[str, Any]:
    """``{}`` from the schedule: every active salon, now. ``{"company_id": 1, "at": "<ISO>"}``: one salon,
    as of a moment (replays and local runs)."""
    now = datetime.fromisoformat(event["at"]) if event.get("at") else clock().now()
    if now.tzinfo is None:
        raise ValueError("at must carry a UTC offset")
    companies = [int(event["company_id"])] if event.get("company_id") else salons().active_companies()
    margin_ms = load(ReminderSettings).stop_margin_s * 1000

    def should_stop() -> bool:
        return remaining_ms is not None and remaining_ms() < margin_ms

    reports = [remind(company_id, now, should_stop).as_dict() for company_id in companies]
    metrics.add_metric(name="RemindersSent", unit="Count", value=sum(int(str(r["sent"])) for r in reports))
    return {"at": now.isoformat(), "salons": reports}
