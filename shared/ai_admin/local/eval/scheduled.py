"""The jobs EventBridge Scheduler would have started while a ``wait_until`` step moves the clock.

Each entry is called once per clock move with the salon's company id and the moments before and after
the move (aware, salon time zone); it does its work before returning (the runner then waits for the
pipeline to go idle and collects what the bot sent). Append a job here to make scenarios see it.
The booking monitor needs no entry: it runs when the bookings sync closes, on the sync's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ai_admin.bootstrap.reminders import reminders_between
from ai_admin.local.eval.salon_sync import sync_salon
from ai_admin.sync.jobs import Job

ScheduledJob = Callable[[int, datetime, datetime], None]


def sync_bookings(company_id: int, since: datetime, until: datetime) -> None:
    """The 15-minute bookings sync (records from today to +60 days) as of the new moment; running it
    once per move is enough, it upserts."""
    sync_salon(company_id, [Job.BOOKINGS], at=until)


SCHEDULED: list[ScheduledJob] = [sync_bookings, reminders_between]  # reminders: every 5-minute run in between
