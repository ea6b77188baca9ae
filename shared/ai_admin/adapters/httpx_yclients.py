"""The YClients REST API over one httpx connection pool: typed calls, the shared rate limit, retries.

Reads are retried on 429, 5xx, timeouts and the 200-with-"Превышен лимит запросов" variant, with
exponential backoff, jitter and ``Retry-After``. A create whose outcome is unknown (timeout, broken
connection, 5xx) is never re-sent blindly: the client reads back first and re-sends only when the
record is not there, so a lost response cannot produce a duplicate booking.
"""

from __future__ import annotations

import functools
import random
import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ai_admin.domain import deadlines
from ai_admin.observability import logger
from ai_admin.settings import YClientsSettings, secret
from ai_admin.yclients.errors import (
    Forbidden,
    MalformedResponse,
    NotFound,
    RateBudgetExhausted,
    RateLimited,
    TimeTaken,
    TokenRejected,
    Unavailable,
    ValidationFailed,
    YClientsError,
)
from ai_admin.yclients.models import (
    BookDates,
    BookedRecord,
    BookServices,
    BookStaff,
    BookTime,
    ClientSummary,
    Company,
    Envelope,
    GoodsTransaction,
    Page,
    Record,
    Service,
    ServiceCategory,
    Staff,
    StaffSchedule,
)
from ai_admin.yclients.payloads import CLIENT_FIELDS, Appointment, Booking, RecordsQuery, RecordWrite
from ai_admin.yclients.ports import RateLimiter

ACCEPT = "application/vnd.yclients.v2+json"
THROTTLE_MESSAGE = re.compile(r"превышен лимит запросов|rate limit|too many requests", re.IGNORECASE)
SLOT_TAKEN_CODES = frozenset({433})

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


class _OutcomeUnknown(Exception):
    """The request may have been processed: a timeout, a broken connection or a 5xx."""

    def __init__(self, error: YClientsError) -> None:
        super().__init__(str(error))
        self.error = error


def authorization(partner_token: str, user_token: str | None) -> str:
    return f"Bearer {partner_token}, User {user_token}" if user_token else f"Bearer {partner_token}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _yclients_code(body: dict[str, Any]) -> int | None:
    meta = body.get("meta")
    candidates: list[Any] = []
    if isinstance(meta, dict):
        errors = meta.get("errors")
        if isinstance(errors, list):
            candidates += [e.get("code") for e in errors if isinstance(e, dict)]
        candidates.append(meta.get("code"))
    legacy = body.get("errors")
    if isinstance(legacy, dict):
        candidates.append(legacy.get("code"))
    for candidate in candidates:
        if isinstance(candidate, int) or (isinstance(candidate, str) and candidate.isdigit()):
            return int(candidate)
    return None


def _message(body: dict[str, Any], status: int) -> str:
    meta = body.get("meta")
    if isinstance(meta, dict) and meta.get("message"):
        return str(meta["message"])
    legacy = body.get("errors")
    if isinstance(legacy, dict) and legacy.get("message"):
        return str(legacy["message"])
    return f"HTTP {status}"


def unwrap(endpoint: str, response: httpx.Response) -> Envelope | None:  # noqa: PLR0912
    """The response's envelope, or the typed error it stands for; ``None`` for 204 No Content."""
    status = response.status_code
    if status == 204 or (status < 300 and not response.content):
        return None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if status >= 500:
        raise Unavailable(endpoint, f"HTTP {status}")
    if not isinstance(body, dict):
        if status == 429:
            raise RateLimited(endpoint, "HTTP 429", _retry_after(response))
        snippet = response.text[:80].replace("\n", " ")
        raise MalformedResponse(endpoint, f"HTTP {status}, not a JSON object: {snippet!r}")
    message = _message(body, status)
    code = _yclients_code(body)
    if status == 429 or (body.get("success") is False and THROTTLE_MESSAGE.search(message)):
        raise RateLimited(endpoint, message, _retry_after(response))
    failed = status >= 400 or body.get("success") is False or ("success" not in body and "errors" in body)
    if failed:
        kind = status if status >= 400 else (code or status)
        if kind == 401:
            raise TokenRejected(endpoint, f"YClients rejected the token: {message}")
        if kind == 403:
            raise Forbidden(endpoint, message, code)
        if kind == 404:
            raise NotFound(endpoint, message)
        if code in SLOT_TAKEN_CODES or status == 409:
            raise TimeTaken(endpoint, message, code, body.get("meta"))
        raise ValidationFailed(endpoint, message, code, body.get("meta"))
    if "success" not in body:
        raise MalformedResponse(endpoint, "the envelope has no 'success'")
    try:
        return Envelope.model_validate(body)
    except ValidationError as error:
        raise MalformedResponse(endpoint, f"bad envelope: {error.errors()[0]['msg']}") from None


def _data(endpoint: str, envelope: Envelope | None) -> Any:
    if envelope is None or envelope.data is None:
        raise MalformedResponse(endpoint, "the response has no 'data'")
    return envelope.data


def _one(endpoint: str, model: type[M], envelope: Envelope | None) -> M:
    data = _data(endpoint, envelope)
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise MalformedResponse(endpoint, _describe(error)) from None


def _many(endpoint: str, model: type[M], envelope: Envelope | None) -> list[M]:
    data = _data(endpoint, envelope)
    if not isinstance(data, list):
        raise MalformedResponse(endpoint, f"'data' is {type(data).__name__}, expected a list")
    try:
        return [model.model_validate(item) for item in data]
    except ValidationError as error:
        raise MalformedResponse(endpoint, _describe(error)) from None


def _page(endpoint: str, model: type[M], envelope: Envelope | None, page: int) -> Page[M]:
    items = _many(endpoint, model, envelope)
    total = envelope.meta.get("total_count") if envelope is not None else None
    return Page[M](items=items, page=page, total_count=int(total) if isinstance(total, int | str) else None)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{error.error_count()} invalid value(s), first at '{where}': {first['msg']}"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One per process: loading the CA bundle costs ~20 ms of CPU per client otherwise (a thread each, locally)."""
    return httpx.create_ssl_context()


class YClientsClient:
    """One typed method per endpoint; ``company_id`` is the branch (филиал) id."""

    def __init__(
        self,
        config: YClientsSettings,
        limiter: RateLimiter,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._config = config
        self._limiter = limiter
        self._http = http or httpx.Client(
            timeout=config.timeout_s,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            verify=_tls_context(),
        )
        self._base = config.base_url.rstrip("/")
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._headers = {
            "Accept": ACCEPT,
            "Content-Type": "application/json",
            "Authorization": authorization(
                secret(config.partner_token) or "", secret(config.user_token) if config.user_token else None
            ),
        }
        self._lock = threading.Lock()
        self.requests_by_endpoint: Counter[str] = Counter()

    def close(self) -> None:
        self._http.close()

    # --- transport -------------------------------------------------------------------------------

    def _delay(self, attempt: int, error: YClientsError) -> float:
        if isinstance(error, RateLimited) and error.retry_after_s is not None:
            return float(error.retry_after_s)
        ceiling = min(self._config.backoff_cap_s, self._config.backoff_base_s * 2.0**attempt)
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _attempt(self, endpoint: str, method: str, path: str, params: Any, body: Any) -> Envelope | None:
        if deadlines.cap(self._config.timeout_s) <= 0:
            raise Unavailable(endpoint, "no time left for a request")
        self._limiter.acquire()
        timeout = deadlines.cap(self._config.timeout_s)  # the turn's deadline, when there is one
        if timeout <= 0:
            raise Unavailable(endpoint, "no time left for a request")
        with self._lock:
            self.requests_by_endpoint[endpoint] += 1
        try:
            response = self._http.request(
                method, self._base + path, params=params, json=body, headers=self._headers, timeout=timeout
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise Unavailable(endpoint, f"cannot connect: {type(error).__name__}") from None
        except (httpx.TimeoutException, httpx.TransportError) as error:
            raise _OutcomeUnknown(Unavailable(endpoint, f"no response: {type(error).__name__}")) from None
        try:
            return unwrap(endpoint, response)
        except Unavailable as error:
            raise _OutcomeUnknown(error) from None

    def _send(
        self,
        endpoint: str,
        method: str,
        path: str,
        parse: Callable[[Envelope | None], R],
        *,
        params: Any = None,
        body: Any = None,
        idempotent: bool = True,
        read_back: Callable[[], R | None] | None = None,
    ) -> R:
        """Send with retries; a create with an unknown outcome is read back, never re-sent blind."""
        attempt = 0
        while True:
            try:
                return parse(self._attempt(endpoint, method, path, params, body))
            except _OutcomeUnknown as unknown:
                error: YClientsError = unknown.error
                if not idempotent:
                    found = read_back() if read_back is not None else None
                    if found is not None:
                        logger.info("yclients write found by read-back", extra={"endpoint": endpoint})
                        return found
                    if read_back is None:
                        raise Unavailable(endpoint, f"outcome unknown, not re-sent: {error.message}") from None
            except RateBudgetExhausted:
                raise
            except (RateLimited, Unavailable) as caught:
                error = caught
            delay = self._delay(attempt, error)
            if attempt >= self._config.max_retries or deadlines.cap(delay) < delay:
                raise error
            logger.warning(
                "yclients retry",
                extra={
                    "endpoint": endpoint,
                    "attempt": attempt + 1,
                    "error": type(error).__name__,
                    "delay_s": delay,
                },
            )
            self._sleep(delay)
            attempt += 1

    def _get_many(self, endpoint: str, path: str, model: type[M], params: Any = None) -> list[M]:
        return self._send(endpoint, "GET", path, lambda env: _many(endpoint, model, env), params=params)

    def _pages(self, fetch: Callable[[int], Page[M]], *, short_page_ends: bool, page_size: int) -> Iterator[M]:
        page, seen = 1, 0
        while True:
            result = fetch(page)
            yield from result.items
            seen += len(result.items)
            if not result.items:
                return
            if result.total_count is not None and seen >= result.total_count:
                return
            if short_page_ends and result.total_count is None and len(result.items) < page_size:
                return
            page += 1

    # --- company, services, staff, schedules -----------------------------------------------------

    def company(self, company_id: int) -> Company:
        endpoint = "GET /company/{company_id}"
        return self._send(endpoint, "GET", f"/company/{company_id}/", lambda env: _one(endpoint, Company, env))

    def service_categories(self, company_id: int) -> list[ServiceCategory]:
        endpoint = "GET /company/{company_id}/service_categories"
        return self._get_many(endpoint, f"/company/{company_id}/service_categories", ServiceCategory)

    def services(
        self, company_id: int, *, staff_id: int | None = None, category_id: int | None = None
    ) -> list[Service]:
        params = {k: v for k, v in {"staff_id": staff_id, "category_id": category_id}.items() if v is not None}
        endpoint = "GET /company/{company_id}/services"
        return self._get_many(endpoint, f"/company/{company_id}/services", Service, params)

    def staff(self, company_id: int) -> list[Staff]:
        return self._get_many("GET /company/{company_id}/staff", f"/company/{company_id}/staff", Staff)

    def staff_schedules(
        self, company_id: int, start: date, end: date, staff_ids: Sequence[int] = ()
    ) -> list[StaffSchedule]:
        params: list[tuple[str, str]] = [("start_date", start.isoformat()), ("end_date", end.isoformat())]
        params += [("staff_ids[]", str(i)) for i in staff_ids]
        params += [("include[]", "busy_intervals"), ("include[]", "off_day_type")]
        endpoint = "GET /company/{company_id}/staff/schedule"
        return self._get_many(endpoint, f"/company/{company_id}/staff/schedule", StaffSchedule, params)

    # --- clients ---------------------------------------------------------------------------------

    def search_clients(
        self,
        company_id: int,
        page: int = 1,
        page_size: int = 200,
        fields: Sequence[str] = CLIENT_FIELDS,
        filters: Sequence[dict[str, Any]] = (),
    ) -> Page[ClientSummary]:
        endpoint = "POST /company/{company_id}/clients/search"
        body = {
            "page": page,
            "page_size": page_size,
            "fields": list(fields),
            "order_by": "id",
            "order_by_direction": "ASC",
            "operation": "AND",
            "filters": list(filters),
        }
        return self._send(
            endpoint,
            "POST",
            f"/company/{company_id}/clients/search",
            lambda env: _page(endpoint, ClientSummary, env, page),
            body=body,
        )

    def iter_clients(
        self, company_id: int, page_size: int = 200, fields: Sequence[str] = CLIENT_FIELDS
    ) -> Iterator[ClientSummary]:
        return self._pages(
            lambda page: self.search_clients(company_id, page, page_size, fields),
            short_page_ends=True,
            page_size=page_size,
        )

    def find_clients_by_phone(self, company_id: int, phone: str) -> list[ClientSummary]:
        """Clients whose phone is ``phone`` (E.164), via the ``quick_search`` filter."""
        filters = [{"type": "quick_search", "state": {"value": phone.lstrip("+")}}]
        page = self.search_clients(company_id, 1, 50, CLIENT_FIELDS, filters)
        return [client for client in page.items if client.phone == phone]

    # --- records ---------------------------------------------------------------------------------

    def records(self, company_id: int, query: RecordsQuery, page: int = 1, count: int = 200) -> Page[Record]:
        endpoint = "GET /records/{company_id}"
        params = {**query.to_params(), "page": str(page), "count": str(count)}
        return self._send(
            endpoint,
            "GET",
            f"/records/{company_id}",
            lambda env: _page(endpoint, Record, env, page),
            params=params,
        )

    def iter_records(self, company_id: int, query: RecordsQuery, count: int = 200) -> Iterator[Record]:
        return self._pages(
            lambda page: self.records(company_id, query, page, count), short_page_ends=True, page_size=count
        )

    def record(self, company_id: int, record_id: int) -> Record:
        endpoint = "GET /record/{company_id}/{record_id}"
        return self._send(endpoint, "GET", f"/record/{company_id}/{record_id}", lambda env: _one(endpoint, Record, env))

    def _records_at(self, company_id: int, staff_id: int, start: datetime) -> list[Record]:
        day = start.date()
        query = RecordsQuery(start_date=day, end_date=day, staff_id=staff_id)
        return [
            r
            for r in self.iter_records(company_id, query)
            if r.datetime is not None and r.datetime == start and not r.deleted
        ]

    def create_record(self, company_id: int, record: RecordWrite) -> Record:
        endpoint = "POST /records/{company_id}"

        def read_back() -> Record | None:
            for found in self._records_at(company_id, record.staff_id, record.start):
                phone = found.client.phone if found.client else None
                if phone == record.client_phone and {s.id for s in found.services} >= {s.id for s in record.services}:
                    return found
            return None

        return self._send(
            endpoint,
            "POST",
            f"/records/{company_id}",
            lambda env: _one(endpoint, Record, env),
            body=record.to_json(),
            idempotent=False,
            read_back=read_back,
        )

    def change_record(self, company_id: int, record_id: int, record: RecordWrite) -> Record:
        endpoint = "PUT /record/{company_id}/{record_id}"
        return self._send(
            endpoint,
            "PUT",
            f"/record/{company_id}/{record_id}",
            lambda env: _one(endpoint, Record, env),
            body=record.to_json(),
        )

    def delete_record(self, company_id: int, record_id: int) -> None:
        endpoint = "DELETE /record/{company_id}/{record_id}"
        self._send(endpoint, "DELETE", f"/record/{company_id}/{record_id}", lambda env: None)

    def set_attendance(self, visit_id: int, record_id: int, attendance: int, comment: str = "") -> None:
        """2 confirmed, 1 came, 0 waiting, -1 did not come."""
        if attendance not in (-1, 0, 1, 2):
            raise ValueError(f"attendance must be -1, 0, 1 or 2, not {attendance}")
        endpoint = "PUT /visits/{visit_id}/{record_id}"
        self._send(
            endpoint,
            "PUT",
            f"/visits/{visit_id}/{record_id}",
            lambda env: None,
            body={"attendance": attendance, "comment": comment},
        )

    # --- goods -----------------------------------------------------------------------------------

    def goods_transactions(
        self,
        company_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        page: int = 1,
        count: int = 100,
        changed_after: datetime | None = None,
    ) -> Page[GoodsTransaction]:
        endpoint = "GET /storages/transactions/{company_id}"
        params = {"page": str(page), "count": str(count)}
        if start:
            params["start_date"] = start.isoformat()
        if end:
            params["end_date"] = end.isoformat()
        if changed_after:
            params["changed_after"] = changed_after.isoformat(timespec="seconds")
        return self._send(
            endpoint,
            "GET",
            f"/storages/transactions/{company_id}",
            lambda env: _page(endpoint, GoodsTransaction, env, page),
            params=params,
        )

    def iter_goods_transactions(
        self, company_id: int, start: date | None = None, end: date | None = None, count: int = 100
    ) -> Iterator[GoodsTransaction]:
        # meta is [] here: only an empty page proves the end.
        return self._pages(
            lambda page: self.goods_transactions(company_id, start=start, end=end, page=page, count=count),
            short_page_ends=False,
            page_size=count,
        )

    # --- online booking --------------------------------------------------------------------------

    def book_services(self, company_id: int, staff_id: int | None = None) -> BookServices:
        endpoint = "GET /book_services/{company_id}"
        params = {"staff_id": str(staff_id)} if staff_id is not None else None
        return self._send(
            endpoint,
            "GET",
            f"/book_services/{company_id}",
            lambda env: _one(endpoint, BookServices, env),
            params=params,
        )

    def book_staff(self, company_id: int, service_ids: Sequence[int] = ()) -> list[BookStaff]:
        params = [("service_ids[]", str(i)) for i in service_ids]
        return self._get_many("GET /book_staff/{company_id}", f"/book_staff/{company_id}", BookStaff, params)

    def book_dates(
        self,
        company_id: int,
        staff_id: int | None = None,
        service_ids: Sequence[int] = (),
        start: date | None = None,
        end: date | None = None,
    ) -> BookDates:
        endpoint = "GET /book_dates/{company_id}"
        params: list[tuple[str, str]] = [("service_ids[]", str(i)) for i in service_ids]
        if staff_id is not None:
            params.append(("staff_id", str(staff_id)))
        if start:
            params.append(("date_from", start.isoformat()))
        if end:
            params.append(("date_to", end.isoformat()))
        return self._send(
            endpoint,
            "GET",
            f"/book_dates/{company_id}",
            lambda env: _one(endpoint, BookDates, env),
            params=params,
        )

    def book_times(self, company_id: int, staff_id: int, day: date, service_ids: Sequence[int] = ()) -> list[BookTime]:
        params = [("service_ids[]", str(i)) for i in service_ids]
        return self._get_many(
            "GET /book_times/{company_id}/{staff_id}/{date}",
            f"/book_times/{company_id}/{staff_id}/{day.isoformat()}",
            BookTime,
            params,
        )

    def book_check(self, company_id: int, appointments: Sequence[Appointment]) -> None:
        """Returns when every appointment is bookable; raises ``TimeTaken`` (433) or ``ValidationFailed``."""
        self._send(
            "POST /book_check/{company_id}",
            "POST",
            f"/book_check/{company_id}",
            lambda env: None,
            body={"appointments": [a.to_json() for a in appointments]},
        )

    def book_record(self, company_id: int, booking: Booking) -> list[BookedRecord]:
        endpoint = "POST /book_record/{company_id}"

        def read_back() -> list[BookedRecord] | None:
            found: list[BookedRecord] = []
            for appointment in booking.appointments:
                matches = [
                    r
                    for r in self._records_at(company_id, appointment.staff_id, appointment.start)
                    if r.client is not None and r.client.phone == booking.phone
                ]
                if matches:
                    found.append(BookedRecord(id=appointment.id, record_id=matches[0].id))
            if found and len(found) < len(booking.appointments):
                raise Unavailable(endpoint, "booking partly created; not re-sent")
            return found or None

        return self._send(
            endpoint,
            "POST",
            f"/book_record/{company_id}",
            lambda env: _many(endpoint, BookedRecord, env),
            body=booking.to_json(),
            idempotent=False,
            read_back=read_back,
        )
