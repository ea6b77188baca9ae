"""What a client's Russian message says about *when*: a day, a time, a part of day or a window.

Everything is resolved against the salon's wall clock. The rules, in the order they are applied:

* Days are relative to ``now`` in the salon's time zone, so "сегодня" at 00:30 is that calendar day.
* A day that already passed rolls forward: a weekday means its next occurrence (the same weekday as
  today means a week ahead, flagged ``SAME_WEEKDAY``), "15 марта" after 15 March means next year,
  "15-го" after the 15th means next month. A day with an explicit past year is dropped (``PAST_DATE``).
* Text with no day in it gives ``date=None``: never silently today. "вчера" gives ``DAY_PASSED``.
* English is read through ``english_glossary.to_russian`` ("tomorrow at 3pm" = "завтра в 15:00").
* A clock hour with a marker (утра/дня/вечера/ночи, or утром/днём/вечером in the message) is read as
  the marker says. Without one: 13-23, 0 and hours written with a leading zero are read as written;
  12 is noon; 1-7 mean 13:00-19:00 ("в 3" = 15:00, "на час" = 13:00); 8-11 take whichever of the two
  readings falls inside the salon's hours, and when both or neither do, the morning reading is kept
  and ``HOUR_AM_PM`` is flagged so the caller can ask.
* ``part_of_day`` is set only when the message names no exact time and no window.
* Two days joined by "или" are a span from the earlier to the later ("в субботу или воскресенье");
  "до пятницы" is a span from today (or from the day named with it: "с понедельника до пятницы").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum

from ai_admin.domain.day_parts import PartOfDay, TimeWindow
from ai_admin.domain.english_glossary import to_russian

DEFAULT_HOURS = TimeWindow(time(10), time(21))


class NaiveClock(ValueError):
    """``now`` carries no time zone, so "сегодня" cannot be placed on the salon's calendar."""


class Ambiguity(Enum):
    HOUR_AM_PM = "hour_am_pm"
    SAME_WEEKDAY = "same_weekday"
    PAST_DATE = "past_date"  # an explicit date (with its year) that is over
    DAY_PASSED = "day_passed"  # "вчера", "позавчера": a day named as already gone
    INVALID_DATE = "invalid_date"
    SEVERAL_DATES = "several_dates"
    SEVERAL_TIMES = "several_times"
    TIME_PASSED = "time_passed"


@dataclass(frozen=True)
class When:
    """The resolved meaning. ``date_until`` closes a span of days ("на выходных", "на следующей неделе")."""

    date: dt.date | None = None
    time: dt.time | None = None
    part_of_day: PartOfDay | None = None
    window: TimeWindow | None = None
    date_until: dt.date | None = None
    ambiguities: frozenset[Ambiguity] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return self.date is None and self.time is None and self.part_of_day is None and self.window is None

    def days(self) -> list[dt.date]:
        if self.date is None:
            return []
        last = self.date_until or self.date
        return [self.date + timedelta(days=n) for n in range((last - self.date).days + 1)]


def resolve_when(
    text: str,
    now: datetime,
    *,
    tz: tzinfo | None = None,
    hours: TimeWindow = DEFAULT_HOURS,
) -> When:
    """Resolve ``text`` against ``now`` (aware; converted to ``tz`` when given) and the salon's ``hours``."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveClock("now must be timezone-aware (the salon's local clock)")
    if tz is not None:
        now = now.astimezone(tz)
    return _Resolver(_normalise(text), now, hours).run()


_MONTHS = {
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "мая": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
_MONTH_RE = r"(?P<month>янв|фев|мар|апр|ма[яй]|июн|июл|авг|сен|окт|ноя|дек)[а-я]*"

_NOMINATIVE_HOURS = {
    "час": 1,
    "один": 1,
    "одна": 1,
    "два": 2,
    "две": 2,
    "три": 3,
    "четыре": 4,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
    "десять": 10,
    "одиннадцать": 11,
    "двенадцать": 12,
}
_GENITIVE_HOURS = {
    "часа": 1,
    "часу": 1,
    "одного": 1,
    "двух": 2,
    "трех": 3,
    "четырех": 4,
    "пяти": 5,
    "шести": 6,
    "семи": 7,
    "восьми": 8,
    "девяти": 9,
    "десяти": 10,
    "одиннадцати": 11,
    "двенадцати": 12,
}
_ORDINAL_HOURS = {
    "первого": 1,
    "второго": 2,
    "третьего": 3,
    "четвертого": 4,
    "пятого": 5,
    "шестого": 6,
    "седьмого": 7,
    "восьмого": 8,
    "девятого": 9,
    "десятого": 10,
    "одиннадцатого": 11,
    "двенадцатого": 12,
}
_MINUTES_BEFORE = {
    "пяти": 5,
    "десяти": 10,
    "пятнадцати": 15,
    "четверти": 15,
    "двадцати": 20,
    "двадцати пяти": 25,
}
_COUNTS = {
    "один": 1,
    "одну": 1,
    "одна": 1,
    "два": 2,
    "две": 2,
    "пару": 2,
    "три": 3,
    "четыре": 4,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
    "десять": 10,
}
_WEEKDAYS = (
    (r"понедельник[а-я]*|пн", 0),
    (r"вторник[а-я]*|вт", 1),
    (r"сред[аеуы]|средой|ср", 2),
    (r"четверг[а-я]*|чт", 3),
    (r"пятниц[а-я]*|пт", 4),
    (r"суббот[а-я]*|сб", 5),
    (r"воскресень[а-я]*|вс", 6),
)
_PARTS = (
    (r"утр(?:ом|ечком|о)|с утра|первой половине дня|пораньше с утра", PartOfDay.MORNING),
    (r"дн[её]м|в обед|обеденное время|второй половине дня|днев[а-я]+", PartOfDay.AFTERNOON),
    (r"вечер(?:ом|ком|у)?|вечерн[а-я]+", PartOfDay.EVENING),
)
_MARKERS = {"утра": PartOfDay.MORNING, "дня": PartOfDay.AFTERNOON, "вечера": PartOfDay.EVENING}
_GREETINGS = re.compile(r"\b(?:доброе утро|добрый день|добрый вечер|доброй ночи|хорошего дня|хорошего вечера)\b")

_WORD = "|".join(sorted(_NOMINATIVE_HOURS, key=len, reverse=True))
_GEN = "|".join(sorted(_GENITIVE_HOURS, key=len, reverse=True))
_ORD = "|".join(_ORDINAL_HOURS)
_MARK = r"(?:\s+(?P<{n}>утра|дня|вечера|ночи)\b)?"
_UNIT = r"(?:\s*(?:часов|часа|час|ч)\b)?"
# A number that is a day, a duration or an amount, not a clock hour.
_NOT_HOUR = (
    r"(?!\s*-?(?:го|е|ое)\b)(?!\s*(?:числа|дней|день|недел|мес|мин|чел|раз|руб|р\b|₽|лет|год))"
    r"(?![.\-/:]\d)(?!\s*" + _MONTH_RE.replace("?P<month>", "?:") + ")"
)


def _hour_pattern(name: str, words: str, minutes: bool = True) -> str:
    minute_part = rf"(?::(?P<{name}_m>[0-5]\d)|\.(?P<{name}_d>00|15|30|45))?(?!\d)" if minutes else ""
    return rf"(?P<{name}>\d{{1,2}}(?!\d)|(?:{words})\b){minute_part}"


def _normalise(text: str) -> str:
    lowered = to_russian(text).replace("ё", "е")
    lowered = re.sub(r"[–—−]", "-", lowered)
    lowered = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", lowered)
    lowered = re.sub(r"[,!?;()\"«»]", " ", lowered)
    return " " + re.sub(r"\s+", " ", lowered).strip() + " "


@dataclass
class _Found:
    position: int
    day: date | None = None
    until: date | None = None
    moment: time | None = None


class _Resolver:
    def __init__(self, text: str, now: datetime, hours: TimeWindow) -> None:
        self.text = _GREETINGS.sub(lambda m: " " * len(m.group()), text)
        self.source = self.text
        self.now = now
        self.today = now.date()
        self.hours = hours
        self.ambiguities: set[Ambiguity] = set()
        self.days: list[_Found] = []
        self.times: list[_Found] = []
        self.window: TimeWindow | None = None
        self.part = self._part_of_day()

    def run(self) -> When:
        self._take_iso()
        self._take_relative_moments()
        self._take_relative_days()
        self._take_part_with_hour()
        self._take_windows()
        self._take_times()
        self._take_dates()
        self._take_weeks()
        self._take_weekdays()
        self._spans()
        day = self._pick(self.days, Ambiguity.SEVERAL_DATES, lambda f: (f.day, f.until))
        moment = self._pick(self.times, Ambiguity.SEVERAL_TIMES, lambda f: f.moment)
        resolved_day = day.day if day else None
        resolved_time = moment.moment if moment else None
        if resolved_day == self.today and resolved_time is not None and resolved_time <= self.now.time():
            self.ambiguities.add(Ambiguity.TIME_PASSED)
        part = self.part if resolved_time is None and self.window is None else None
        return When(
            date=resolved_day,
            time=resolved_time,
            part_of_day=part,
            window=self.window,
            date_until=day.until if day else None,
            ambiguities=frozenset(self.ambiguities),
        )

    def _pick(self, found: list[_Found], flag: Ambiguity, key: Callable[[_Found], object]) -> _Found | None:
        if not found:
            return None
        found.sort(key=lambda f: f.position)
        if len({key(f) for f in found}) > 1:
            self.ambiguities.add(flag)
        return found[0]

    def _spans(self) -> None:
        """Days that make a span: "до пятницы" (from today or the day named with "с"), "в субботу или воскресенье"."""
        if len(self.days) > 2 or any(f.until for f in self.days):
            return
        self.days.sort(key=lambda f: f.position)
        ends = [f for f in self.days if re.search(r"\bдо\s+$", self.source[: f.position])]
        if len(ends) == 1 and (last := ends[0].day) is not None:
            end = ends[0]
            starts = [f.day for f in self.days if f is not end and f.day is not None]
            start = starts[0] if starts else self.today
            until = last if last >= start else last + timedelta(days=7)  # "с понедельника до пятницы"
            self.days = [_Found(min(f.position for f in self.days), day=start, until=until)]
            return
        if len(self.days) == 2:
            first, second = self.days
            between = self.source[first.position : second.position]
            if first.day and second.day and re.search(r"\b(?:или|либо)\b", between):
                low, high = sorted((first.day, second.day))
                self.days = [_Found(first.position, day=low, until=high if high != low else None)]

    def _take(self, pattern: str) -> list[re.Match[str]]:
        matches = list(re.finditer(pattern, self.text))
        for match in matches:
            start, end = match.span()
            self.text = self.text[:start] + " " * (end - start) + self.text[end:]
        return matches

    def _add_day(self, position: int, day: date | None, until: date | None = None) -> None:
        if day is not None:
            self.days.append(_Found(position, day=day, until=until))

    def _add_time(self, position: int, moment: time | None) -> None:
        if moment is not None:
            self.times.append(_Found(position, moment=moment))

    def _part_of_day(self) -> PartOfDay | None:
        found = [
            (match.start(), part) for pattern, part in _PARTS for match in re.finditer(rf"\b(?:{pattern})\b", self.text)
        ]
        return min(found, key=lambda item: item[0])[1] if found else None

    # --- times -------------------------------------------------------------------------------

    def _clock(self, hour: int, minute: int, marker: str | None, leading_zero: bool = False) -> time | None:
        """The 24-hour time for a spoken or written clock hour; see the module docstring."""
        if hour > 23 or minute > 59:
            return None
        if marker == "ночи":
            hour = 0 if hour == 12 else hour + 12 if 9 <= hour <= 11 else hour
        part = _MARKERS.get(marker or "", self.part if marker is None else None)
        if hour == 0 or hour >= 12 or leading_zero or marker == "ночи" or part is PartOfDay.MORNING:
            return time(hour, minute)
        if part is PartOfDay.AFTERNOON:
            return time(hour + 12 if hour <= 6 else hour, minute)
        if part is PartOfDay.EVENING or hour <= 7:
            return time(hour + 12, minute)
        morning, evening = time(hour, minute), time(hour + 12, minute)
        if (evening in self.hours) != (morning in self.hours):
            return evening if evening in self.hours else morning
        self.ambiguities.add(Ambiguity.HOUR_AM_PM)
        return morning

    def _hour_value(self, token: str) -> int:
        if token.isdigit():
            return int(token)
        return _NOMINATIVE_HOURS.get(token) or _GENITIVE_HOURS[token]

    def _hour_from(self, match: re.Match[str], name: str, marker: str | None = None) -> time | None:
        token = match.group(name)
        minutes = match.groupdict().get(f"{name}_m") or match.groupdict().get(f"{name}_d")
        chosen_marker = marker if marker is not None else match.groupdict().get(f"{name}_mark")
        return self._clock(
            self._hour_value(token),
            int(minutes) if minutes else 0,
            chosen_marker,
            leading_zero=token.startswith("0") and len(token) == 2,
        )

    def _take_part_with_hour(self) -> None:
        pattern = (
            r"\b(?:на )?(?P<part>утром|утро|утречком|с утра|дн[её]м|вечером|вечер|вечерком)\s+"
            r"(?:(?:часов|часиков|часа) )?(?:в |на |к |около )?" + _hour_pattern("h", _WORD) + _UNIT + _NOT_HOUR
        )
        for match in self._take(pattern):
            part_word = match.group("part")
            marker = "утра" if "утр" in part_word else "вечера" if "веч" in part_word else "дня"
            self._add_time(match.start(), self._hour_from(match, "h", marker))

    def _take_windows(self) -> None:
        either = f"{_WORD}|{_GEN}"
        first = _hour_pattern("a", either) + _UNIT + _MARK.format(n="a_mark")
        second = _hour_pattern("b", either) + _UNIT + _MARK.format(n="b_mark")
        for match in self._take(rf"\b(?:с|от)\s+{first}\s*(?:до\s|-|по\s)\s*{second}{_NOT_HOUR}"):
            self.window = TimeWindow(self._hour_from(match, "a"), self._hour_from(match, "b"))
        clock_range = r"(?<![\d.:/])(?P<a>\d{1,2}):(?P<a_m>[0-5]\d)\s*-\s*(?P<b>\d{1,2}):(?P<b_m>[0-5]\d)(?![\d:])"
        for match in self._take(clock_range):
            self.window = TimeWindow(self._hour_from(match, "a"), self._hour_from(match, "b"))
        for match in self._take(rf"\bмежду\s+{first}\s+и\s+{second}{_NOT_HOUR}"):
            self.window = TimeWindow(self._hour_from(match, "a"), self._hour_from(match, "b"))
        for _ in self._take(r"\bпосле обеда\b"):
            self.window = TimeWindow(time(13), self.window.end if self.window else None)
        for _ in self._take(r"\bдо обеда\b"):
            self.window = TimeWindow(self.window.start if self.window else None, time(13))
        for match in self._take(rf"(?:\bне раньше|(?<!не )\b(?:после|позже))\s+{first}{_NOT_HOUR}"):
            self.window = TimeWindow(self._hour_from(match, "a"), self.window.end if self.window else None)
        for match in self._take(rf"\b(?:до|не позже|раньше)\s+{first}{_NOT_HOUR}"):
            self.window = TimeWindow(self.window.start if self.window else None, self._hour_from(match, "a"))

    def _take_half_past_digits(self) -> None:
        """ "в пол 4", written for "полчетвёртого": half past the hour before the number."""
        for match in self._take(
            r"\b(?:в\s+)?пол\s*-?\s*(?P<d>\d{1,2})(?![\d:.])(?!\s*(?:час|минут|мин\b))" + _MARK.format(n="d_mark")
        ):
            hour = int(match.group("d"))
            if 1 <= hour <= 12:
                self._add_time(match.start(), self._clock(hour - 1 or 12, 30, match.group("d_mark")))

    def _take_times(self) -> None:
        for match in self._take(r"\bв?\s*полдень\b"):
            self._add_time(match.start(), time(12))
        for match in self._take(r"\bв?\s*полночь\b"):
            self._add_time(match.start(), time(0))
        minutes_before = "|".join(sorted(_MINUTES_BEFORE, key=len, reverse=True))
        for match in self._take(
            rf"\bбез\s+(?P<m>{minutes_before}|\d{{1,2}})(?:\s+минут)?\s+"
            rf"(?P<h>\d{{1,2}}|{_WORD}){_UNIT}" + _MARK.format(n="h_mark")
        ):
            before = _MINUTES_BEFORE.get(match.group("m")) or int(match.group("m"))
            hour = self._hour_value(match.group("h"))
            if 0 < before < 60 and 1 <= hour <= 12:
                self._add_time(
                    match.start(),
                    self._clock(hour - 1 if hour > 1 else 12, 60 - before, match.group("h_mark")),
                )
        for prefix, minute in ((r"пол\s*-?\s*|половин[аеуы]\s+", 30), (r"четверть\s+", 15)):
            for match in self._take(rf"\b(?:в\s+)?(?:{prefix})(?P<o>{_ORD})\b" + _MARK.format(n="o_mark")):
                hour = _ORDINAL_HOURS[match.group("o")] - 1
                self._add_time(match.start(), self._clock(hour or 12, minute, match.group("o_mark")))
        self._take_half_past_digits()
        colon = r"(?<![\d.:/])(?P<h>\d{1,2}):(?P<h_m>[0-5]\d)(?![\d:])" + _MARK.format(n="h_mark")
        for match in self._take(colon):
            self._add_time(match.start(), self._hour_from(match, "h"))
        with_preposition = r"\b(?:в|к|около)\s+(?P<h>\d{1,2})[.\-](?P<h_m>[0-5]\d)(?![\d.])" + _MARK.format(n="h_mark")
        for match in self._take(with_preposition):
            self._add_time(match.start(), self._hour_from(match, "h"))
        spaced = (
            r"\b(?:в|к|на|около)\s+(?P<h>\d{1,2}) (?P<h_m>[0-5]\d)(?![\d.:/])" + _NOT_HOUR + _MARK.format(n="h_mark")
        )
        for match in self._take(spaced):
            self._add_time(match.start(), self._hour_from(match, "h"))
        dotted = r"(?<![\d.:/])(?P<h>\d{1,2})\.(?P<h_m>00|1[3-9]|[2-5]\d)(?![\d.])" + _MARK.format(n="h_mark")
        for match in self._take(dotted):
            self._add_time(match.start(), self._hour_from(match, "h"))
        spoken = (
            r"\b(?:в|к|на|около|часов в|часам к|примерно в)\s+"
            + _hour_pattern("h", _WORD, minutes=False)
            + _UNIT
            + _NOT_HOUR
            + _MARK.format(n="h_mark")
        )
        for match in self._take(spoken):
            self._add_time(match.start(), self._hour_from(match, "h"))
        for match in self._take(rf"\b(?P<h>\d{{1,2}}|{_WORD}){_UNIT}\s+(?P<h_mark>утра|дня|вечера|ночи)\b"):
            self._add_time(match.start(), self._hour_from(match, "h"))

    def _take_relative_moments(self) -> None:
        counts = "|".join(_COUNTS)
        for match in self._take(
            rf"\bчерез\s+(?:полчаса|(?:(?P<n>\d{{1,3}}|{counts}|полтора)\s*)?(?P<unit>час[а-я]*|минут[а-я]*))\b"
        ):
            count, unit = match.group("n"), match.group("unit")
            if unit is None:
                delta = timedelta(minutes=30)
            elif count == "полтора":
                delta = timedelta(minutes=90) if unit.startswith("час") else timedelta(seconds=90)
            else:
                amount = 1 if count is None else int(count) if count.isdigit() else _COUNTS[count]
                delta = timedelta(hours=amount) if unit.startswith("час") else timedelta(minutes=amount)
            # Add real elapsed time (via UTC) so a DST change in between is respected.
            target = (self.now.astimezone(UTC) + delta).astimezone(self.now.tzinfo).replace(second=0, microsecond=0)
            self._add_day(match.start(), target.date())
            self._add_time(match.start(), target.time())

    # --- days --------------------------------------------------------------------------------

    def _take_iso(self) -> None:
        iso = r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?:[t ](?P<h>\d{2}):(?P<h_m>\d{2})(?::\d{2})?)?\b"
        for match in self._take(iso):
            self._add_day(
                match.start(),
                self._exact(int(match.group("y")), int(match.group("mo")), int(match.group("d"))),
            )
            if match.group("h"):
                self._add_time(match.start(), self._clock(int(match.group("h")), int(match.group("h_m")), None, True))

    def _exact(self, year: int, month: int, day: int) -> date | None:
        try:
            value = date(year, month, day)
        except ValueError:
            self.ambiguities.add(Ambiguity.INVALID_DATE)
            return None
        if value < self.today:
            self.ambiguities.add(Ambiguity.PAST_DATE)
            return None
        return value

    def _day_month(self, month: int, day: int) -> date | None:
        """The next ``day``.``month`` on or after today; 29 February waits for a leap year."""
        if not 1 <= month <= 12 or not 1 <= day <= 31 or day > _longest_month(month):
            self.ambiguities.add(Ambiguity.INVALID_DATE)
            return None
        for year in range(self.today.year, self.today.year + 9):
            if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= self.today:
                return date(year, month, day)
        return None

    def _day_of_month(self, day: int) -> date | None:
        if not 1 <= day <= 31:
            return None
        year, month = self.today.year, self.today.month
        for _ in range(13):
            if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= self.today:
                return date(year, month, day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None

    def _take_dates(self) -> None:
        full = r"(?<![\d.:/])(?P<d>\d{1,2})[./](?P<mo>\d{1,2})[./](?P<y>\d{4}|\d{2})(?![\d.:/])"
        for match in self._take(full):
            year = int(match.group("y"))
            year = year + 2000 if year < 100 else year
            self._add_day(match.start(), self._exact(year, int(match.group("mo")), int(match.group("d"))))
        short = r"(?<![\d.:/])(?P<d>\d{1,2})[./](?P<mo>\d{1,2})(?![\d.:/])"
        for match in self._take(short):
            self._add_day(match.start(), self._day_month(int(match.group("mo")), int(match.group("d"))))
        worded = (
            rf"\b(?P<d>\d{{1,2}})(?:\s*-?\s*(?:го|е|ое))?\s+{_MONTH_RE}"
            r"(?:\s+(?P<y>\d{4})(?:\s*г(?:ода)?)?)?\b"
        )
        for match in self._take(worded):
            month = _MONTHS[match.group("month")[:3]]
            if match.group("y"):
                self._add_day(match.start(), self._exact(int(match.group("y")), month, int(match.group("d"))))
            else:
                self._add_day(match.start(), self._day_month(month, int(match.group("d"))))
        for match in self._take(r"(?<![\d.:/])(?P<d>\d{1,2})(?:\s*-?\s*(?:го|е|ое)\b|\s+числа\b)"):
            self._add_day(match.start(), self._day_of_month(int(match.group("d"))))

    def _take_relative_days(self) -> None:
        for word, offset in (
            ("послезавтра|после завтра|послезавтрашн[а-я]+", 2),
            ("завтра|завтрашн[а-я]+", 1),
            ("сегодня|седня|сейчас|сегодняшн[а-я]+", 0),
        ):
            for match in self._take(rf"\b(?:{word})\b"):
                self._add_day(match.start(), self.today + timedelta(days=offset))
        if self._take(r"\b(?:вчера|позавчера)\b"):
            self.ambiguities.add(Ambiguity.DAY_PASSED)
        counts = "|".join(_COUNTS)
        for match in self._take(
            rf"\bчерез\s+(?P<n>\d{{1,3}}|{counts})?\s*(?P<unit>дн[а-я]*|день|недел[а-я]*|месяц[а-я]*)\b"
        ):
            count, unit = match.group("n"), match.group("unit")
            if count is None and unit.startswith(("дн", "день")):
                continue  # "через день" also means "every other day": leave it for the caller to ask
            amount = 1 if count is None else int(count) if count.isdigit() else _COUNTS[count]
            if unit.startswith("мес"):
                self._add_day(match.start(), _add_months(self.today, amount))
            else:
                self._add_day(match.start(), self.today + timedelta(days=amount * (7 if unit.startswith("нед") else 1)))

    def _take_weeks(self) -> None:
        monday = self.today - timedelta(days=self.today.weekday())
        next_monday = monday + timedelta(days=7)
        saturday = monday + timedelta(days=5)
        for match in self._take(r"\b(?:на|в)\s+(?:следующ[а-я]+|след)\s+(?:выходн[а-я]+)\b"):
            self._add_day(match.start(), next_monday + timedelta(days=5), next_monday + timedelta(days=6))
        for match in self._take(r"\b(?:на|в)\s+(?:(?:этих|эти|ближайших|ближайшие)\s+)?выходн[а-я]+\b"):
            start = max(saturday, self.today)
            self._add_day(match.start(), start, monday + timedelta(days=6))
        weekday_words = "|".join(pattern for pattern, _ in _WEEKDAYS)
        next_week = r"(?:на|в)\s+(?:следующ[а-я]+|след)\s+недел[а-я]+"
        for match in self._take(
            rf"\b(?:{next_week}\s+(?:в|во)?\s*(?P<a>{weekday_words})|(?:в|во)?\s*(?P<b>{weekday_words})\s+{next_week})\b"
        ):
            word = match.group("a") or match.group("b")
            self._add_day(match.start(), next_monday + timedelta(days=_weekday_of(word)))
        for match in self._take(rf"\b{next_week}\b"):
            self._add_day(match.start(), next_monday, next_monday + timedelta(days=6))
        for match in self._take(r"\bна\s+(?:этой|текущей)\s+неделе\b"):
            self._add_day(match.start(), self.today, monday + timedelta(days=6))

    def _take_weekdays(self) -> None:
        weekday_words = "|".join(pattern for pattern, _ in _WEEKDAYS)
        for match in self._take(
            rf"\b(?:(?:в|во|на)\s+)?(?:(?P<mod>эт[а-я]*|следующ[а-я]*|след|ближайш[а-я]*)\s+)?(?P<w>{weekday_words})\b"
        ):
            weekday = _weekday_of(match.group("w"))
            modifier = match.group("mod") or ""
            ahead = (weekday - self.today.weekday()) % 7
            if modifier.startswith("след"):
                monday = self.today - timedelta(days=self.today.weekday())
                day = monday + timedelta(days=7 + weekday)
            elif modifier.startswith("эт") and ahead == 0:
                day = self.today
            else:
                if ahead == 0 and not modifier:
                    self.ambiguities.add(Ambiguity.SAME_WEEKDAY)
                day = self.today + timedelta(days=ahead or 7)
            self._add_day(match.start(), day)


def _weekday_of(word: str) -> int:
    for pattern, weekday in _WEEKDAYS:
        if re.fullmatch(pattern, word):
            return weekday
    raise ValueError(word)


def _longest_month(month: int) -> int:
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
