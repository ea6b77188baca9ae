"""A salon of the default size (15 services, 5 masters), a returning client and a mid-dialog state, as
plain conversation data for the brain tests (values invented here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from ai_admin.conversation.model import Catalogue, ClientProfile, SalonInfo, ServiceInfo, StaffInfo
from ai_admin.conversation.state import DialogState, Offer, OfferedSlot, Pending
from ai_admin.conversation.turn import TurnContext
from ai_admin.domain.day_parts import TimeWindow

MSK = ZoneInfo("Europe/Moscow")
COMPANY_ID = 1
PHONE = "+79990001122"
# A Tuesday, just after midnight in Moscow (still Monday in UTC).
NOW = datetime(2026, 3, 10, 0, 20, tzinfo=MSK)

_SERVICES = [
    (1001, "Мужская стрижка", "Стрижки", 1800, None, 60),
    (1002, "Стрижка машинкой", "Стрижки", 1000, None, 30),
    (1003, "Детская стрижка", "Стрижки", 1200, None, 45),
    (1004, "Фейд", "Стрижки", 2000, None, 60),
    (1005, "Стрижка длинных волос", "Стрижки", 2500, 3200, 75),
    (1006, "Окантовка", "Стрижки", 600, None, 15),
    (1007, "Стрижка бороды", "Борода", 1100, None, 30),
    (1008, "Моделирование бороды", "Борода", 1400, None, 45),
    (1009, "Королевское бритьё", "Борода", 2200, None, 60),
    (1010, "Стрижка и борода", "Комплексы", 2700, None, 90),
    (1011, "Отец и сын", "Комплексы", 2900, None, 90),
    (1012, "Камуфляж седины", "Окрашивание", 1500, None, 30),
    (1013, "Тонирование", "Окрашивание", 1700, 2400, 45),
    (1014, "Укладка", "Укладка", 700, None, 15),
    (1015, "Массаж головы", "Уход", 1000, None, 30),
]
_STAFF = [
    (201, "Сергей", "Топ-барбер", range(1001, 1016), {0}),
    (202, "Артур", "Барбер", [1001, 1002, 1003, 1004, 1006, 1007, 1008, 1010, 1014], {1, 4}),
    (203, "Давид", "Старший барбер", [1001, 1002, 1004, 1005, 1007, 1009, 1010, 1011], {2}),
    (204, "Эмиль", "Барбер-стилист", [1001, 1005, 1012, 1013, 1014, 1015], {3, 6}),
    (205, "Марат", "Барбер", [1002, 1003, 1006, 1007, 1011, 1014], {5}),
]


def default_catalogue() -> Catalogue:
    salon = SalonInfo(
        company_id=COMPANY_ID,
        title="Барбершоп «Борода и ножницы»",
        timezone="Europe/Moscow",
        address="ул. Примерная, 1",
        phone="+74950000000",
        hours=TimeWindow(time(10), time(21)),
    )
    services = tuple(
        ServiceInfo(id=i, title=t, category=c, price=float(p), minutes=m, price_max=None if hi is None else float(hi))
        for i, t, c, p, hi, m in _SERVICES
    )
    staff = tuple(
        StaffInfo(id=i, name=n, specialization=s, service_ids=frozenset(ids), days_off=frozenset(off))
        for i, n, s, ids, off in _STAFF
    )
    return Catalogue(salon=salon, services=services, staff=staff)


def returning_client() -> ClientProfile:
    return ClientProfile(
        phone=PHONE,
        client_id=10001,
        name="Алексей",
        visits_count=7,
        total_spent=Decimal(14300),
        loyalty_level="regular",
        favourite_staff_ids=(201,),
        favourite_service_ids=(1001,),
        last_service_ids=(1010,),
        last_visit_at=datetime(2026, 2, 1, 15, 0, tzinfo=MSK),
    )


def busy_state() -> DialogState:
    """A dialog at its largest: twelve remembered turns, six offered times and a pending move."""
    state = DialogState(
        service_ids=[1010],
        staff_id=201,
        day=date(2026, 3, 11),
        offer=Offer(
            service_ids=[1010],
            staff_id=201,
            record_id=555001,
            slots=[
                OfferedSlot(staff_id=201, start=datetime(2026, 3, 11, 18 + h // 2, 30 * (h % 2), tzinfo=MSK))
                for h in range(6)
            ],
        ),
        pending=Pending(
            kind="move",
            record_id=555001,
            staff_id=201,
            service_ids=[1010],
            start=datetime(2026, 3, 11, 19, 0, tzinfo=MSK),
            stated_at=NOW,
        ),
        client_name="Алексей",
        greeted_at=datetime(2026, 3, 9, 23, 50, tzinfo=MSK),
        last_bot_at=datetime(2026, 3, 10, 0, 15, tzinfo=MSK),
    )
    for n in range(6):
        at = datetime(2026, 3, 9, 23, 50 + n, tzinfo=MSK)
        state.remember(
            "client", "Можно перенести мою запись на завтра вечером, часов на семь, если Сергей свободен?", at
        )
        state.remember(
            "bot",
            "Ваша запись: Стрижка и борода у Сергея 12.03 в 15:00. Перенести на 11.03 в 19:00 к Сергею? "
            "Ответьте «да», и я перенесу.",
            at,
        )
    return state


def context(
    text: str = "Здравствуйте, хочу подстричься завтра вечером",
    *,
    state: DialogState | None = None,
    profile: ClientProfile | None = None,
    now: datetime = NOW,
    catalogue: Catalogue | None = None,
) -> TurnContext:
    return TurnContext(
        company_id=COMPANY_ID,
        conversation_id=1,
        phone=PHONE,
        text=text,
        now=now,
        catalogue=catalogue or default_catalogue(),
        profile=profile,
        state=state if state is not None else DialogState(),
        turn_key="wamid.sample",
        phone_verified=True,
    )


def in_zone(ctx: TurnContext, timezone: str) -> TurnContext:
    catalogue = replace(ctx.catalogue, salon=replace(ctx.catalogue.salon, timezone=timezone))
    return replace(ctx, catalogue=catalogue)
