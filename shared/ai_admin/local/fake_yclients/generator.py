"""A deterministic, realistic barbershop: the same seed and day give the same salon, byte for byte.

By default ~50 services in categories, 8 staff with weekly schedules and days off, 1,100 clients and
~4,000 records over the last two years (attended, no-shows, cancelled and deleted) plus the next month,
and goods sold at visits. More clients scale staff, records and sales with them.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ai_admin.local.fake_yclients.state import (
    Category,
    Client,
    Company,
    GoodsSale,
    Record,
    SalonState,
    ServiceItem,
    StaffMember,
)

RECORDS_PER_CLIENT = 3.6
HISTORY_DAYS = 730
FUTURE_DAYS = 30

_CATALOGUE: dict[str, list[tuple[str, int, int]]] = {
    "Стрижки": [
        ("Мужская стрижка", 1800, 60),
        ("Стрижка машинкой", 1000, 30),
        ("Детская стрижка", 1200, 45),
        ("Стрижка ножницами", 2200, 60),
        ("Фейд", 2000, 60),
        ("Кроп", 1900, 60),
        ("Андеркат", 2000, 60),
        ("Стрижка длинных волос", 2500, 75),
        ("Стрижка отец и сын", 2800, 90),
        ("Окантовка", 600, 15),
    ],
    "Борода": [
        ("Стрижка бороды", 1100, 30),
        ("Моделирование бороды", 1400, 45),
        ("Бритьё опасной бритвой", 1600, 45),
        ("Королевское бритьё", 2200, 60),
        ("Окрашивание бороды", 1300, 30),
        ("Уход за бородой", 900, 30),
    ],
    "Комплексы": [
        ("Стрижка и борода", 2700, 90),
        ("Стрижка и бритьё", 3000, 90),
        ("Папа и сын", 2900, 90),
        ("Стрижка, борода и камуфляж", 3800, 120),
        ("Жених", 5000, 120),
        ("Экспресс-комплекс", 2200, 60),
    ],
    "Окрашивание": [
        ("Камуфляж седины", 1500, 30),
        ("Тонирование", 1700, 45),
        ("Мелирование", 3200, 90),
        ("Обесцвечивание", 3500, 120),
        ("Окрашивание в один тон", 2600, 75),
    ],
    "Укладка": [
        ("Укладка", 700, 15),
        ("Укладка с воском", 800, 15),
        ("Мытьё головы", 400, 15),
        ("Укладка на выход", 1200, 30),
    ],
    "Уход": [
        ("Чёрная маска", 900, 30),
        ("Пилинг кожи головы", 1300, 30),
        ("Массаж головы", 1000, 30),
        ("Уход для волос", 1400, 30),
        ("Горячее полотенце", 400, 15),
        ("Патчи для глаз", 500, 15),
    ],
    "Депиляция": [
        ("Воск: нос", 500, 15),
        ("Воск: уши", 500, 15),
        ("Воск: брови", 600, 15),
        ("Коррекция бровей", 700, 30),
        ("Воск: щёки", 600, 15),
    ],
    "Дополнительно": [
        ("Узор машинкой", 700, 30),
        ("Детская стрижка до 7 лет", 1000, 45),
        ("Выезд мастера", 6000, 120),
        ("Стрижка пенсионерам", 1100, 45),
        ("Консультация стилиста", 0, 15),
        ("Подарочный сертификат", 3000, 15),
        ("Стрижка студентам", 1300, 60),
        ("Стрижка в ночную смену", 2500, 60),
    ],
}

_GOODS = [
    ("Помада для укладки", Decimal(1200)),
    ("Глина для волос", Decimal(1350)),
    ("Шампунь мужской", Decimal(950)),
    ("Масло для бороды", Decimal(1100)),
    ("Бальзам для бороды", Decimal(1050)),
    ("Пудра для объёма", Decimal(990)),
    ("Расчёска", Decimal(450)),
    ("Воск для усов", Decimal(700)),
]

_FIRST = [
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Иван",
    "Максим",
    "Павел",
    "Егор",
    "Никита",
    "Артём",
    "Михаил",
    "Роман",
    "Олег",
    "Кирилл",
    "Тимур",
    "Руслан",
    "Денис",
    "Антон",
    "Владимир",
    "Илья",
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
]
_LAST = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Волков",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Петров",
    "Фёдоров",
    "Орлов",
    "Андреев",
    "Макаров",
    "Захаров",
    "Зайцев",
    "Павлов",
]
_STAFF = [
    "Артур",
    "Бари",
    "Гоша",
    "Давид",
    "Эмиль",
    "Камиль",
    "Марат",
    "Никола",
    "Рустам",
    "Саша",
    "Тагир",
    "Фёдор",
    "Хасан",
    "Шамиль",
    "Юра",
    "Ян",
]
_SPECIALIZATION = ["Барбер", "Топ-барбер", "Старший барбер", "Барбер-стилист"]
_SHIFTS = [(time(10), time(21)), (time(10), time(20)), (time(11), time(22)), (time(9), time(19))]


def _staff_count(clients: int) -> int:
    return max(8, round(8 * math.sqrt(clients / 1100)))


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = f"+79{rng.randrange(10**9):09d}"
        if phone not in used:
            used.add(phone)
            return phone


def generate(seed: int = 1, clients: int = 1100, company_id: int = 1, today: date | None = None) -> SalonState:
    """A salon whose history ends at noon of ``today``, or, without it, at this moment in the salon's time
    zone: its days are the salon's (the sync reads by them), and nothing in it changed after the present,
    so a change made now is always the newest version of its record."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    company = Company(company_id, "Барбершоп «Борода и ножницы»", "ул. Примерная, 1", "+74950000000")
    tz = ZoneInfo(company.timezone_name)
    now = datetime.combine(today, time(12), tz) if today else datetime.now(tz).replace(microsecond=0)
    today = now.date()
    categories, services = [], []
    service_id = 1000
    for weight, (title, items) in enumerate(_CATALOGUE.items()):
        category = Category(100 + weight, title, weight=len(_CATALOGUE) - weight)
        categories.append(category)
        for name, price, minutes in items:
            service_id += 1
            services.append(ServiceItem(service_id, name, category.id, Decimal(price), minutes, weight=weight))
    core = [s.id for s in services if s.category_id in (100, 101, 102)]
    staff = []
    for index in range(_staff_count(clients)):
        off = {index % 7, (index + 3) % 7}  # two days off a week, staggered so the shop is always open
        open_, close = _SHIFTS[index % len(_SHIFTS)]
        hours = {wd: (open_, close) for wd in range(7) if wd not in off}
        extra = rng.sample([s.id for s in services if s.id not in core], k=len(services) // 2)
        name = _STAFF[index % len(_STAFF)] + ("" if index < len(_STAFF) else f" {index // len(_STAFF) + 1}")
        vacation = {today + timedelta(days=rng.randrange(-HISTORY_DAYS, FUTURE_DAYS)) for _ in range(6)}
        staff.append(
            StaffMember(
                id=201 + index,
                name=name,
                specialization=_SPECIALIZATION[index % len(_SPECIALIZATION)],
                service_ids=sorted(core + extra),
                hours=hours,
                days_off=vacation,
            )
        )
    used: set[str] = set()
    people = [
        Client(
            id=10001 + n,
            name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" if rng.random() < 0.8 else rng.choice(_FIRST),
            phone=_phone(rng, used),
            email=f"client{n + 1}@example.com" if rng.random() < 0.3 else "",
            discount=Decimal(rng.choice([0, 0, 0, 0, 5, 10])),
        )
        for n in range(clients)
    ]
    state = SalonState(company, categories, services, staff, people)
    _records(state, rng, clients, now)
    return state


def _records(state: SalonState, rng: random.Random, clients: int, now: datetime) -> None:
    today = now.date()
    client_ids = list(state.clients)
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(client_ids))]  # regulars and one-off visitors
    target = round(clients * RECORDS_PER_CLIENT)
    first = today - timedelta(days=HISTORY_DAYS)
    staff_days = [
        (member, first + timedelta(days=n))
        for n in range(HISTORY_DAYS + FUTURE_DAYS + 1)
        for member in state.staff.values()
        if state.working_hours(member.id, first + timedelta(days=n)) is not None
    ]
    per_day = target / max(1, len(staff_days))
    services = state.services
    record_id, sale_id = 1, 1
    picks = rng.choices(client_ids, weights, k=target * 2)
    pick = 0
    for member, day in staff_days:
        hours = state.working_hours(member.id, day)
        assert hours is not None
        count = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
        slot = hours[0]
        for _ in range(count):
            gap = timedelta(minutes=30 * rng.randrange(0, 3))
            service_ids = [rng.choice(member.service_ids[:16])]
            if rng.random() < 0.15:
                service_ids.append(rng.choice(member.service_ids))
            service_ids = list(dict.fromkeys(service_ids))
            length = sum(services[i].minutes for i in service_ids) * 60
            start = slot + gap
            if start + timedelta(seconds=length) > hours[1]:
                break
            slot = start + timedelta(seconds=length)
            future = start > now
            client_id: int | None = None if rng.random() < 0.005 else picks[pick % len(picks)]
            pick += 1
            roll = rng.random()
            attendance, deleted = (0, False)
            if future:
                attendance, deleted = (2, False) if roll < 0.3 else (0, roll > 0.93)
            elif roll < 0.86:
                attendance = 1
            elif roll < 0.91:
                attendance = -1
            else:
                deleted = True
            created = start - timedelta(days=rng.randrange(0, 21), minutes=rng.randrange(0, 600))
            created = min(created, now - timedelta(minutes=rng.randrange(1, 600)))  # nothing is made in the future
            changed = min(now, start + timedelta(hours=rng.randrange(1, 5))) if not future else created
            record = Record(
                id=record_id,
                staff_id=member.id,
                service_ids=service_ids,
                client_id=client_id,
                start=start,
                length_s=length,
                created_at=created,
                changed_at=max(created, changed),
                attendance=attendance,
                deleted=deleted,
                online=rng.random() < 0.55,
                visit_id=record_id,
                costs=[services[i].price for i in service_ids],
            )
            state.load_record(record)
            if attendance == 1 and rng.random() < 0.12:
                title, price = rng.choice(_GOODS)
                state.goods.append(
                    GoodsSale(
                        sale_id,
                        500000 + sale_id,
                        9000 + _GOODS.index((title, price)),
                        title,
                        -rng.choice([1, 1, 1, 2]),
                        price,
                        Decimal(rng.choice([0, 0, 10])),
                        member.id,
                        client_id,
                        record.id,
                        record.end,
                    )
                )
                sale_id += 1
            record_id += 1
