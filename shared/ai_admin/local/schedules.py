"""EventBridge Scheduler, locally: the template's ``ScheduleV2`` events fire their functions in this
process at the moments AWS would (``cron(...)`` in the schedule's time zone, ``rate(...)`` on multiples
of the period since the epoch, as ``bootstrap.reminders.ticks`` counts them), with the event's ``Input``.

Like the real scheduler, a missed moment is not replayed: when the clock jumps (a laptop waking up),
each schedule fires once for the whole gap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ai_admin.local.invoke import Handler, LocalContext
from ai_admin.local.template import Function, Schedule, Template
from ai_admin.observability import logger

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_WEEKDAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}  # 1 = Sunday
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")


class ScheduleError(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The values a cron field allows; None for ``*`` and ``?`` (any)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise ScheduleError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleError(f"cron value {text!r} is not a number")
    return int(text)


@dataclass(frozen=True)
class Rule:
    """When a schedule fires: every ``period``, or the minutes a cron expression allows."""

    tz: ZoneInfo
    period: timedelta | None = None
    minutes: frozenset[int] | None = None
    hours: frozenset[int] | None = None
    days: frozenset[int] | None = None
    months: frozenset[int] | None = None
    weekdays: frozenset[int] | None = None  # EventBridge numbering: 1 = Sunday

    @classmethod
    def parse(cls, expression: str, timezone: str = "UTC") -> Rule:
        tz = ZoneInfo(timezone)
        if rate := _RATE.match(expression.strip()):
            amount, unit = int(rate[1]), rate[2].rstrip("s")
            return cls(tz, period=timedelta(**{f"{unit}s": amount}))
        cron = _CRON.match(expression.strip())
        if cron is None or len(cron[1].split()) != 6:
            raise ScheduleError(f"{expression!r} is neither rate(...) nor a six-field cron(...)")
        minute, hour, day, month, weekday, _year = cron[1].split()
        return cls(
            tz,
            minutes=_field(minute, 0, 59),
            hours=_field(hour, 0, 23),
            days=_field(day, 1, 31),
            months=_field(month, 1, 12, _MONTHS),
            weekdays=_field(weekday, 1, 7, _WEEKDAYS),
        )

    def matches(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        weekday = local.isoweekday() % 7 + 1  # Monday (1) -> 2, Sunday (7) -> 1
        return all(
            allowed is None or value in allowed
            for allowed, value in (
                (self.minutes, local.minute),
                (self.hours, local.hour),
                (self.days, local.day),
                (self.months, local.month),
                (self.weekdays, weekday),
            )
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after ``moment`` (aware)."""
        if self.period is not None:
            step = self.period.total_seconds()
            return datetime.fromtimestamp((moment.timestamp() // step + 1) * step, UTC)
        candidate = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 24 * 60):  # a year of minutes: every valid expression fires within it
            if self.matches(candidate):
                return candidate
            candidate += timedelta(minutes=1)
        raise ScheduleError("the expression never fires")


@dataclass(frozen=True)
class Entry:
    function: Function
    schedule: Schedule
    rule: Rule

    @property
    def label(self) -> str:
        return f"{self.function.logical_id}.{self.schedule.name}"


def entries(template: Template) -> list[Entry]:
    return [
        Entry(function, schedule, Rule.parse(schedule.expression, schedule.timezone))
        for function in template.functions().values()
        for schedule in function.schedules
    ]


Resolve = Callable[[Function], Handler]


class LocalScheduler:
    """Fires every schedule of the template when it is due (``start()``: a thread following the system
    clock until ``stop()``). ``fire_due(since, until)`` is one step of it, for tests with their own clock."""

    def __init__(
        self, template: Template, resolve: Resolve, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.entries = entries(template)
        self._resolve = resolve
        self._now = now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self.fired: list[tuple[str, datetime]] = []

    def fire_due(self, since: datetime, until: datetime) -> list[Entry]:
        """Invokes, once each, the schedules with a moment in (since, until]; returns them."""
        due = [e for e in self.entries if e.rule.next_after(since) <= until]
        for entry in due:
            self.fired.append((entry.label, until))
            logger.info("scheduled invocation", extra={"schedule": entry.label})
            context = LocalContext(function_name=entry.function.logical_id, timeout_s=entry.function.timeout)
            try:
                self._resolve(entry.function)(dict(entry.schedule.input), context)
            except Exception:
                logger.exception("scheduled invocation failed", extra={"schedule": entry.label})
        return due

    def start(self) -> LocalScheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        last = self._now()
        while True:
            upcoming = min((e.rule.next_after(last) for e in self.entries), default=last + timedelta(hours=1))
            wait_s = min(max((upcoming - self._now()).total_seconds(), 0.0), 30.0)
            if self._stop.wait(wait_s):
                return
            current = self._now()
            if current >= upcoming:
                self.fire_due(last, current)
                last = current

    def describe(self) -> list[tuple[str, str]]:
        return [(e.label, f"{e.schedule.expression} {e.schedule.timezone}") for e in self.entries]
