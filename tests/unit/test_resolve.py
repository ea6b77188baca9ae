"""The shared resolvers: the client's words for one slot to typed values, against the catalogue and the clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from ai_admin.conversation.tools.resolve import (
    detect_language,
    resolve_minutes_late,
    resolve_record,
    resolve_services,
    resolve_staff,
    resolve_when_spec,
)
from ai_admin.domain.day_parts import PartOfDay, TimeWindow
from tests.unit.reader_salons import BARBER, BEAUTY, CLOCKS, NAILS, NOGOTKI, TOPOR

NOW = CLOCKS["noon"]  # Tuesday 10 March 2026, 12:00
TODAY = NOW.date()
SALONS = {"barber": BARBER, "nails": NAILS, "beauty": BEAUTY, "topor": TOPOR, "nogotki": NOGOTKI}


def _ids(salon: str, titles: str) -> tuple[int, ...]:
    by_title = {s.title.lower(): s.id for s in SALONS[salon].services}
    return tuple(sorted(by_title[t.strip().lower()] for t in titles.split("&") if t.strip()))


# (salon, words, included titles, excluded titles, unknown word or "")
SERVICES = [
    ("barber", "стрижку", "Мужская стрижка", "", ""),
    ("barber", "стрижка и камуфляж", "Мужская стрижка&Камуфляж седины", "", ""),
    ("barber", "стрижку и бороду", "Стрижка + борода", "", ""),
    ("barber", "стрижка+борода", "Стрижка + борода", "", ""),
    ("barber", "стрижка с бородой", "Стрижка + борода", "", ""),
    ("barber", "стрижку бороды", "Стрижка бороды", "", ""),
    ("barber", "бороду", "Стрижка бороды", "", ""),
    ("barber", "стрижка без бороды", "Мужская стрижка", "Стрижка бороды", ""),
    ("barber", "только стрижку, бороду не надо", "Мужская стрижка", "Стрижка бороды", ""),
    ("barber", "сыну стрижку", "Детская стрижка", "", ""),
    ("barber", "подстричь ребенка", "Детская стрижка", "", ""),
    ("barber", "сына и себя постричь", "Мужская стрижка&Детская стрижка", "", ""),
    ("barber", "побриться", "Королевское бритьё", "", ""),
    ("barber", "стришку", "Мужская стрижка", "", ""),
    ("barber", "haircut", "Мужская стрижка", "", ""),
    ("barber", "beard trim", "Стрижка бороды", "", ""),
    ("barber", "haircut and beard", "Стрижка + борода", "", ""),
    ("barber", "маникюр", "", "", "маникюр"),
    ("barber", "завтра в 19", "", "", ""),
    ("barber", "к сергею", "", "", ""),
    ("nails", "маникюр с покрытием", "Маникюр с покрытием гель-лак", "", ""),
    ("nails", "гель лак", "Маникюр с покрытием гель-лак", "", ""),
    ("nails", "маникюр и педикюр", "Маникюр классический&Педикюр", "", ""),
    ("nails", "снять покрытие и сделать маникюр", "Снятие покрытия&Маникюр классический", "", ""),
    ("nails", "нарастить ногти", "Наращивание ногтей", "", ""),
    ("nails", "маникюрчик", "Маникюр классический", "", ""),
    ("nails", "ресницы", "", "", "ресниц"),
    ("nails", "manicure", "Маникюр классический", "", ""),
    ("beauty", "покраситься в блонд", "Окрашивание волос", "", "блонд"),
    ("beauty", "наращивание ресниц", "", "", "наращивание"),
    ("beauty", "коррекция и окрашивание бровей", "Коррекция бровей&Окрашивание бровей", "", ""),
    ("beauty", "стрижка и укладка", "Женская стрижка&Укладка", "", ""),
    ("beauty", "дочке стрижку", "Детская стрижка", "", ""),
    ("beauty", "мелирование", "Мелирование", "", ""),
    ("beauty", "ламинирование", "Ламинирование ресниц", "", ""),
    ("beauty", "кератин", "", "", "кератин"),
    ("beauty", "окрашивание без тонирования", "Окрашивание волос", "Тонирование", ""),
    # a title's own "без"/"с" phrase is that title, not a negation or a list
    ("nogotki", "маникюр без покрытия", "Маникюр без покрытия", "", ""),
    ("nogotki", "маникюр с покрытием", "Маникюр с покрытием", "", ""),
    ("nogotki", "маникюр", "Маникюр без покрытия", "", ""),
    ("nogotki", "маникюр, покрытие не надо", "Маникюр без покрытия", "", ""),
    ("nogotki", "педикюр, только без покрытия", "Педикюр без покрытия", "", ""),
    ("nogotki", "маникюр с гель-лаком", "Маникюр с покрытием", "", ""),
    ("nogotki", "маникюр без гель-лака", "Маникюр без покрытия", "", ""),
    ("nogotki", "gel manicure", "Маникюр с покрытием", "", ""),
    ("nogotki", "маникюр с покрытием и педикюр с покрытием", "Маникюр с покрытием&Педикюр с покрытием", "", ""),
    ("topor", "стрижку без укладки", "Стрижка без укладки", "", ""),
    ("topor", "стрижку, без бороды", "Мужская стрижка", "Моделирование бороды", ""),
    ("topor", "стрижка с укладкой", "Мужская стрижка", "", "укладкой"),
    # a verb names its object's service; list parts lend the action or the object they share
    ("topor", "подровнять бороду", "Моделирование бороды", "", ""),
    ("topor", "подстричь бороду и голову", "Стрижка и борода", "", ""),
    ("beauty", "коррекцию бровей с окрашиванием", "Коррекция бровей&Окрашивание бровей", "", ""),
    ("beauty", "окрашивание и коррекцию бровей", "Окрашивание бровей&Коррекция бровей", "", ""),
    ("barber", "стрижку и стрижку бороды", "Стрижка + борода", "", ""),
    ("barber", "стрижка бороды и камуфляж", "Стрижка бороды&Камуфляж седины", "", ""),
]


@pytest.mark.parametrize(("salon", "words", "included", "excluded", "unknown"), SERVICES, ids=[c[1] for c in SERVICES])
def test_services(salon: str, words: str, included: str, excluded: str, unknown: str) -> None:
    pick = resolve_services(words, SALONS[salon])
    assert tuple(sorted(pick.ids)) == _ids(salon, included)
    assert tuple(sorted(pick.excluded)) == _ids(salon, excluded)
    if unknown:
        assert unknown in (pick.unknown or "").lower()
    else:
        assert pick.unknown is None


def test_services_keep_the_order_named() -> None:
    assert resolve_services("камуфляж и стрижка", BARBER).ids == (5, 1)


# (salon, words, staff first name or "", excluded first names, any, unknown)
STAFF = [
    ("barber", "к артему", "Артём", "", False, ""),
    ("barber", "к Артёму", "Артём", "", False, ""),
    ("barber", "к сергею", "Сергей", "", False, ""),
    ("barber", "у сереги", "Сергей", "", False, ""),
    ("barber", "к бари", "Бари", "", False, ""),
    ("barber", "к олегу", "Олег", "", False, ""),
    ("barber", "к артуму", "Артём", "", False, ""),
    ("barber", "with Artem", "Артём", "", False, ""),
    ("barber", "не к артему", "", "Артём", False, ""),
    ("barber", "только не бари", "", "Бари", False, ""),
    ("barber", "кроме олега и сергея", "", "Олег&Сергей", False, ""),
    ("barber", "любой мастер", "", "", True, ""),
    ("barber", "без разницы", "", "", True, ""),
    ("barber", "к любому, только не к сергею", "", "Сергей", True, ""),
    ("barber", "к вове", "", "", False, "Вова"),
    ("barber", "к 19", "", "", False, ""),
    ("barber", "к сыну", "", "", False, ""),
    ("barber", "anyone is fine", "", "", True, ""),
    ("barber", "мастер любой", "", "", True, ""),
    ("barber", "к любой", "", "", True, ""),
    ("barber", "к тому же мастеру", "", "", False, ""),
    ("nails", "к кате", "Екатерина", "", False, ""),
    ("nails", "у маши", "Мария", "", False, ""),
    ("beauty", "к свете", "Светлана", "", False, ""),
]


@pytest.mark.parametrize(("salon", "words", "staff", "excluded", "anyone", "unknown"), STAFF, ids=[c[1] for c in STAFF])
def test_staff(salon: str, words: str, staff: str, excluded: str, anyone: bool, unknown: str) -> None:
    catalogue = SALONS[salon]

    def member(first: str) -> int:
        return next(m.id for m in catalogue.staff if m.name.split()[0] == first)

    pick = resolve_staff(words, catalogue)
    assert pick.id == (member(staff) if staff else None)
    assert tuple(sorted(pick.excluded)) == tuple(sorted(member(n) for n in excluded.split("&") if n))
    assert pick.any_staff is anyone
    assert (pick.unknown or "") == unknown


def _t(value: str) -> time:
    return time.fromisoformat(value)


def _d(offset: int) -> date:
    return TODAY + timedelta(days=offset)


# (words, expected fields of the WhenSpec; the rest must be empty)
WHEN = [
    ("завтра в 15:00", {"day": _d(1), "time": _t("15:00")}),
    ("в субботу", {"day": _d(4)}),
    ("в эти выходные", {"day": _d(4), "day_until": _d(5)}),
    ("на следующей неделе", {"day": _d(6), "day_until": _d(12)}),
    ("вечером", {"part_of_day": PartOfDay.EVENING}),
    ("после 18", {"window": TimeWindow(_t("18:00"), None)}),
    ("не раньше 16", {"window": TimeWindow(_t("16:00"), None)}),
    ("не позже 16", {"window": TimeWindow(None, _t("16:00"))}),
    ("с 12 до 15", {"window": TimeWindow(_t("12:00"), _t("15:00"))}),
    ("на час позже", {"shift_minutes": 60}),
    ("на полчаса пораньше", {"shift_minutes": -30}),
    ("на 15 минут раньше", {"shift_minutes": -15}),
    ("на два часа попозже", {"shift_minutes": 120}),
    ("на полтора часа позже", {"shift_minutes": 90}),
    ("на часик попозже", {"shift_minutes": 60}),
    ("на час вперед", {"shift_minutes": 60}),
    ("на 40 минут назад", {"shift_minutes": -40}),
    ("на завтра на час позже", {"day": _d(1), "shift_minutes": 60}),
    ("пораньше", {"nudge": "earlier"}),
    ("а попозже?", {"nudge": "later"}),
    ("чуть позже", {"nudge": "later"}),
    ("later", {"nudge": "later"}),
    ("earlier", {"nudge": "earlier"}),
    ("полседьмого", {"time": _t("18:30")}),
    ("без пятнадцати 7", {"time": _t("18:45")}),
    ("в семь вечера", {"time": _t("19:00")}),
    ("к 19", {"time": _t("19:00")}),
    ("после обеда", {"window": TimeWindow(_t("13:00"), None)}),
    ("часиков в шесть", {"time": _t("18:00")}),
    ("сегодня в 10", {"day": _d(0), "time": _t("10:00"), "past": True}),
    ("15.03.2025", {"unclear": True}),
    ("35 марта", {"unclear": True}),
    ("вчера", {"past": True}),
    ("в 9", {"time": _t("09:00"), "ambiguous_hour": True}),
    ("зафтра", {"day": _d(1)}),
    ("в суботу", {"day": _d(4)}),
    ("в пятнецу", {"day": _d(3)}),
    ("севодня", {"day": _d(0)}),
    ("tomorrow at 3pm", {"day": _d(1), "time": _t("15:00")}),
    # misspelt and shortened day words: a day, or a day not placed; never a bare time that reads as today
    ("tommorow at 15", {"day": _d(1), "time": _t("15:00")}),
    ("tomorow at 3pm", {"day": _d(1), "time": _t("15:00")}),
    ("2moro 15:00", {"day": _d(1), "time": _t("15:00")}),
    ("tmrw 5pm", {"day": _d(1), "time": _t("17:00")}),
    ("wensday 3pm", {"day": _d(1), "time": _t("15:00")}),
    ("on frday at 4pm", {"day": _d(3), "time": _t("16:00")}),
    ("thursdy at 11", {"day": _d(2), "time": _t("11:00")}),
    ("в пятн в 15", {"day": _d(3), "time": _t("15:00")}),
    ("в четв утром", {"day": _d(2), "part_of_day": PartOfDay.MORNING}),
    ("в пят в 15", {"time": _t("15:00"), "unclear": True}),
    ("во вто в 12", {"time": _t("12:00"), "unclear": True}),
    ("после 18", {"window": TimeWindow(_t("18:00"), None)}),
    ("today at 15:00", {"day": _d(0), "time": _t("15:00")}),
    ("on saturday", {"day": _d(4)}),
    ("next monday at 11am", {"day": _d(6), "time": _t("11:00")}),
    ("in the evening", {"part_of_day": PartOfDay.EVENING}),
    ("tomorrow morning", {"day": _d(1), "part_of_day": PartOfDay.MORNING}),
    ("next week", {"day": _d(6), "day_until": _d(12)}),
    ("this weekend", {"day": _d(4), "day_until": _d(5)}),
    ("after 5pm", {"window": TimeWindow(_t("17:00"), None)}),
    ("friday at 6:30 pm", {"day": _d(3), "time": _t("18:30")}),
    ("an hour later", {"shift_minutes": 60}),
    ("30 minutes earlier", {"shift_minutes": -30}),
    ("at noon", {"time": _t("12:00")}),
    # a correction replaces what it names; "в то же время" keeps the booking's time
    ("в четверг в 7 вечера, ой нет, лучше в пятницу", {"day": _d(3), "time": _t("19:00")}),
    ("завтра в 18, точнее в 19", {"day": _d(1), "time": _t("19:00")}),
    ("в пятницу в 11, хотя нет, лучше вечером", {"day": _d(3), "part_of_day": PartOfDay.EVENING}),
    ("сегодня в 18, нет, в 10", {"day": _d(0), "time": _t("10:00"), "past": True}),
    ("на завтра в это же время", {"day": _d(1), "shift_minutes": 0}),
    ("на то же время, но в пятницу", {"day": _d(3), "shift_minutes": 0}),
    ("завтра к тому же времени", {"day": _d(1), "shift_minutes": 0}),
    ("в субботу или воскресенье", {"day": _d(4), "day_until": _d(5)}),
    ("до пятницы", {"day": _d(0), "day_until": _d(3)}),
]
_EMPTY_WHEN = {
    "day": None,
    "day_until": None,
    "time": None,
    "part_of_day": None,
    "window": None,
    "shift_minutes": None,
    "nudge": None,
    "unclear": False,
    "past": False,
    "ambiguous_hour": False,
}


@pytest.mark.parametrize(("words", "expected"), WHEN, ids=[c[0] for c in WHEN])
def test_when(words: str, expected: dict[str, object]) -> None:
    spec = resolve_when_spec(words, NOW, BARBER)
    got = {name: getattr(spec, name) for name in _EMPTY_WHEN}
    assert got == {**_EMPTY_WHEN, **expected}
    assert spec.text == words


def test_a_bare_hour_takes_the_reading_of_an_offered_time() -> None:
    offered = (datetime(2026, 3, 11, 17, 0, tzinfo=NOW.tzinfo), datetime(2026, 3, 11, 9, 30, tzinfo=NOW.tzinfo))
    assert resolve_when_spec("в 5", NOW, BARBER, offered=offered).time == time(17)
    spec = resolve_when_spec("в полдесятого", NOW, BARBER, offered=offered)
    assert (spec.day, spec.time, spec.ambiguous_hour) == (date(2026, 3, 11), time(9, 30), False)


def test_an_ordinal_picks_an_offered_time() -> None:
    offered = (datetime(2026, 3, 11, 17, 0, tzinfo=NOW.tzinfo), datetime(2026, 3, 12, 11, 0, tzinfo=NOW.tzinfo))
    spec = resolve_when_spec("второе", NOW, BARBER, offered=offered)
    assert (spec.day, spec.time) == (date(2026, 3, 12), time(11))
    assert resolve_when_spec("второе", NOW, BARBER).is_empty


def test_late_minutes_are_never_a_clock_time() -> None:
    assert resolve_minutes_late("опоздаю на 10 минут") == 10
    assert resolve_minutes_late("минут на пятнадцать задержусь") == 15
    assert resolve_minutes_late("на полчаса") == 30
    assert resolve_minutes_late("опоздаю на 10-15 минут") == 15
    assert resolve_minutes_late("на часик") == 60
    assert resolve_minutes_late("10 minutes late") == 10
    assert resolve_minutes_late("опоздаю") is None
    assert resolve_minutes_late("задержусь минут на двадцать") == 20  # not "два"
    assert resolve_minutes_late("буду минут через 10") == 10


# (salon, words, expected RecordHint fields)
RECORDS = [
    ("barber", "детскую, которая в субботу", {"service_ids": (3,), "day": _d(4)}),
    ("barber", "ту что у сергея", {"staff_id": 12}),
    ("barber", "вторую", {"ordinal": 2}),
    ("barber", "первую", {"ordinal": 1}),
    ("barber", "последнюю", {"ordinal": -1}),
    ("barber", "субботнюю", {"day": _d(4)}),
    ("barber", "завтрашнюю", {"day": _d(1)}),
    ("barber", "на 15:00", {"time": _t("15:00")}),
    ("barber", "стрижку к артему в пятницу", {"service_ids": (1,), "staff_id": 11, "day": _d(3)}),
    ("beauty", "на окрашивание", {"service_ids": (42,)}),
    ("barber", "the second one", {"ordinal": 2}),
]
_EMPTY_RECORD = {"record_id": None, "day": None, "time": None, "service_ids": (), "staff_id": None, "ordinal": None}


@pytest.mark.parametrize(("salon", "words", "expected"), RECORDS, ids=[c[1] for c in RECORDS])
def test_record(salon: str, words: str, expected: dict[str, object]) -> None:
    hint = resolve_record(words, NOW, SALONS[salon])
    assert {name: getattr(hint, name) for name in _EMPTY_RECORD} == {**_EMPTY_RECORD, **expected}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("можно на завтра?", "ru"),
        ("can I book a haircut tomorrow?", "en"),
        ("hi", "en"),
        ("ok", "ru"),
        ("👍", "ru"),
        ("Hello! Запишите к Артёму", "ru"),
        ("15:00", "ru"),
        ("book me with Artem", "en"),
        ("thanks", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language
