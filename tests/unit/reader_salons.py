"""Five generated salons and five salon clocks for the reader and resolver tables.

A compact expectation language keeps the tables readable: ``"price svc=Мужская стрижка | book day=+1
time=19:00 firm"`` is two intents in that order. Keys (every one optional):

* ``svc=A&B`` services by title (``_`` stands for a space), ``nosvc=A`` excluded, ``unk=блонд`` words
  of an unknown service;
* ``staff=Сергей`` (first word of the member's name), ``nostaff=A&B``, ``any``, ``ustaff=Вова``;
* when: ``day=+1`` (days from the clock's date) or ``day=sat``, ``until=+6``, ``time=19:00``,
  ``part=evening``, ``win=18:00-`` / ``win=-13:00`` / ``win=12:00-15:00``, ``shift=60``,
  ``nudge=earlier``, ``unclear``, ``past``, ``ambig``, ``by=12:00`` (over by then). Naming any of them checks
  the whole WhenSpec;
* record: ``rday=+1``, ``rtime=15:00``, ``rsvc=Детская стрижка``, ``rstaff=Сергей``, ``rord=2``, ``rid=7``;
* ``firm`` / ``!firm``, ``usual``, ``name=Никита``, ``late=10``, ``reply=answer_yes``.

Staff (also an unknown name), services, names, ``any`` and ``usual`` not named are checked to be empty, so a reader that
invents a name or a service fails.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ai_admin.conversation.model import Catalogue, SalonInfo, ServiceInfo, StaffInfo
from ai_admin.conversation.understanding import Intent, IntentKind, Understanding, WhenSpec
from ai_admin.domain.day_parts import PartOfDay, TimeWindow

TZ = ZoneInfo("Europe/Moscow")


def _catalogue(title: str, services: list[tuple[int, str, str, float, int]], staff: list[tuple[int, str]]) -> Catalogue:
    ids = frozenset(s[0] for s in services)
    return Catalogue(
        salon=SalonInfo(company_id=7, title=title, address="ул. Садовая, 12", phone="+7 900 000-00-00"),
        services=tuple(ServiceInfo(i, t, c, p, m) for i, t, c, p, m in services),
        staff=tuple(StaffInfo(i, n, service_ids=ids) for i, n in staff),
    )


BARBER = _catalogue(
    "Барбершоп Борода",
    [
        (1, "Мужская стрижка", "Стрижки", 1500, 60),
        (2, "Стрижка машинкой", "Стрижки", 900, 30),
        (3, "Детская стрижка", "Стрижки", 1000, 45),
        (4, "Стрижка бороды", "Борода", 800, 30),
        (5, "Камуфляж седины", "Окрашивание", 1200, 30),
        (6, "Королевское бритьё", "Бритьё", 1400, 45),
        (7, "Стрижка + борода", "Комплексы", 2100, 90),
        (8, "Укладка", "Стрижки", 500, 20),
    ],
    [(11, "Артём"), (12, "Сергей Иванов"), (13, "Бари"), (14, "Олег")],
)
NAILS = _catalogue(
    "Студия ногтей Лак",
    [
        (21, "Маникюр классический", "Маникюр", 1200, 60),
        (22, "Маникюр с покрытием гель-лак", "Маникюр", 2000, 90),
        (23, "Педикюр", "Педикюр", 2200, 90),
        (24, "Снятие покрытия", "Маникюр", 300, 15),
        (25, "Наращивание ногтей", "Маникюр", 3000, 150),
        (26, "Дизайн ногтей", "Маникюр", 500, 30),
    ],
    [(31, "Алина"), (32, "Екатерина"), (33, "Мария")],
)
BEAUTY = _catalogue(
    "Салон красоты Вероника",
    [
        (41, "Женская стрижка", "Волосы", 2000, 60),
        (42, "Окрашивание волос", "Волосы", 4500, 150),
        (43, "Тонирование", "Волосы", 2500, 90),
        (44, "Мелирование", "Волосы", 5000, 180),
        (45, "Укладка", "Волосы", 1500, 45),
        (46, "Коррекция бровей", "Брови", 700, 30),
        (47, "Окрашивание бровей", "Брови", 600, 30),
        (48, "Ламинирование ресниц", "Ресницы", 2500, 60),
        (49, "Детская стрижка", "Волосы", 900, 40),
    ],
    [(51, "Ольга"), (52, "Светлана"), (53, "Анна"), (54, "Виктория")],
)
# Salons whose titles carry their own "без"/"с" phrases, a combo written with "и", and two services for brows.
TOPOR = _catalogue(
    "Барбершоп Топор",
    [
        (71, "Мужская стрижка", "Стрижки", 1800, 60),
        (72, "Стрижка без укладки", "Стрижки", 1500, 45),
        (73, "Моделирование бороды", "Борода", 1400, 45),
        (74, "Стрижка и борода", "Комплексы", 2700, 90),
        (75, "Окрашивание бороды", "Борода", 1300, 30),
        (76, "Камуфляж седины", "Окрашивание", 1500, 30),
        (77, "Воск: брови", "Депиляция", 600, 15),
        (78, "Коррекция бровей", "Депиляция", 700, 30),
        (79, "Детская стрижка", "Стрижки", 1200, 45),
    ],
    [(81, "Самир"), (82, "Глеб"), (83, "Тимур Ахмедов"), (84, "Роман")],
)
NOGOTKI = _catalogue(
    "Ноготки",
    [
        (61, "Маникюр без покрытия", "Маникюр", 1000, 60),
        (62, "Маникюр с покрытием", "Маникюр", 1900, 90),
        (63, "Педикюр без покрытия", "Педикюр", 1600, 60),
        (64, "Педикюр с покрытием", "Педикюр", 2400, 90),
        (65, "Снятие гель-лака", "Маникюр", 300, 15),
        (66, "Укрепление ногтей", "Маникюр", 600, 30),
        (67, "Дизайн ногтей", "Маникюр", 400, 30),
    ],
    [(91, "Дарья"), (92, "Ксения"), (93, "Вера")],
)
# Brows listed before hair: a bare "окрашивание" must still be the hair's.
LOKON = _catalogue(
    "Студия Локон",
    [
        (101, "Окрашивание бровей", "Брови", 700, 30),
        (102, "Окрашивание в один тон", "Окрашивание", 4000, 120),
        (103, "Женская стрижка", "Стрижки", 2200, 60),
        (104, "Ламинирование ресниц", "Ресницы", 2500, 60),
        (105, "Коррекция бровей", "Брови", 800, 30),
    ],
    [(111, "Полина"), (112, "Яна")],
)
SALONS = {"barber": BARBER, "nails": NAILS, "beauty": BEAUTY, "topor": TOPOR, "nogotki": NOGOTKI, "lokon": LOKON}

CLOCKS = {
    "noon": datetime(2026, 3, 10, 12, 0, tzinfo=TZ),  # Tuesday midday
    "late": datetime(2026, 3, 10, 22, 40, tzinfo=TZ),  # Tuesday, after closing
    "sunday": datetime(2026, 3, 15, 11, 0, tzinfo=TZ),
    "midnight": datetime(2026, 3, 11, 0, 20, tzinfo=TZ),  # just after midnight, Wednesday
    "eom": datetime(2026, 3, 31, 18, 0, tzinfo=TZ),  # end of month, Tuesday
}

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_PARTS = {"morning": PartOfDay.MORNING, "afternoon": PartOfDay.AFTERNOON, "evening": PartOfDay.EVENING}
_WHEN_KEYS = {"day", "until", "time", "part", "win", "shift", "nudge", "unclear", "past", "by"}


@dataclass
class Expected:
    kind: IntentKind
    keys: dict[str, str]


def parse_spec(spec: str) -> tuple[list[Expected], str]:
    """The intents a spec names and the language (``lang=en`` anywhere, else ru)."""
    language = "ru"
    expected = []
    for part in [p.strip() for p in spec.split("|") if p.strip()]:
        kind, *items = part.split()
        keys: dict[str, str] = {}
        for item in items:
            if item.startswith("lang="):
                language = item[5:]
                continue
            name, _, value = item.partition("=")
            keys[name] = value.replace("_", " ")
        expected.append(Expected(IntentKind(kind), keys))
    return expected, language


def _day(value: str, today: date) -> date:
    if value in _WEEKDAYS:
        ahead = (_WEEKDAYS[value] - today.weekday()) % 7
        return today + timedelta(days=ahead or 7)
    if value.startswith(("+", "-")) or value == "0":
        return today + timedelta(days=int(value))
    return date.fromisoformat(value)


def _time(value: str) -> time | None:
    return time.fromisoformat(value) if value else None


def _service_ids(value: str, catalogue: Catalogue) -> tuple[int, ...]:
    titles = [t.strip() for t in value.split("&") if t.strip()]
    by_title = {s.title.lower(): s.id for s in catalogue.services}
    return tuple(sorted(by_title[t.lower()] for t in titles))


def _staff_id(value: str, catalogue: Catalogue) -> int:
    return next(m.id for m in catalogue.staff if m.name.split()[0].lower() == value.lower())


def _expected_when(keys: dict[str, str], today: date) -> WhenSpec:
    window = None
    if "win" in keys:
        start, _, end = keys["win"].partition("-")
        window = TimeWindow(_time(start), _time(end))
    return WhenSpec(
        day=_day(keys["day"], today) if "day" in keys else None,
        day_until=_day(keys["until"], today) if "until" in keys else None,
        time=_time(keys["time"]) if "time" in keys else None,
        part_of_day=_PARTS[keys["part"]] if "part" in keys else None,
        window=window,
        shift_minutes=int(keys["shift"]) if "shift" in keys else None,
        nudge=keys.get("nudge"),  # type: ignore[arg-type]
        unclear="unclear" in keys,
        past="past" in keys,
        finish_by=_time(keys["by"]) if "by" in keys else None,
    )


def mismatches(intent: Intent, expected: Expected, catalogue: Catalogue, now: datetime) -> list[str]:
    keys, today, wrong = expected.keys, now.date(), []

    def check(label: str, got: Any, want: Any) -> None:
        if got != want:
            wrong.append(f"{expected.kind}.{label}: got {got!r}, want {want!r}")

    check("services", tuple(sorted(intent.services)), _service_ids(keys.get("svc", ""), catalogue))
    check("services_excluded", tuple(sorted(intent.services_excluded)), _service_ids(keys.get("nosvc", ""), catalogue))
    if "unk" in keys:
        got = (intent.services_unknown or "").lower()
        if keys["unk"].lower() not in got:
            wrong.append(f"{expected.kind}.services_unknown: got {intent.services_unknown!r}, want {keys['unk']!r}")
    elif intent.services_unknown is not None:
        wrong.append(f"{expected.kind}.services_unknown: got {intent.services_unknown!r}, want None")
    check("staff", intent.staff, _staff_id(keys["staff"], catalogue) if "staff" in keys else None)
    check(
        "staff_excluded",
        tuple(sorted(intent.staff_excluded)),
        tuple(sorted(_staff_id(n, catalogue) for n in keys.get("nostaff", "").split("&") if n)),
    )
    check("any_staff", intent.any_staff, "any" in keys)
    check("staff_unknown", (intent.staff_unknown or "").lower(), keys.get("ustaff", "").lower())
    check("usual", intent.usual, "usual" in keys)
    check("name", intent.name, keys.get("name"))
    if "firm" in keys or "!firm" in keys:
        check("firm", intent.firm, "firm" in keys)
    if "late" in keys:
        check("minutes_late", intent.minutes_late, int(keys["late"]))
    if "reply" in keys:
        check("reply_id", intent.reply_id, keys["reply"])
    if _WHEN_KEYS & keys.keys():
        want = _expected_when(keys, today)
        for f in fields(WhenSpec):
            if f.name not in {"text", "ambiguous_hour"}:
                check(f"when.{f.name}", getattr(intent.when, f.name), getattr(want, f.name))
    if "ambig" in keys:
        check("when.ambiguous_hour", intent.when.ambiguous_hour, True)
    record = intent.record
    if "rday" in keys:
        check("record.day", record.day, _day(keys["rday"], today))
    if "rtime" in keys:
        check("record.time", record.time, _time(keys["rtime"]))
    if "rsvc" in keys:
        check("record.service_ids", tuple(sorted(record.service_ids)), _service_ids(keys["rsvc"], catalogue))
    if "rstaff" in keys:
        check("record.staff_id", record.staff_id, _staff_id(keys["rstaff"], catalogue))
    if "rord" in keys:
        check("record.ordinal", record.ordinal, int(keys["rord"]))
    if "rid" in keys:
        check("record.record_id", record.record_id, int(keys["rid"]))
    return wrong


def compare(understanding: Understanding, spec: str, catalogue: Catalogue, now: datetime) -> list[str]:
    expected, language = parse_spec(spec)
    got_kinds = [i.kind.value for i in understanding.intents]
    want_kinds = [e.kind.value for e in expected]
    problems = []
    if understanding.language != language:
        problems.append(f"language: got {understanding.language}, want {language}")
    if got_kinds != want_kinds:
        return [*problems, f"intents: got {got_kinds}, want {want_kinds}: {understanding.intents}"]
    for intent, want in zip(understanding.intents, expected, strict=True):
        problems += mismatches(intent, want, catalogue, now)
    return problems
