"""A salon seeded from a dialog scenario's ``salon:`` block (plus its ``client`` and ``now``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ai_admin.domain.phones import to_e164
from ai_admin.local.fake_yclients.state import Category, Company, Record, SalonState, ServiceItem, StaffMember

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class ScenarioError(ValueError):
    """The scenario's salon block is incomplete or inconsistent; the message names the field."""


def _require(block: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in block:
        raise ScenarioError(f"{where}: '{key}' is required")
    return block[key]


def _clock(text: str, where: str) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        raise ScenarioError(f"{where}: '{text}' is not HH:MM") from None


def state_from_scenario(scenario: Mapping[str, Any], company_id: int = 1) -> SalonState:
    salon = _require(scenario, "salon", "scenario")
    tz = ZoneInfo(str(salon.get("timezone", "Europe/Moscow")))
    hours = salon.get("hours") or {"open": "10:00", "close": "21:00"}
    week = {wd: (_clock(hours["open"], "salon.hours"), _clock(hours["close"], "salon.hours")) for wd in range(7)}
    for day, window in (salon.get("weekday_hours") or {}).items():
        where = f"salon.weekday_hours.{day}"
        if str(day).lower()[:3] not in WEEKDAYS:
            raise ScenarioError(f"{where}: unknown weekday")
        week[WEEKDAYS[str(day).lower()[:3]]] = (_clock(window["open"], where), _clock(window["close"], where))
    categories: dict[str, Category] = {}
    services = []
    for n, item in enumerate(_require(salon, "services", "salon")):
        where = f"salon.services[{n}]"
        title = str(item.get("category") or "Услуги")
        category = categories.setdefault(title, Category(len(categories) + 1, title))
        services.append(
            ServiceItem(
                id=int(_require(item, "id", where)),
                title=str(_require(item, "title", where)),
                category_id=category.id,
                price=Decimal(str(item.get("price", 0))),
                minutes=int(item.get("minutes", 60)),
            )
        )
    known = {s.id for s in services}
    staff = []
    for n, item in enumerate(_require(salon, "staff", "salon")):
        where = f"salon.staff[{n}]"
        service_ids = [int(i) for i in item.get("services") or sorted(known)]
        if unknown := set(service_ids) - known:
            raise ScenarioError(f"{where}: unknown services {sorted(unknown)}")
        try:
            off = {WEEKDAYS[str(d).lower()[:3]] for d in item.get("days_off") or []}
        except KeyError as error:
            raise ScenarioError(f"{where}: unknown weekday {error}") from None
        staff.append(
            StaffMember(
                id=int(_require(item, "id", where)),
                name=str(_require(item, "name", where)),
                specialization=str(item.get("specialization", "Барбер")),
                service_ids=service_ids,
                hours={wd: window for wd, window in week.items() if wd not in off},
            )
        )
    company = Company(company_id, str(salon.get("title", "Салон")), str(salon.get("address", "")), "", str(tz))
    state = SalonState(company, categories.values(), services, staff)
    if "now" in scenario:
        state.set_now(_local(scenario["now"], tz, "now"))
    client = scenario.get("client") or {}
    if client.get("name") and client.get("phone"):
        known_client = state.add_client(str(client["name"]), to_e164(str(client["phone"])))
        for n, visit in enumerate(client.get("history") or []):
            _seed_record(state, visit, f"client.history[{n}]", tz, client_id=known_client.id, attendance=1)
    for n, item in enumerate(salon.get("records") or []):
        where = f"salon.records[{n}]"
        phone = to_e164(str(_require(item, "phone", where)))
        owner = state.client_by_phone(phone) or state.add_client(str(item.get("name") or "Клиент"), phone)
        _seed_record(state, item, where, tz, client_id=owner.id, attendance=int(item.get("attendance", 0)))
    return state


def _local(text: Any, tz: ZoneInfo, where: str) -> datetime:
    try:
        moment = text if isinstance(text, datetime) else datetime.fromisoformat(str(text))
    except ValueError:
        raise ScenarioError(f"{where}: '{text}' is not an ISO date-time") from None
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _seed_record(
    state: SalonState, item: Mapping[str, Any], where: str, tz: ZoneInfo, *, client_id: int, attendance: int
) -> None:
    staff_id = int(_require(item, "staff", where))
    service_ids = [int(i) for i in _require(item, "services", where)]
    if staff_id not in state.staff or any(i not in state.services for i in service_ids):
        raise ScenarioError(f"{where}: unknown staff or service")
    start = _local(_require(item, "start", where), tz, f"{where}.start")
    created = min(start, state.now())
    record_id = int(item.get("id") or max(state.records, default=900000) + 1)
    state.load_record(
        Record(
            id=record_id,
            staff_id=staff_id,
            service_ids=service_ids,
            client_id=client_id,
            start=start,
            length_s=state.length_s(service_ids),
            created_at=created,
            changed_at=created,
            attendance=attendance,
            visit_id=record_id,
            costs=[state.services[i].price for i in service_ids],
        )
    )
