"""The lenient models read every documented response shape, quirks included (our own sample files)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from ai_admin.adapters.httpx_yclients import unwrap
from ai_admin.yclients import errors
from ai_admin.yclients.models import (
    BookDates,
    BookedRecord,
    BookServices,
    BookStaff,
    BookTime,
    ClientSummary,
    Company,
    GoodsTransaction,
    Record,
    Service,
    ServiceCategory,
    Staff,
    StaffSchedule,
)

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "yclients"
RESPONSES: dict[str, Any] = json.loads((SAMPLES / "responses.json").read_text(encoding="utf-8"))
ERRORS: dict[str, Any] = json.loads((SAMPLES / "errors.json").read_text(encoding="utf-8"))
MSK = timezone(timedelta(hours=3))

MODELS: dict[str, Any] = {
    "company": Company,
    "service_categories": [ServiceCategory],
    "services": [Service],
    "staff": [Staff],
    "staff_schedule": [StaffSchedule],
    "clients_search": [ClientSummary],
    "records": [Record],
    "record": Record,
    "goods_transactions": [GoodsTransaction],
    "book_services": BookServices,
    "book_services_categories": BookServices,
    "book_staff": [BookStaff],
    "book_dates_unix": BookDates,
    "book_dates_text": BookDates,
    "book_times_unix": [BookTime],
    "book_times_iso": [BookTime],
    "book_record": [BookedRecord],
}


def response(
    status: int, body: Any = None, text: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request("GET", "https://api.yclients.test/api/v1/records/1")
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def parse(name: str) -> Any:
    envelope = unwrap("GET /sample", response(200, RESPONSES[name]))
    assert envelope is not None
    model = MODELS[name]
    if isinstance(model, list):
        return [model[0].model_validate(item) for item in envelope.data]
    return model.model_validate(envelope.data)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_sample_parses(name: str) -> None:
    assert parse(name)


def test_every_sample_has_a_model() -> None:
    assert set(RESPONSES) - {"_about", "book_check"} == set(MODELS)


def test_catalogue_strings_become_numbers_and_money() -> None:
    services = parse("services")
    assert services[0].id == 70011 and services[0].category_id == 610
    assert services[1].price_min == Decimal("750.50") and services[1].active is False
    assert [(link.id, link.seance_length) for link in services[1].staff] == [(3101, 1800), (3102, 2700)]
    staff = parse("staff")
    assert staff[1].position is None and staff[1].fired and staff[1].hidden


def test_record_quirks() -> None:
    first, marker = parse("records")
    assert first.visit_id == 770017
    assert first.datetime == datetime(2026, 3, 11, 11, tzinfo=MSK)
    assert first.date == datetime(2026, 3, 11, 11)  # naive: salon wall time
    assert first.create_date == datetime(2026, 3, 1, 9, 12, 44, tzinfo=MSK)  # "+0300" without a colon
    assert first.client is not None and first.client.phone == "+79271112233"
    assert first.record_labels[0].id == 301 and first.custom_fields == {}
    assert first.finance_transactions[0].amount == Decimal("900.00")
    assert first.goods_transactions[0].cost_per_unit == Decimal("600.00")
    assert marker.client is None and marker.deleted and marker.attendance == -1
    assert marker.visit_id == 0 and marker.custom_fields == {"source": "walk-in"}
    changed = parse("record")
    assert changed.datetime == datetime(2026, 3, 12, 17) and changed.services[0].cost == Decimal("675.45")


def test_client_phones_and_empty_dates() -> None:
    numeric, formatted, trunk, empty = parse("clients_search")
    assert numeric.phone == "+79271112233" and numeric.sold_amount == Decimal("15400.5")
    assert numeric.last_visit_date == datetime(2026, 2, 20, 18, 30, tzinfo=MSK)
    assert formatted.phone == "+79274445566" and formatted.id == 42
    assert formatted.first_visit_date is None and formatted.last_visit_date is None
    assert trunk.phone == "+79270001122"
    assert empty.phone is None


def test_booking_dates_and_times_in_both_forms() -> None:
    assert parse("book_dates_unix").dates() == [date(2026, 3, 11), date(2026, 3, 12)]
    assert parse("book_dates_text").dates() == [date(2026, 3, 11)]
    unix = parse("book_times_unix")
    assert unix[0].datetime == datetime(2026, 3, 11, 7, tzinfo=UTC)
    assert parse("book_times_iso")[0].datetime == datetime(2026, 3, 11, 16, tzinfo=MSK)
    staff = parse("book_staff")
    assert staff[0].id == 3101 and staff[0].seance_date == date(2026, 3, 11) and staff[1].position is None
    assert parse("book_services").all_categories()[0].id == 610
    assert parse("book_services_categories").all_categories()[0].id == 620


def test_goods_transaction_money_strings_and_empty_objects() -> None:
    sale, tap = parse("goods_transactions")
    assert sale.cost == Decimal("540.00") and sale.master is not None and sale.master.id == 3101
    assert sale.client is not None and sale.client.phone == "+79271112233"
    assert tap.amount == Decimal("-0.5") and tap.master is None and tap.client is None
    assert tap.create_date is not None and tap.create_date.tzinfo is not None


def test_envelope_without_data_is_accepted_for_book_check() -> None:
    envelope = unwrap("POST /book_check", response(201, RESPONSES["book_check"]))
    assert envelope is not None and envelope.data is None and envelope.meta["message"] == "Created"


def test_no_content_is_none() -> None:
    assert unwrap("DELETE /record", httpx.Response(204, request=httpx.Request("DELETE", "https://x/"))) is None


@pytest.mark.parametrize("name", sorted(k for k in ERRORS if not k.startswith("_")))
def test_error_shapes_map_to_typed_errors(name: str) -> None:
    case = ERRORS[name]
    reply = response(case["status"], case.get("body"), case.get("text"), case.get("headers"))
    with pytest.raises(errors.YClientsError) as caught:
        unwrap("GET /records/{company_id}", reply)
    assert type(caught.value).__name__ == case["error"]
    assert caught.value.endpoint == "GET /records/{company_id}"
    assert str(caught.value).startswith("GET /records/{company_id}: ")
    if "code" in case:
        assert caught.value.code == case["code"]  # type: ignore[attr-defined]


def test_token_rejection_says_so() -> None:
    with pytest.raises(errors.TokenRejected, match="YClients rejected the token"):
        unwrap("GET /company/{company_id}", response(401, ERRORS["unauthorized"]["body"]))


def test_retry_after_is_read() -> None:
    case = ERRORS["throttled_429"]
    with pytest.raises(errors.RateLimited) as caught:
        unwrap("GET /x", response(429, case["body"], headers=case["headers"]))
    assert caught.value.retry_after_s == 2


def test_wrong_types_fail_loudly() -> None:
    bad = dict(RESPONSES["records"]["data"][0], id="abc")
    with pytest.raises(ValidationError):
        Record.model_validate(bad)
    with pytest.raises(ValidationError):
        Record.model_validate(dict(RESPONSES["records"]["data"][0], services={"id": 1}))
