"""Retries under injected faults, and writes whose response was lost: read back, never duplicated."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.local.fake_yclients import FakeYClients
from ai_admin.yclients.errors import RateLimited, Unavailable
from ai_admin.yclients.payloads import Appointment, Booking, RecordWrite, ServiceLine
from tests.conftest import FAKE_TODAY, Unlimited, yclients_config

STAFF = "GET /company/{company_id}/staff"
BOOK = "POST /book_record/{company_id}"
CREATE = "POST /records/{company_id}"


def client(fake: FakeYClients, delays: list[float] | None = None, **overrides: object) -> YClientsClient:
    sleep = delays.append if delays is not None else (lambda _: None)
    return YClientsClient(yclients_config(fake, timeout_s=0.5, **overrides), Unlimited(), sleep=sleep)


def booking(fake: FakeYClients) -> Booking:
    day = FAKE_TODAY + timedelta(days=1)
    staff_id, start = next((s, t[0]) for s in sorted(fake.state.staff) if (t := fake.state.free_starts(s, day, [1001])))
    return Booking("+79995554433", "Кира", (Appointment(1, (1001,), staff_id, start),))


@pytest.mark.parametrize("kind", ["500", "502_html", "timeout", "drop", "429", "throttle_200", "500_after"])
def test_reads_are_retried_through_each_fault(fake_yclients: FakeYClients, kind: str) -> None:
    fake_yclients.faults.hang_s = 1.0
    fake_yclients.faults.fail_next(kind, times=2, endpoint=STAFF)
    delays: list[float] = []
    assert len(client(fake_yclients, delays).staff(1)) == 8
    assert fake_yclients.requests_by_endpoint()[STAFF] == 3
    assert len(delays) == 2 and delays[1] > 0


def test_backoff_grows_and_gives_up(fake_yclients: FakeYClients) -> None:
    fake_yclients.faults.fail_next("500", times=10, endpoint=STAFF)
    delays: list[float] = []
    with pytest.raises(Unavailable, match="HTTP 500"):
        client(fake_yclients, delays, backoff_base_s=1.0, backoff_cap_s=30.0, max_retries=4).staff(1)
    assert fake_yclients.requests_by_endpoint()[STAFF] == 5
    assert [0.5 <= delays[0] <= 1, 1 <= delays[1] <= 2, 2 <= delays[2] <= 4, 4 <= delays[3] <= 8] == [True] * 4


def test_retry_after_is_honoured(fake_yclients: FakeYClients) -> None:
    fake_yclients.limits.retry_after_s = 3
    fake_yclients.faults.fail_next("429", endpoint=STAFF)
    delays: list[float] = []
    client(fake_yclients, delays).staff(1)
    assert delays == [3.0]


def test_a_429_storm_ends_in_rate_limited(fake_yclients: FakeYClients) -> None:
    fake_yclients.faults.storm_429(seconds=30)
    with pytest.raises(RateLimited, match="Превышен лимит запросов"):
        client(fake_yclients, max_retries=3).staff(1)
    assert fake_yclients.requests_by_endpoint()[STAFF] == 4


def test_the_200_throttle_variant_is_not_mistaken_for_data(fake_yclients: FakeYClients) -> None:
    fake_yclients.limits.mode = "200"
    fake_yclients.faults.storm_429(seconds=30)
    with pytest.raises(RateLimited):
        client(fake_yclients, max_retries=1).book_times(1, 201, FAKE_TODAY + timedelta(days=1), [1001])


@pytest.mark.parametrize("kind", ["drop", "timeout", "500_after"])
def test_a_booking_whose_response_was_lost_is_read_back(fake_yclients: FakeYClients, kind: str) -> None:
    fake_yclients.faults.hang_s = 1.0
    fake_yclients.faults.fail_next(kind, endpoint=BOOK)
    wanted = booking(fake_yclients)
    booked = client(fake_yclients).book_record(1, wanted)
    created = fake_yclients.state.records_created()
    assert len(created) == 1 and [b.record_id for b in booked] == [created[0].id]
    assert created[0].start == wanted.appointments[0].start
    assert fake_yclients.requests_by_endpoint()[BOOK] == 1


@pytest.mark.parametrize("kind", ["500", "429", "throttle_200"])
def test_a_booking_that_did_not_happen_is_sent_again(fake_yclients: FakeYClients, kind: str) -> None:
    fake_yclients.faults.fail_next(kind, endpoint=BOOK)
    booked = client(fake_yclients).book_record(1, booking(fake_yclients))
    assert [r.id for r in fake_yclients.state.records_created()] == [booked[0].record_id]
    assert fake_yclients.requests_by_endpoint()[BOOK] == 2


def test_a_created_record_whose_response_was_lost_is_read_back(fake_yclients: FakeYClients) -> None:
    fake_yclients.faults.fail_next("drop", endpoint=CREATE)
    wanted = booking(fake_yclients).appointments[0]
    write = RecordWrite(wanted.staff_id, (ServiceLine(1001),), wanted.start, 3600, client_phone="+79995554433")
    record = client(fake_yclients).create_record(1, write)
    assert [r.id for r in fake_yclients.state.records_created()] == [record.id]
    assert fake_yclients.requests_by_endpoint()[CREATE] == 1


def test_idempotent_writes_are_retried(fake_yclients: FakeYClients) -> None:
    endpoint = "PUT /visits/{visit_id}/{record_id}"
    now = fake_yclients.state.now()
    record = next(r for r in fake_yclients.state.records.values() if r.start > now and r.attendance == 0)
    fake_yclients.faults.fail_next("500_after", endpoint=endpoint)
    client(fake_yclients).set_attendance(record.visit_id, record.id, 2)  # PUT is idempotent: retried
    assert fake_yclients.requests_by_endpoint()[endpoint] == 2
    assert fake_yclients.state.records_confirmed() == [record.id]
