"""The client and the fake agree on every endpoint: real HTTP, real parsing, state checked on both sides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.local.fake_yclients import FakeYClients, state_from_scenario
from ai_admin.yclients.errors import MalformedResponse, NotFound, TimeTaken, TokenRejected, ValidationFailed
from ai_admin.yclients.payloads import Appointment, Booking, RecordsQuery, RecordWrite, ServiceLine
from tests.conftest import FAKE_TODAY, Unlimited, yclients_config

MSK = ZoneInfo("Europe/Moscow")
TOMORROW = FAKE_TODAY + timedelta(days=1)


def free_slot(fake: FakeYClients, service_id: int = 1001) -> tuple[int, datetime]:
    state = fake.state
    for staff_id in sorted(state.staff):
        starts = state.free_starts(staff_id, TOMORROW, [service_id])
        if starts:
            return staff_id, starts[0]
    raise AssertionError("the demo salon has no free slot tomorrow")


def test_reference_data(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    state = fake_yclients.state
    company = yclients.company(1)
    assert (company.id, company.timezone_name, company.title) == (1, "Europe/Moscow", state.company.title)
    categories = yclients.service_categories(1)
    assert {c.id for c in categories} == set(state.categories)
    services = yclients.services(1)
    assert {s.id: s.price_min for s in services} == {s.id: s.price for s in state.services.values()}
    assert all(s.staff for s in services)
    staff = yclients.staff(1)
    assert {s.id: s.name for s in staff} == {s.id: s.name for s in state.staff.values()}
    only_first = yclients.services(1, staff_id=201)
    assert {s.id for s in only_first} == set(state.staff[201].service_ids)


def test_staff_schedules_show_days_off_and_busy_time(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    week = yclients.staff_schedules(1, TOMORROW, TOMORROW + timedelta(days=6), staff_ids=[201])
    assert len(week) == 7 and {s.staff_id for s in week} == {201}
    off = [s.date for s in week if not s.slots]
    assert off and all(fake_yclients.state.working_hours(201, d) is None for d in off if d)
    busy = [(s.date, b.entity_id) for s in week for b in s.busy_intervals]
    records = {(r.start.date(), r.id) for d in week if d.date for r in fake_yclients.state.records_of(201, d.date)}
    assert set(busy) == records


def test_every_client_is_paged_through(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    clients = list(yclients.iter_clients(1, page_size=200))
    assert len(clients) == len({c.id for c in clients}) == 1100
    phones = {c.id: c.phone for c in clients}
    assert phones == {c.id: c.phone for c in fake_yclients.state.clients.values()}
    assert fake_yclients.requests_by_endpoint()["POST /company/{company_id}/clients/search"] == 6
    regular = max(clients, key=lambda c: c.visits_count)
    assert regular.visits_count > 5 and regular.sold_amount > 0 and regular.last_visit_date is not None


def test_oversized_pages_are_cut_and_still_fully_read(yclients: YClientsClient) -> None:
    assert len(list(yclients.iter_clients(1, page_size=500))) == 1100


def test_find_client_by_phone(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    someone = fake_yclients.state.clients[10500]
    assert [c.id for c in yclients.find_clients_by_phone(1, someone.phone)] == [10500]


def test_records_filters(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    state = fake_yclients.state
    live = list(yclients.iter_records(1, RecordsQuery(), count=1000))
    everything = list(yclients.iter_records(1, RecordsQuery(with_deleted=True), count=1000))
    assert len(everything) == len(state.records)
    assert len(live) == sum(1 for r in state.records.values() if not r.deleted)
    assert any(r.deleted for r in everything) and not any(r.deleted for r in live)
    assert any(r.client is None for r in everything)
    assert {r.attendance for r in everything} >= {-1, 0, 1, 2}
    day = list(yclients.iter_records(1, RecordsQuery(start_date=TOMORROW, end_date=TOMORROW, staff_id=202)))
    assert day and all(r.staff_id == 202 and r.date and r.date.date() == TOMORROW for r in day)
    regular = next(r.client.id for r in everything if r.client and r.client.id)
    mine = list(yclients.iter_records(1, RecordsQuery(client_id=regular, include_finance_transactions=True)))
    assert mine and all(r.client and r.client.id == regular for r in mine)
    assert any(r.finance_transactions for r in mine if r.attendance == 1)


def test_changed_after_sees_only_later_changes(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    since = datetime(2026, 3, 10, 11, 0)  # salon-local; the fake's clock stands at 12:00
    before = {r.id for r in yclients.iter_records(1, RecordsQuery(changed_after=since, with_deleted=True))}
    record = next(r for r in fake_yclients.state.records.values() if r.start.date() == TOMORROW and not r.deleted)
    fake_yclients.state.cancel_record(record.id, source="salon")
    after = list(yclients.iter_records(1, RecordsQuery(changed_after=since, with_deleted=True)))
    assert {r.id for r in after} == before | {record.id}
    assert next(r for r in after if r.id == record.id).deleted


def test_goods_sales(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    sales = list(yclients.iter_goods_transactions(1, count=100))
    assert len(sales) == len(fake_yclients.state.goods)
    assert all(s.amount < 0 and s.cost > 0 and s.record_id for s in sales)
    window = list(yclients.iter_goods_transactions(1, start=FAKE_TODAY - timedelta(days=30), end=FAKE_TODAY))
    assert 0 < len(window) < len(sales)


def test_admin_record_lifecycle(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    state = fake_yclients.state
    staff_id, start = free_slot(fake_yclients)
    write = RecordWrite(staff_id, (ServiceLine(1001),), start, 3600, client_phone="+79990001122", client_name="Тест")
    created = yclients.create_record(1, write)
    assert created.datetime == start and created.client and created.client.phone == "+79990001122"
    assert [r.id for r in state.records_created()] == [created.id]
    with pytest.raises(TimeTaken):
        yclients.create_record(1, write)
    later = start + timedelta(hours=1)
    while not state.is_free(staff_id, later, 3600, ignore=created.id):
        later += timedelta(minutes=15)
    moved = yclients.change_record(1, created.id, RecordWrite(staff_id, (ServiceLine(1001),), later, 3600))
    assert moved.datetime == later and state.records_moved() == {created.id: later}
    assert yclients.record(1, created.id).datetime == later
    assert created.visit_id is not None
    yclients.set_attendance(created.visit_id, created.id, 2)
    assert state.records_confirmed() == [created.id]
    yclients.delete_record(1, created.id)
    assert state.records_cancelled() == [created.id]
    assert yclients.record(1, created.id).deleted
    with pytest.raises(NotFound):
        yclients.set_attendance(created.visit_id + 1, created.id, 1)


def test_booking_flow_and_taken_time(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    state = fake_yclients.state
    catalogue = yclients.book_services(1, staff_id=201)
    assert {s.id for s in catalogue.services} == set(state.staff[201].service_ids)
    assert all(s.seance_length > 0 for s in catalogue.services) and catalogue.all_categories()
    masters = yclients.book_staff(1, service_ids=[1001])
    assert {m.id for m in masters} == set(state.staff) and all(m.bookable for m in masters)
    dates = yclients.book_dates(1, staff_id=201, service_ids=[1001], start=TOMORROW, end=TOMORROW + timedelta(7))
    day = dates.dates()[0]
    times = yclients.book_times(1, 201, day, [1001])
    assert [t.datetime for t in times] == state.free_starts(201, day, [1001])
    assert all(t.seance_length == 3600 for t in times)
    slot = times[0].datetime
    assert slot is not None
    booking = Booking("+79990002233", "Анна", (Appointment(1, (1001,), 201, slot),))
    yclients.book_check(1, booking.appointments)
    booked = yclients.book_record(1, booking)
    assert [(b.id, b.record_id) for b in booked] == [(1, state.records_created()[0].id)]
    assert slot not in [t.datetime for t in yclients.book_times(1, 201, day, [1001])]
    with pytest.raises(TimeTaken) as taken:
        yclients.book_check(1, booking.appointments)
    assert taken.value.code == 433
    with pytest.raises(TimeTaken):
        yclients.book_record(1, Booking("+79990003344", "Олег", booking.appointments))
    assert len(state.records_created()) == 1


def test_booking_refusals_are_typed(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    staff_id, slot = free_slot(fake_yclients)
    offered = fake_yclients.state.staff[staff_id].service_ids
    not_offered = next(i for i in fake_yclients.state.services if i not in offered)
    with pytest.raises(NotFound, match="не оказывает"):
        yclients.book_check(1, [Appointment(1, (not_offered,), staff_id, slot)])
    night = datetime.combine(TOMORROW, datetime.min.time(), MSK).replace(hour=3)
    with pytest.raises(TimeTaken):
        yclients.book_check(1, [Appointment(1, (1001,), staff_id, night)])
    pair = [Appointment(1, (1001,), staff_id, slot), Appointment(2, (1001,), staff_id, slot)]
    with pytest.raises(ValidationFailed) as overlap:
        yclients.book_check(1, pair)
    assert overlap.value.code == 437


def test_wrong_company_and_token(fake_yclients: FakeYClients, yclients: YClientsClient) -> None:
    with pytest.raises(NotFound):
        yclients.company(999)
    with pytest.raises(NotFound):
        yclients.staff(999)
    bad = YClientsClient(yclients_config(fake_yclients, user_token="stolen"), Unlimited())
    with pytest.raises(TokenRejected, match="YClients rejected the token"):
        bad.staff(1)
    assert bad.book_staff(1)  # booking endpoints need only the partner token


def test_the_fake_requires_the_documented_headers(fake_yclients: FakeYClients) -> None:
    url = f"{fake_yclients.base_url}/company/1/staff"
    auth = {"Authorization": f"Bearer {fake_yclients.partner_token}, User {fake_yclients.user_token}"}
    assert httpx.get(url, headers=auth).status_code == 400
    ok = httpx.get(url, headers={**auth, "Accept": "application/vnd.yclients.v2+json"})
    assert ok.status_code == 200 and ok.json()["success"] is True


def test_broken_answers_are_malformed_responses(yclients: YClientsClient, fake_yclients: FakeYClients) -> None:
    fake_yclients.faults.fail_next("html_200")
    with pytest.raises(MalformedResponse, match=r"GET /company/\{company_id\}/staff: HTTP 200, not a JSON object"):
        yclients.staff(1)
    fake_yclients.faults.fail_next("no_data")
    with pytest.raises(MalformedResponse, match=r"GET /records/\{company_id\}: the response has no 'data'"):
        yclients.records(1, RecordsQuery())
    assert yclients.staff(1)


SCENARIO = {
    "now": "2026-03-10T12:00",
    "salon": {
        "title": "Барбершоп Культура",
        "timezone": "Europe/Moscow",
        "hours": {"open": "10:00", "close": "21:00"},
        "services": [
            {"id": 101, "title": "Мужская стрижка", "price": 1500, "minutes": 60, "category": "Стрижки"},
            {"id": 102, "title": "Стрижка бороды", "price": 800, "minutes": 30, "category": "Борода"},
        ],
        "staff": [
            {"id": 201, "name": "Сергей", "services": [101, 102]},
            {"id": 202, "name": "Бари", "services": [101], "days_off": ["sun", "mon"]},
        ],
        "records": [
            {
                "id": 9001,
                "phone": "+79990000002",
                "staff": 201,
                "services": [101],
                "start": "2026-03-11T15:00",
            }
        ],
    },
    "client": {"phone": "+79990000001", "name": "Анна"},
}


def test_a_scenario_salon_is_served() -> None:
    with FakeYClients(state_from_scenario(SCENARIO)) as fake:
        client = YClientsClient(yclients_config(fake), Unlimited())
        times = [t.time for t in client.book_times(1, 201, date(2026, 3, 11), [101])]
        assert "15:00" not in times and "14:30" not in times and "14:00" in times and "16:00" in times
        assert times[0] == "10:00" and times[-1] == "20:00"
        assert client.book_times(1, 202, date(2026, 3, 15), [101]) == []  # Sunday off
        assert client.book_times(1, 202, date(2026, 3, 11), [102]) == []  # not his service
        records = list(client.iter_records(1, RecordsQuery(start_date=date(2026, 3, 11), end_date=date(2026, 3, 11))))
        assert [(r.id, r.client.phone if r.client else None) for r in records] == [(9001, "+79990000002")]
        assert [c.name for c in client.find_clients_by_phone(1, "+79990000001")] == ["Анна"]
