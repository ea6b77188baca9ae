"""One reminder run for one salon: every visit whose reminder is due now gets it, once.

Runs every five minutes and may overlap with the previous run: each reminder is claimed in
PostgreSQL before it is sent (see delivery.py). One client's failure is recorded and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from ai_admin.domain.notification_texts import reminder_message, reminder_template
from ai_admin.domain.reminder_rules import ReminderRules, due_reminder, inside_service_window, rules_from_settings
from ai_admin.observability import logger
from ai_admin.reminders.delivery import Courier, Notice, Outcome, Templates
from ai_admin.reminders.ports import NotificationKey, OptOuts, Salons, UpcomingVisits

# Far enough ahead for "tomorrow" in any salon time zone.
HORIZON = timedelta(hours=50)


@dataclass(frozen=True)
class ReminderParts:
    salons: Salons
    visits: UpcomingVisits
    opt_outs: OptOuts
    courier: Courier
    templates: Templates
    defaults: ReminderRules


@dataclass
class ReminderReport:
    company_id: int
    due: int = 0
    sent: int = 0
    retry_later: int = 0
    gave_up: int = 0
    already_settled: int = 0
    pending: int = 0
    opted_out: int = 0
    errors: int = 0
    stopped_early: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def count(self, outcome: Outcome) -> None:
        field = {Outcome.SETTLED: "already_settled"}.get(outcome, outcome.value)
        setattr(self, field, getattr(self, field) + 1)


def run_reminders(
    parts: ReminderParts, company_id: int, now: datetime, *, should_stop: Callable[[], bool] = lambda: False
) -> ReminderReport:
    report = ReminderReport(company_id)
    salon = parts.salons.salon(company_id)
    if salon is None or not salon.phone_number_id:
        return report
    rules = rules_from_settings(salon.settings, parts.defaults)
    for visit in parts.visits.upcoming(company_id, now, now + HORIZON):
        kind = due_reminder(visit, now, salon.timezone, rules)
        if kind is None or kind.value in visit.settled or visit.client_phone is None:
            continue
        if should_stop():
            report.stopped_early = True  # the next run (in five minutes) picks up the rest
            break
        report.due += 1
        try:
            if parts.opt_outs.is_opted_out(company_id, visit.client_phone):
                report.opted_out += 1
                continue
            notice = Notice(
                key=NotificationKey(company_id, visit.record_id, kind.value),
                phone=visit.client_phone,
                free_form=reminder_message(visit, kind, now, salon.timezone, salon.address),
                template=reminder_template(
                    visit,
                    now,
                    salon.timezone,
                    name=parts.templates.reminder,
                    language=parts.templates.language,
                    salon=salon.title,
                ),
                inside_window=inside_service_window(visit.last_inbound_at, now),
            )
            report.count(parts.courier.deliver(notice, salon.phone_number_id, now))
        except Exception as error:  # one client's failure never blocks the others
            report.errors += 1
            logger.exception(
                "reminder failed", extra={"record_id": visit.record_id, "kind": kind.value, "error": str(error)}
            )
    return report
