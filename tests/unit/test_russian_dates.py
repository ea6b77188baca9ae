from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_admin.domain.day_parts import PartOfDay, TimeWindow
from ai_admin.domain.russian_dates import Ambiguity, NaiveClock, resolve_when

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
TUE = "2026-03-10 12:00"  # a Tuesday

# (text, salon-local now, expected date, expected time, extra expectations)
CASES: list[tuple[str, str, str | None, str | None, dict[str, Any]]] = [
    # relative days
    ("сегодня", TUE, "2026-03-10", None, {}),
    ("завтра", TUE, "2026-03-11", None, {}),
    ("послезавтра", TUE, "2026-03-12", None, {}),
    ("Сегодня", "2026-03-10 00:30", "2026-03-10", None, {}),
    ("завтра", "2026-03-10 00:30", "2026-03-11", None, {}),
    ("сегодня", "2026-03-10 23:59", "2026-03-10", None, {}),
    ("завтра", "2026-12-31 20:00", "2027-01-01", None, {}),
    ("послезавтра", "2026-02-28 10:00", "2026-03-02", None, {}),
    ("через 3 дня", TUE, "2026-03-13", None, {}),
    ("через неделю", TUE, "2026-03-17", None, {}),
    ("через две недели", TUE, "2026-03-24", None, {}),
    ("через пару дней", TUE, "2026-03-12", None, {}),
    ("через 10 дней", TUE, "2026-03-20", None, {}),
    ("через месяц", "2026-01-31 12:00", "2026-02-28", None, {}),
    ("через день", TUE, None, None, {}),
    ("вчера", TUE, None, None, {"amb": {Ambiguity.DAY_PASSED}}),
    # weekdays in every form
    ("в понедельник", TUE, "2026-03-16", None, {}),
    ("во вторник", TUE, "2026-03-17", None, {"amb": {Ambiguity.SAME_WEEKDAY}}),
    ("в среду", TUE, "2026-03-11", None, {}),
    ("среда", TUE, "2026-03-11", None, {}),
    ("в четверг", TUE, "2026-03-12", None, {}),
    ("в пятницу", TUE, "2026-03-13", None, {}),
    ("пятница", TUE, "2026-03-13", None, {}),
    ("пятницу", TUE, "2026-03-13", None, {}),
    ("в пт", TUE, "2026-03-13", None, {}),
    ("пт", TUE, "2026-03-13", None, {}),
    ("в субботу", TUE, "2026-03-14", None, {}),
    ("в сб", TUE, "2026-03-14", None, {}),
    ("в воскресенье", TUE, "2026-03-15", None, {}),
    ("в вс", TUE, "2026-03-15", None, {}),
    ("пн", TUE, "2026-03-16", None, {}),
    ("в эту пятницу", TUE, "2026-03-13", None, {}),
    ("в следующую пятницу", TUE, "2026-03-20", None, {}),
    ("в следующий понедельник", TUE, "2026-03-16", None, {}),
    ("в ближайшую субботу", TUE, "2026-03-14", None, {}),
    ("в этот вторник", TUE, "2026-03-10", None, {}),
    ("в пятницу", "2026-03-14 10:00", "2026-03-20", None, {}),
    ("в субботу", "2026-03-14 10:00", "2026-03-21", None, {"amb": {Ambiguity.SAME_WEEKDAY}}),
    ("в понедельник", "2026-03-15 23:30", "2026-03-16", None, {}),
    ("в понедельник", "2026-03-16 00:10", "2026-03-23", None, {"amb": {Ambiguity.SAME_WEEKDAY}}),
    ("на следующей неделе", TUE, "2026-03-16", None, {"until": "2026-03-22"}),
    ("на следующей неделе в среду", TUE, "2026-03-18", None, {}),
    ("в среду на следующей неделе", TUE, "2026-03-18", None, {}),
    ("на этой неделе", TUE, "2026-03-10", None, {"until": "2026-03-15"}),
    ("на выходных", TUE, "2026-03-14", None, {"until": "2026-03-15"}),
    ("в выходные", TUE, "2026-03-14", None, {"until": "2026-03-15"}),
    ("на выходных", "2026-03-14 09:00", "2026-03-14", None, {"until": "2026-03-15"}),
    ("на выходных", "2026-03-15 09:00", "2026-03-15", None, {"until": "2026-03-15"}),
    ("на следующих выходных", TUE, "2026-03-21", None, {"until": "2026-03-22"}),
    ("в эти выходные", TUE, "2026-03-14", None, {"until": "2026-03-15"}),
    # calendar dates
    ("15 марта", TUE, "2026-03-15", None, {}),
    ("15 марта", "2026-03-16 10:00", "2027-03-15", None, {}),
    ("10 марта", TUE, "2026-03-10", None, {}),
    ("9 марта", TUE, "2027-03-09", None, {}),
    ("15.03", TUE, "2026-03-15", None, {}),
    ("15/03", TUE, "2026-03-15", None, {}),
    ("15-го", TUE, "2026-03-15", None, {}),
    ("на 15е", TUE, "2026-03-15", None, {}),
    ("15 числа", TUE, "2026-03-15", None, {}),
    ("5-го", TUE, "2026-04-05", None, {}),
    ("31-го", "2026-04-10 12:00", "2026-05-31", None, {}),
    ("2026-03-20", TUE, "2026-03-20", None, {}),
    ("2026-03-01", TUE, None, None, {"amb": {Ambiguity.PAST_DATE}}),
    ("20.03.2026", TUE, "2026-03-20", None, {}),
    ("20.03.26", TUE, "2026-03-20", None, {}),
    ("01.01.2025", TUE, None, None, {"amb": {Ambiguity.PAST_DATE}}),
    ("31.02", TUE, None, None, {"amb": {Ambiguity.INVALID_DATE}}),
    ("29 февраля", TUE, "2028-02-29", None, {}),
    ("1 января", "2026-12-31 12:00", "2027-01-01", None, {}),
    ("31 декабря", "2026-12-31 12:00", "2026-12-31", None, {}),
    ("12.12", TUE, "2026-12-12", None, {}),
    ("15 мар", TUE, "2026-03-15", None, {}),
    ("3 апреля 2026", TUE, "2026-04-03", None, {}),
    ("на 1 мая", TUE, "2026-05-01", None, {}),
    ("15-го марта", TUE, "2026-03-15", None, {}),
    ("в пятницу 13 марта", TUE, "2026-03-13", None, {}),
    # clock times
    ("в 15:00", TUE, None, "15:00", {}),
    ("в 15.30", TUE, None, "15:30", {}),
    ("15.30", TUE, None, "15:30", {}),
    ("в 15-30", TUE, None, "15:30", {}),
    ("в 3", TUE, None, "15:00", {}),
    ("в 1", TUE, None, "13:00", {}),
    ("в 7", TUE, None, "19:00", {}),
    ("в 12", TUE, None, "12:00", {}),
    ("в 3 часа дня", TUE, None, "15:00", {}),
    ("в 10 утра", TUE, None, "10:00", {}),
    ("в 7 утра", TUE, None, "07:00", {}),
    ("в 7 вечера", TUE, None, "19:00", {}),
    ("в 11 вечера", TUE, None, "23:00", {}),
    ("в 12 ночи", TUE, None, "00:00", {}),
    ("в 2 ночи", TUE, None, "02:00", {}),
    ("на час", TUE, None, "13:00", {}),
    ("в час", TUE, None, "13:00", {}),
    ("на два", TUE, None, "14:00", {}),
    ("в три", TUE, None, "15:00", {}),
    ("в пять вечера", TUE, None, "17:00", {}),
    ("в шесть", TUE, None, "18:00", {}),
    ("в восемь вечера", TUE, None, "20:00", {}),
    ("на 6 вечера", TUE, None, "18:00", {}),
    ("в полдень", TUE, None, "12:00", {}),
    ("пол третьего", TUE, None, "14:30", {}),
    ("полтретьего", TUE, None, "14:30", {}),
    ("пол-третьего", TUE, None, "14:30", {}),
    ("пол первого", TUE, None, "12:30", {}),
    ("без четверти пять", TUE, None, "16:45", {}),
    ("без пятнадцати пять", TUE, None, "16:45", {}),
    ("без десяти шесть", TUE, None, "17:50", {}),
    ("без четверти час", TUE, None, "12:45", {}),
    ("четверть третьего", TUE, None, "14:15", {}),
    ("в половине седьмого вечера", TUE, None, "18:30", {}),
    ("в половине одиннадцатого утра", TUE, None, "10:30", {}),
    ("на утро 10", TUE, None, "10:00", {}),
    ("утром в 9", TUE, None, "09:00", {}),
    ("с утра в 11", TUE, None, "11:00", {}),
    ("завтра с утра часов в 10", TUE, "2026-03-11", "10:00", {}),
    ("вечером в 8", TUE, None, "20:00", {}),
    ("вечером в 7", TUE, None, "19:00", {}),
    ("днём в 2", TUE, None, "14:00", {}),
    ("в 8", TUE, None, "20:00", {}),
    ("в 9", TUE, None, "09:00", {"amb": {Ambiguity.HOUR_AM_PM}}),
    ("в 10", TUE, None, "10:00", {}),
    ("в 11", TUE, None, "11:00", {}),
    ("в 9", TUE, None, "09:00", {"hours": ("09:00", "21:00")}),
    ("в 9", TUE, None, "09:00", {"hours": ("08:00", "22:00"), "amb": {Ambiguity.HOUR_AM_PM}}),
    ("в 08:30", TUE, None, "08:30", {}),
    ("в 9:30", TUE, None, "09:30", {"amb": {Ambiguity.HOUR_AM_PM}}),
    ("в 3:30", TUE, None, "15:30", {}),
    ("в 10.10", TUE, None, "10:10", {}),
    ("завтра на 18 30", TUE, "2026-03-11", "18:30", {}),
    ("на 19.00", TUE, None, "19:00", {}),
    ("к 10 утра", TUE, None, "10:00", {}),
    ("в 10 15 марта", TUE, "2026-03-15", "10:00", {}),
    ("к 16", TUE, None, "16:00", {}),
    ("около 5", TUE, None, "17:00", {}),
    ("часов в 6", TUE, None, "18:00", {}),
    ("в 16 часов", TUE, None, "16:00", {}),
    ("в 19ч", TUE, None, "19:00", {}),
    ("в 10 часов утра", TUE, None, "10:00", {}),
    # day and time together
    ("завтра в 3", TUE, "2026-03-11", "15:00", {}),
    ("Запишите на завтра на 15:00", TUE, "2026-03-11", "15:00", {}),
    ("в пятницу в 19:30", TUE, "2026-03-13", "19:30", {}),
    ("в пт в 19", TUE, "2026-03-13", "19:00", {}),
    ("15 марта в 10 утра", TUE, "2026-03-15", "10:00", {}),
    ("на 15 марта в 10", TUE, "2026-03-15", "10:00", {}),
    ("на утро 10 в субботу", TUE, "2026-03-14", "10:00", {}),
    ("2026-03-20T14:00", TUE, "2026-03-20", "14:00", {}),
    ("Добрый день! Хочу к Сергею на стрижку завтра в 15:00", TUE, "2026-03-11", "15:00", {}),
    ("сегодня в 10", TUE, "2026-03-10", "10:00", {"amb": {Ambiguity.TIME_PASSED}}),
    ("сегодня в 3", "2026-03-10 00:30", "2026-03-10", "15:00", {}),
    ("завтра в 3 или в 4", TUE, "2026-03-11", "15:00", {"amb": {Ambiguity.SEVERAL_TIMES}}),
    ("в субботу или воскресенье", TUE, "2026-03-14", None, {"until": "2026-03-15"}),
    ("в понедельник или в среду", TUE, "2026-03-11", None, {"until": "2026-03-16"}),
    ("до пятницы", TUE, "2026-03-10", None, {"until": "2026-03-13"}),
    ("до пятницы после 18", TUE, "2026-03-10", None, {"until": "2026-03-13", "window": ("18:00", None)}),
    ("со среды до пятницы", TUE, "2026-03-11", None, {"until": "2026-03-13"}),
    ("с понедельника до пятницы", TUE, "2026-03-16", None, {"until": "2026-03-20"}),
    ("в субботу, а в воскресенье можно?", TUE, "2026-03-14", None, {"amb": {Ambiguity.SEVERAL_DATES}}),
    # parts of day
    ("утром", TUE, None, None, {"part": PartOfDay.MORNING}),
    ("вечером", TUE, None, None, {"part": PartOfDay.EVENING}),
    ("на вечер", TUE, None, None, {"part": PartOfDay.EVENING}),
    ("днем", TUE, None, None, {"part": PartOfDay.AFTERNOON}),
    ("послезавтра утром", TUE, "2026-03-12", None, {"part": PartOfDay.MORNING}),
    ("на завтрашний вечер", TUE, "2026-03-11", None, {"part": PartOfDay.EVENING}),
    ("после завтрака", TUE, None, None, {}),
    ("позавчера был у вас", TUE, None, None, {"amb": {Ambiguity.DAY_PASSED}}),
    ("завтра вечером", TUE, "2026-03-11", None, {"part": PartOfDay.EVENING}),
    ("в субботу днём", TUE, "2026-03-14", None, {"part": PartOfDay.AFTERNOON}),
    ("с утра в понедельник", TUE, "2026-03-16", None, {"part": PartOfDay.MORNING}),
    ("Доброе утро, можно сегодня?", TUE, "2026-03-10", None, {}),
    ("Добрый вечер, запишите в пятницу", TUE, "2026-03-13", None, {}),
    # windows
    ("после 18", TUE, None, None, {"window": ("18:00", None)}),
    ("после шести", TUE, None, None, {"window": ("18:00", None)}),
    ("после 6 вечера", TUE, None, None, {"window": ("18:00", None)}),
    ("до 12", TUE, None, None, {"window": (None, "12:00")}),
    ("с 14 до 16", TUE, None, None, {"window": ("14:00", "16:00")}),
    ("с 2 до 4", TUE, None, None, {"window": ("14:00", "16:00")}),
    ("с двух до четырёх", TUE, None, None, {"window": ("14:00", "16:00")}),
    ("между 14 и 16", TUE, None, None, {"window": ("14:00", "16:00")}),
    ("15:00-17:00", TUE, None, None, {"window": ("15:00", "17:00")}),
    ("с 14:30 до 16:00", TUE, None, None, {"window": ("14:30", "16:00")}),
    ("после обеда", TUE, None, None, {"window": ("13:00", None)}),
    ("завтра до обеда", TUE, "2026-03-11", None, {"window": (None, "13:00")}),
    ("в пятницу после 18", TUE, "2026-03-13", None, {"window": ("18:00", None)}),
    ("вечером после 7", TUE, None, None, {"window": ("19:00", None)}),
    # relative moments, time zones and DST
    ("через 2 часа", TUE, "2026-03-10", "14:00", {}),
    ("через 2 часа", "2026-03-10 23:00", "2026-03-11", "01:00", {}),
    ("через полчаса", TUE, "2026-03-10", "12:30", {}),
    ("через 15 минут", TUE, "2026-03-10", "12:15", {}),
    ("через полтора часа", TUE, "2026-03-10", "13:30", {}),
    ("через 2 часа", "2026-03-29 01:30 Europe/Berlin", "2026-03-29", "04:30", {}),
    ("через час", "2026-10-25 01:30 Europe/Berlin", "2026-10-25", "02:30", {}),
    ("через 3 часа", "2026-10-25 01:30 Europe/Berlin", "2026-10-25", "03:30", {}),
    ("завтра", "2026-03-28 23:30 Europe/Berlin", "2026-03-29", None, {}),
    ("сегодня", "2026-03-29 00:30 Europe/Berlin", "2026-03-29", None, {}),
    ("через неделю", "2026-03-25 10:00 Europe/Berlin", "2026-04-01", None, {}),
    ("завтра", "2026-03-10 22:30 UTC", "2026-03-12", None, {"tz": MSK}),
    ("сегодня", "2026-03-10 21:30 UTC", "2026-03-11", None, {"tz": MSK}),
    # nothing about time: never silently today
    ("привет", TUE, None, None, {}),
    ("сколько стоит стрижка", TUE, None, None, {}),
    ("", TUE, None, None, {}),
    ("хочу записаться на стрижку", TUE, None, None, {}),
    ("стрижка за 1500", TUE, None, None, {}),
    ("нас будет на 2 человек", TUE, None, None, {}),
    ("до свидания", TUE, None, None, {}),
    # "не раньше" opens a window; English is read through the glossary
    ("не раньше 16", TUE, None, None, {"window": ("16:00", None)}),
    ("на вечер часов на семь", TUE, None, "19:00", {}),
    ("вечером часиков в 8", TUE, None, "20:00", {}),
    ("не позже 16", TUE, None, None, {"window": (None, "16:00")}),
    ("tomorrow at 3pm", TUE, "2026-03-11", "15:00", {}),
    ("today at 15:00", TUE, "2026-03-10", "15:00", {}),
    ("next monday at 11am", TUE, "2026-03-16", "11:00", {}),
    ("on saturday", TUE, "2026-03-14", None, {}),
    ("friday at 6:30 pm", TUE, "2026-03-13", "18:30", {}),
    ("tomorrow morning", TUE, "2026-03-11", None, {"part": PartOfDay.MORNING}),
    ("in the evening", TUE, None, None, {"part": PartOfDay.EVENING}),
    ("next week", TUE, "2026-03-16", None, {"until": "2026-03-22"}),
    ("this weekend", TUE, "2026-03-14", None, {"until": "2026-03-15"}),
    ("after 5pm", TUE, None, None, {"window": ("17:00", None)}),
    ("march 15 at noon", TUE, "2026-03-15", "12:00", {}),
    ("in 2 hours", TUE, "2026-03-10", "14:00", {}),
    ("yesterday", TUE, None, None, {"amb": {Ambiguity.DAY_PASSED}}),
]


def _clock(raw: str) -> datetime:
    parts = raw.split(" ")
    zone = ZoneInfo(parts[2]) if len(parts) == 3 else MSK
    if len(parts) == 3 and parts[2] == "UTC":
        zone = ZoneInfo("UTC")
    return datetime.fromisoformat(f"{parts[0]}T{parts[1]}").replace(tzinfo=zone)


def _t(raw: str | None) -> time | None:
    return time.fromisoformat(raw) if raw else None


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize(("text", "now", "day", "moment", "extra"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_resolves(text: str, now: str, day: str | None, moment: str | None, extra: dict[str, Any]) -> None:
    hours = extra.get("hours")
    kwargs: dict[str, Any] = {"tz": extra.get("tz")}
    if hours:
        kwargs["hours"] = TimeWindow(_t(hours[0]), _t(hours[1]))
    when = resolve_when(text, _clock(now), **kwargs)

    assert when.date == (date.fromisoformat(day) if day else None)
    assert when.time == _t(moment)
    assert when.part_of_day == extra.get("part")
    window = extra.get("window")
    assert when.window == (TimeWindow(_t(window[0]), _t(window[1])) if window else None)
    until = extra.get("until")
    assert when.date_until == (date.fromisoformat(until) if until else None)
    assert when.ambiguities == frozenset(extra.get("amb", set()))


def test_a_span_lists_its_days() -> None:
    when = resolve_when("на выходных", _clock(TUE))
    assert when.days() == [date(2026, 3, 14), date(2026, 3, 15)]
    assert resolve_when("привет", _clock(TUE)).days() == []
    assert resolve_when("привет", _clock(TUE)).is_empty


def test_a_clock_without_a_zone_is_refused() -> None:
    with pytest.raises(NaiveClock):
        resolve_when("завтра", datetime(2026, 3, 10, 12, 0))


# --- properties ---------------------------------------------------------------------------------

ZONES = [MSK, BERLIN, ZoneInfo("Asia/Yekaterinburg"), ZoneInfo("America/New_York"), ZoneInfo("UTC")]
FRAGMENTS = [
    "сегодня",
    "завтра",
    "послезавтра",
    "в пятницу",
    "в следующую среду",
    "в эту субботу",
    "пн",
    "вс",
    "15 марта",
    "31.12",
    "29 февраля",
    "1-го",
    "на 31е",
    "через 3 дня",
    "через неделю",
    "через 2 часа",
    "на выходных",
    "на следующей неделе",
    "в 3",
    "в 9",
    "в 15:00",
    "пол третьего",
    "без четверти пять",
    "утром",
    "вечером",
    "после 18",
    "с 14 до 16",
    "стрижка",
    "к Сергею",
    "12.12",
    "2030-01-01",
    "вчера",
]
NOW = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
    st.sampled_from(ZONES),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4), NOW)
def test_a_resolved_day_is_never_before_today(words: list[str], now: datetime) -> None:
    when = resolve_when(" ".join(words), now)
    if when.date is not None:
        assert when.date >= now.date()
    if when.date_until is not None:
        assert when.date is not None and when.date_until >= when.date


WEEKDAY_FORMS = [
    ("понедельник", 0),
    ("в понедельник", 0),
    ("во вторник", 1),
    ("вторник", 1),
    ("в среду", 2),
    ("среда", 2),
    ("в четверг", 3),
    ("в пятницу", 4),
    ("пятница", 4),
    ("в пт", 4),
    ("в субботу", 5),
    ("суббота", 5),
    ("в воскресенье", 6),
    ("вс", 6),
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(WEEKDAY_FORMS), NOW)
def test_a_weekday_lands_on_that_weekday_within_a_week(form: tuple[str, int], now: datetime) -> None:
    text, weekday = form
    when = resolve_when(text, now)
    assert when.date is not None
    assert when.date.weekday() == weekday
    assert timedelta(days=1) <= when.date - now.date() <= timedelta(days=7)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), NOW)
def test_any_text_resolves_without_error(text: str, now: datetime) -> None:
    when = resolve_when(text, now)
    if when.date is not None:
        assert when.date >= now.date()


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=7), NOW)
def test_a_bare_hour_from_one_to_seven_is_in_the_afternoon(hour: int, now: datetime) -> None:
    assert resolve_when(f"в {hour}", now).time == time(hour + 12)
