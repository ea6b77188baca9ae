"""How fast the Russian language core answers: analyzer cold load, per-call cost of each function, and the
offline reader's cost per client message (p50/p95, the caches keyed by a message's text cleared each time).

Prints one line per figure; the last line is a JSON object with all of them.
"""

from __future__ import annotations

import json
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ai_admin.conversation.model import Catalogue, SalonInfo, ServiceInfo, StaffInfo
from ai_admin.conversation.offline_reader import OfflineReader
from ai_admin.conversation.tools import resolve
from ai_admin.conversation.understanding import ReadContext
from ai_admin.domain import catalogue_matching, russian_words
from ai_admin.domain.catalogue_matching import Service, StaffMember, match_services, match_staff
from ai_admin.domain.russian_dates import resolve_when
from ai_admin.domain.slot_alternatives import SlotRequest, suggest_alternatives

MESSAGES = [
    "Добрый день! Хочу к Сергею на стрижку завтра в 15:00",
    "можно в пятницу после 18?",
    "на утро 10 в субботу, стрижка и борода",
    "пол третьего послезавтра",
    "сколько стоит детская стрижка?",
    "через неделю вечером к Бари",
    "15.03 в 3",
    "без четверти пять на следующей неделе в среду",
]
SERVICES = [
    Service(i, title, "", 1000, 60)
    for i, title in enumerate(
        ["Мужская стрижка", "Детская стрижка", "Стрижка + борода", "Стрижка бороды", "Королевское бритьё"]
        + [f"Услуга {n}" for n in range(55)]
    )
]
STAFF = [StaffMember(i, name) for i, name in enumerate(["Сергей", "Бари", "Олег", "Артём", "Александр Петров"])]
READER_MESSAGES = [
    *MESSAGES,
    "сколько стоит стрижка и можно на завтра в 19?",
    "адрес и до скольки работаете",
    "давайте в 19:00, Никита меня зовут",
    "не к артему, к любому другому",
    "перенесите на час позже",
    "как обычно через неделю в 18:00",
    "отмените детскую, которая в субботу",
    "опоздаю на 10 минут",
    "хочу записатся на стрижку зафтра",
    "здравствуйте я хотел бы записаться на стрижку на завтра на вечер часов на семь если можно к сергею",
    "can I book a haircut tomorrow at 3pm?",
    "ужасно подстригли, позовите администратора",
    "спасибо, до свидания",
    "да",
]
READER_CATALOGUE = Catalogue(
    SalonInfo(1, "Bench"),
    tuple(ServiceInfo(s.id, s.title, s.category, s.price, s.minutes) for s in SERVICES),
    tuple(StaffInfo(m.id, m.name, service_ids=frozenset(range(60))) for m in STAFF),
)
DAY = date(2026, 3, 11)
FREE = {
    staff: {DAY + timedelta(days=d): [time(h, m) for h in range(10, 21) for m in (0, 30)] for d in range(14)}
    for staff in range(5)
}


def per_call_us(function: Callable[[], object], rounds: int) -> float:
    started = clock.perf_counter()
    for _ in range(rounds):
        function()
    return (clock.perf_counter() - started) / rounds * 1e6


def forget_messages() -> None:
    """Clears the caches keyed by a message's text (word and title caches stay warm, as in a running Lambda)."""
    resolve.normalise.cache_clear()
    catalogue_matching._read.cache_clear()  # the bench measures a cold message


def reader_figures(now: datetime, rounds: int = 20) -> dict[str, float]:
    reader = OfflineReader()
    costs = []
    for _ in range(rounds):
        for text in READER_MESSAGES:
            forget_messages()
            started = clock.perf_counter()
            reader.understand(ReadContext(text=text, now=now, catalogue=READER_CATALOGUE))
            costs.append((clock.perf_counter() - started) * 1000)
    costs.sort()
    return {
        "offline_reader_p50_ms": round(costs[len(costs) // 2], 2),
        "offline_reader_p95_ms": round(costs[int(len(costs) * 0.95)], 2),
    }


def main() -> None:
    started = clock.perf_counter()
    russian_words.lemma("стрижку")
    load_ms = (clock.perf_counter() - started) * 1000
    now = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    figures = {
        "analyzer_cold_load_ms": round(load_ms, 1),
        "resolve_when_us": round(per_call_us(lambda: [resolve_when(m, now) for m in MESSAGES], 200) / len(MESSAGES), 1),
        "match_services_60_us": round(
            per_call_us(lambda: [(forget_messages(), match_services(m, SERVICES)) for m in MESSAGES], 50)
            / len(MESSAGES),
            1,
        ),
        "match_staff_5_us": round(
            per_call_us(lambda: [match_staff(m, STAFF) for m in MESSAGES], 200) / len(MESSAGES), 1
        ),
        "suggest_alternatives_5x14_days_us": round(
            per_call_us(lambda: suggest_alternatives(SlotRequest(DAY, time(15, 15), 0), FREE, service_minutes=60), 200),
            1,
        ),
    }
    figures |= reader_figures(now)
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
