"""The booking monitor: tell a client, once, that the salon created, moved or cancelled their visit.

It runs after each bookings sync (and for one record after a YClients webhook) and compares the
mirrored records with its own snapshot in PostgreSQL, never with memory, so any run sees every change
since the last look. A record's snapshot moves on only when its change is settled (sent, skipped or
given up); a failed or contended notification is found again by the next look and retried through the
same claim. Changes the bot made itself are skipped, by the record's ``created_by_bot`` flag or the
bot's change log since the state the monitor last saw (minus a margin for sync lag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from ai_admin.domain.booking_changes import ChangeKind, detect_change, made_by_bot
from ai_admin.domain.notification_texts import change_message, change_template
from ai_admin.domain.reminder_rules import Visit, inside_service_window
from ai_admin.observability import logger
from ai_admin.reminders.delivery import Courier, Notice, Outcome, Templates
from ai_admin.reminders.ports import BookingSnapshots, BotChangeLog, NotificationKey, OptOuts, Salons


@dataclass(frozen=True)
class MonitorParts:
    salons: Salons
    snapshots: BookingSnapshots
    bot_changes: BotChangeLog
    opt_outs: OptOuts
    courier: Courier
    templates: Templates
    news_for: timedelta = timedelta(days=2)
    bot_margin: timedelta = timedelta(minutes=15)


@dataclass
class MonitorReport:
    company_id: int
    baseline: bool = False
    changes: int = 0
    sent: int = 0
    by_bot: int = 0
    not_announced: int = 0
    retry_later: int = 0
    gave_up: int = 0
    already_settled: int = 0
    pending: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def monitor_bookings(
    parts: MonitorParts, company_id: int, now: datetime, record_ids: Sequence[int] | None = None
) -> MonitorReport:
    report = MonitorReport(company_id)
    salon = parts.salons.salon(company_id)
    if salon is None:
        return report
    look = parts.snapshots.look(company_id, now, record_ids)
    report.baseline = look.baseline
    settled: list[Visit] = []
    names = {
        ChangeKind.CREATED: parts.templates.booking_created,
        ChangeKind.MOVED: parts.templates.booking_moved,
        ChangeKind.CANCELLED: parts.templates.booking_cancelled,
    }
    for visit, seen in look.observed:
        change = detect_change(visit, seen, watching_since=look.watching_since, now=now, news_for=parts.news_for)
        if change is None:
            settled.append(visit)
            continue
        report.changes += 1
        key = NotificationKey(company_id, visit.record_id, change.notification_kind)
        try:
            since = (seen.synced_at if seen and seen.synced_at else visit.crm_created_at or now) - parts.bot_margin
            if made_by_bot(change, parts.bot_changes.changed_by_bot(company_id, visit.record_id, since)):
                parts.courier.ledger.skip(key, visit.client_phone, "made by the bot", now)
                report.by_bot += 1
                settled.append(visit)
                continue
            phone = visit.client_phone
            if (
                not phone
                or not salon.phone_number_id
                or not salon.announces_changes
                or parts.opt_outs.is_opted_out(company_id, phone)
            ):
                report.not_announced += 1
                settled.append(visit)
                continue
            tz = salon.timezone
            notice = Notice(
                key=key,
                phone=phone,
                free_form=change_message(change, now, tz, salon.address),
                template=change_template(
                    change, now, tz, names=names, language=parts.templates.language, salon=salon.title
                ),
                inside_window=inside_service_window(visit.last_inbound_at, now),
            )
            outcome = parts.courier.deliver(notice, salon.phone_number_id, now)
        except Exception as error:  # one client's failure never blocks the others
            report.errors += 1
            logger.exception("booking notification failed", extra={"record_id": visit.record_id, "error": str(error)})
            continue
        field = {Outcome.SETTLED: "already_settled"}.get(outcome, outcome.value)
        setattr(report, field, getattr(report, field) + 1)
        if outcome in (Outcome.SENT, Outcome.SETTLED, Outcome.GAVE_UP):
            settled.append(visit)
    parts.snapshots.remember(company_id, settled, now)
    return report
