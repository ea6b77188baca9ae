"""The fake's state written the way YClients writes it, quirks included: ids and prices as strings in
catalogue lists, phones as numbers, formatted text or digit strings, ``+0300`` offsets without a colon,
naive local ``date``, ``[]`` for empty objects and ``client: null`` on admin marker records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ai_admin.local.fake_yclients.state import Client, GoodsSale, Record, SalonState, ServiceItem, StaffMember


def no_colon(moment: datetime) -> str:
    """``2026-03-10T12:00:00+0300``, as create_date and last_change_date come."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def wall(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def money(amount: Decimal) -> float | int:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def phone_value(client: Client) -> int | str:
    """A mix of the documented phone forms, fixed per client."""
    digits = client.phone.lstrip("+")
    style = client.id % 5
    if style == 0:
        return int(digits)
    if style == 1 and len(digits) == 11:
        return f"+{digits[0]} {digits[1:4]} {digits[4:7]}-{digits[7:9]}-{digits[9:]}"
    return digits


def company(state: SalonState) -> dict[str, Any]:
    c = state.company
    offset = state.now().utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return {
        "id": c.id,
        "title": c.title,
        "country_id": 1,
        "country": "Россия",
        "city_id": 1,
        "city": "Москва",
        "timezone_name": c.timezone_name,
        "timezone": hours,
        "address": c.address,
        "phone": c.phone,
        "currency_short_title": "₽",
        "active_staff_count": sum(1 for s in state.staff.values() if not s.fired),
        "phone_confirmation": False,
        "social": [],
        "access": {},
    }


def category(state: SalonState, category_id: int) -> dict[str, Any]:
    cat = state.categories[category_id]
    staff = [s.id for s in state.staff.values() if any(state.services[i].category_id == cat.id for i in s.service_ids)]
    return {
        "id": cat.id,
        "salon_service_id": cat.id,
        "title": cat.title,
        "api_id": "",
        "weight": cat.weight,
        "staff": staff,
    }


def service(state: SalonState, item: ServiceItem) -> dict[str, Any]:
    links = [
        {"id": str(s.id), "seance_length": str(item.minutes * 60)}
        for s in state.staff.values()
        if item.id in s.service_ids and not s.fired
    ]
    return {
        "id": str(item.id),
        "title": item.title,
        "category_id": str(item.category_id),
        "price_min": f"{item.price:.2f}",
        "price_max": f"{(item.price_max or item.price):.2f}",
        "discount": "0",
        "comment": "",
        "weight": str(item.weight),
        "active": "1" if item.active else "0",
        "duration": item.minutes * 60,
        "api_id": "",
        "staff": links,
        "image_group": [],
    }


def staff(member: StaffMember, company_id: int) -> dict[str, Any]:
    return {
        "id": member.id,
        "name": member.name,
        "company_id": company_id,
        "specialization": member.specialization,
        "position": {"id": 1, "title": member.position} if member.position else [],
        "avatar": "",
        "avatar_big": "",
        "fired": int(member.fired),
        "status": 0,
        "hidden": int(member.hidden),
        "weight": 0,
        "user_id": 0,
    }


def schedule(state: SalonState, member: StaffMember, day: date, busy: bool) -> dict[str, Any]:
    hours = state.working_hours(member.id, day)
    entry: dict[str, Any] = {
        "staff_id": member.id,
        "date": day.isoformat(),
        "slots": [] if hours is None else [{"from": f"{hours[0]:%H:%M}", "to": f"{hours[1]:%H:%M}"}],
        "off_day_type": None if hours is not None else 1,
    }
    if busy:
        entry["busy_intervals"] = [
            {"entity_type": "record", "entity_id": r.id, "from": f"{r.start:%H:%M}", "to": f"{r.end:%H:%M}"}
            for r in state.records_of(member.id, day)
        ]
    return entry


@dataclass
class ClientStats:
    visits: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sold: Decimal = Decimal(0)


def client_stats(state: SalonState) -> dict[int, ClientStats]:
    """One pass over the records: attended, not deleted visits per client."""
    stats: dict[int, ClientStats] = {}
    with state.lock:
        records = list(state.records.values())
    for rec in records:
        if rec.client_id is None or rec.deleted or rec.attendance != 1:
            continue
        item = stats.setdefault(rec.client_id, ClientStats())
        item.visits += 1
        item.sold += sum(rec.costs, Decimal(0))
        item.first = rec.start if item.first is None or rec.start < item.first else item.first
        item.last = rec.start if item.last is None or rec.start > item.last else item.last
    return stats


def client_row(client: Client, stats: ClientStats | None, fields: list[str]) -> dict[str, Any]:
    stats = stats or ClientStats()
    full: dict[str, Any] = {
        "id": client.id,
        "name": client.name,
        "phone": phone_value(client),
        "email": client.email,
        "discount": money(client.discount),
        "first_visit_date": wall(stats.first) if stats.first else "",
        "last_visit_date": wall(stats.last) if stats.last else "",
        "sold_amount": money(stats.sold),
        "visits_count": stats.visits,
    }
    return {key: full[key] for key in fields if key in full}


def _record_client(state: SalonState, record: Record) -> dict[str, Any] | None:
    if record.client_id is None:
        return None
    client = state.clients[record.client_id]
    return {
        "id": client.id,
        "name": client.name,
        "surname": "",
        "patronymic": "",
        "display_name": client.name,
        "phone": int(client.phone.lstrip("+")),
        "card": "",
        "email": client.email,
        "success_visits_count": 0,
        "fail_visits_count": 0,
        "discount": 0,
        "is_new": False,
        "custom_fields": [],
    }


def record(state: SalonState, rec: Record, *, finance: bool = False) -> dict[str, Any]:
    member = state.staff[rec.staff_id]
    services = []
    for service_id, cost in zip(rec.service_ids, rec.costs, strict=False):
        item = state.services.get(service_id)
        services.append(
            {
                "id": service_id,
                "title": item.title if item else "",
                "cost": money(cost),
                "cost_to_pay": money(cost),
                "manual_cost": money(cost),
                "cost_per_unit": money(cost),
                "discount": 0,
                "first_cost": money(cost),
                "amount": 1,
            }
        )
    goods = [g for g in state.goods if g.record_id == rec.id]
    body: dict[str, Any] = {
        "id": rec.id,
        "company_id": state.company.id,
        "staff_id": rec.staff_id,
        "services": services,
        "goods_transactions": [
            {
                "id": g.id,
                "title": g.title,
                "good_id": g.good_id,
                "amount": g.amount,
                "cost_per_unit": money(g.cost_per_unit),
                "discount": money(g.discount),
                "cost": money(g.cost),
                "master_id": g.master_id,
            }
            for g in goods
        ],
        "staff": {
            "id": member.id,
            "name": member.name,
            "specialization": member.specialization,
            "position": {"id": 1, "title": member.position},
            "avatar": "",
            "avatar_big": "",
            "rating": 0,
            "votes_count": 0,
        },
        "client": _record_client(state, rec),
        "comer": None,
        "clients_count": 1,
        "date": wall(rec.start),
        "datetime": rec.start.isoformat(),
        "create_date": no_colon(rec.created_at),
        "last_change_date": no_colon(rec.changed_at),
        "comment": rec.comment,
        "online": rec.online,
        "visit_attendance": rec.attendance,
        "attendance": rec.attendance,
        "confirmed": 1,
        "seance_length": rec.length_s,
        "length": rec.length_s,
        "master_request": 1,
        "api_id": rec.api_id,
        "visit_id": str(rec.visit_id),
        "deleted": rec.deleted,
        "paid_full": 1 if rec.attendance == 1 else 0,
        "prepaid": False,
        "record_labels": [],
        "activity_id": 0,
        "custom_fields": [],
        "documents": [],
    }
    if finance:
        body["finance_transactions"] = [
            {
                "id": rec.id * 10 + n,
                "document_id": rec.visit_id,
                "date": no_colon(rec.start),
                "amount": f"{cost:.2f}",
                "record_id": rec.id,
            }
            for n, cost in enumerate(rec.costs)
            if rec.attendance == 1 and not rec.deleted
        ]
    return body


def goods_sale(state: SalonState, sale: GoodsSale) -> dict[str, Any]:
    client = state.clients.get(sale.client_id) if sale.client_id is not None else None
    member = state.staff.get(sale.master_id)
    return {
        "id": sale.id,
        "document_id": sale.document_id,
        "type_id": 1,
        "type": "Продажа товара",
        "operation_unit_type": 1,
        "amount": sale.amount,
        "comment": "",
        "good": {"id": sale.good_id, "title": sale.title},
        "storage": {"id": 1, "title": "Товары"},
        "unit": {"id": "1", "title": "Штука"},
        "create_date": no_colon(sale.created_at),
        "last_change_date": no_colon(sale.created_at),
        "cost_per_unit": f"{sale.cost_per_unit:.2f}",
        "cost": f"{sale.cost:.2f}",
        "discount": f"{sale.discount:.2f}",
        "master": {"id": str(member.id), "title": member.name} if member else [],
        "supplier": [],
        "record_id": sale.record_id,
        "loyalty_abonement_id": 0,
        "loyalty_certificate_id": 0,
        "service": [],
        "client": {"id": str(client.id), "name": client.name, "phone": int(client.phone.lstrip("+"))} if client else [],
    }
