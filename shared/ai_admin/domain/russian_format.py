"""Dates, times and money the way a Russian salon administrator writes them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

_MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_WEEKDAYS_ACCUSATIVE = (
    "в понедельник",
    "во вторник",
    "в среду",
    "в четверг",
    "в пятницу",
    "в субботу",
    "в воскресенье",
)
_WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


def day_month(day: date) -> str:
    """``11 марта``."""
    return f"{day.day} {_MONTHS_GENITIVE[day.month - 1]}"


def on_weekday(day: date) -> str:
    """ "в пятницу", "во вторник"."""
    return _WEEKDAYS_ACCUSATIVE[day.weekday()]


def weekday_name(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def on_day(day: date, today: date) -> str:
    """When, relative to today: "сегодня, 10 марта", "завтра, 11 марта", "в пятницу, 13 марта"."""
    delta = (day - today).days
    if delta == 0:
        return f"сегодня, {day_month(day)}"
    if delta == 1:
        return f"завтра, {day_month(day)}"
    if delta == 2:
        return f"послезавтра, {day_month(day)}"
    return f"{_WEEKDAYS_ACCUSATIVE[day.weekday()]}, {day_month(day)}"


def clock(moment: time | datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def at_moment(moment: datetime, today: date) -> str:
    """ "завтра, 11 марта, в 15:00"."""
    return f"{on_day(moment.date(), today)}, в {clock(moment)}"


def rubles(amount: float | Decimal | None, upper: float | Decimal | None = None) -> str:
    """``1500 ₽``, ``от 1500 до 2000 ₽``; no thousands separator so a client can search for "1500"."""
    if amount is None:
        return "цену уточнит администратор"
    low = int(Decimal(str(amount)))
    if upper is not None and int(Decimal(str(upper))) > low:
        return f"от {low} до {int(Decimal(str(upper)))} ₽"
    return f"{low} ₽"


def minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} ч {rest} мин"
    if hours:
        return f"{hours} ч"
    return f"{rest} мин"
