"""A real HTTP server playing YClients under ``/api/v1``: the endpoints we use, their shapes and
quirks, token checks, the official rate limits (429 or the 200 variant), latency and fault injection,
and a request log tests and benchmarks read."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ai_admin.local.fake_yclients import render
from ai_admin.local.fake_yclients.state import SalonState, SlotUnavailable
from ai_admin.yclients.parsing import parse_phone, parse_timestamp

API_PREFIX = "/api/v1"
ACCEPTED = ("application/vnd.yclients.v2+json", "application/vnd.api.v2+json")
THROTTLED = "Превышен лимит запросов"
SLOT_TAKEN = "Выбранное время уже занято или является нерабочим."


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: int | None = None, **meta: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.meta = status, message, code, meta

    def body(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"message": self.message, **self.meta}
        if self.code is not None:
            meta["errors"] = [{"code": self.code, "message": self.message}]
        return {"success": False, "data": None, "meta": meta}


@dataclass(frozen=True)
class LoggedRequest:
    at: float  # time.monotonic() on arrival
    method: str
    endpoint: str
    status: int
    throttled: bool
    client_ip: str


@dataclass
class Limits:
    per_second: int = 5
    per_minute: int = 200
    minute_s: float = 60.0
    enabled: bool = True
    mode: str = "429"  # or "200": success false with "Превышен лимит запросов" on HTTP 200
    retry_after_s: int | None = None


@dataclass
class Faults:
    """Runtime-settable: rates apply to every request, ``fail_next`` queues one-shot faults.

    Kinds: ``500`` / ``502_html`` (not processed), ``500_after`` (processed, then 500), ``timeout``
    (processed, answered after ``hang_s``), ``drop`` (processed, connection closed unanswered),
    ``429`` and ``throttle_200``, and broken answers: ``html_200`` (a maintenance page), ``no_data``.
    """

    latency_s: float = 0.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_s: float = 3.0
    storm_until: float = 0.0
    queued: list[tuple[str, str | None]] = field(default_factory=list)

    def fail_next(self, kind: str, times: int = 1, endpoint: str | None = None) -> None:
        self.queued.extend([(kind, endpoint)] * times)

    def storm_429(self, seconds: float) -> None:
        self.storm_until = time.monotonic() + seconds

    def clear(self) -> None:
        self.latency_s = self.error_rate = self.timeout_rate = 0.0
        self.storm_until = 0.0
        self.queued.clear()


Handler = Callable[["Request"], tuple[int, Any]]


@dataclass
class Request:
    method: str
    params: dict[str, list[str]]
    body: Any
    path_args: dict[str, str]

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default

    def many(self, name: str) -> list[str]:
        return self.params.get(f"{name}[]", []) + self.params.get(name, [])


PARTNER_ONLY = ("book_",)


class FakeYClients:
    """``start()`` binds 127.0.0.1; ``state``, ``limits`` and ``faults`` may be changed while it runs."""

    def __init__(
        self,
        state: SalonState,
        *,
        port: int = 0,
        partner_token: str = "local-partner-token",  # noqa: S107 - the local stack's test token
        user_token: str = "local-user-token",  # noqa: S107
        limits: Limits | None = None,
        seed: int = 1,
        on_write: Callable[[], None] | None = None,
    ) -> None:
        self.state = state
        self.on_write = on_write  # called after every write request the fake accepted
        self.partner_token, self.user_token = partner_token, user_token
        self.limits = limits or Limits()
        self.faults = Faults()
        self.request_log: list[LoggedRequest] = []
        self._admitted: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._rng = random.Random(seed)  # noqa: S311 - fault sampling, not security
        self._routes = self._build_routes()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def start(self) -> FakeYClients:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-yclients", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeYClients:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- assert-friendly views -------------------------------------------------------------------

    def requests_by_endpoint(self) -> Counter[str]:
        with self._lock:
            return Counter(entry.endpoint for entry in self.request_log)

    def clear_log(self) -> None:
        with self._lock:
            self.request_log.clear()
            self._admitted.clear()

    def max_in_window(self, seconds: float) -> int:
        """The most admitted requests whose arrivals fit in any window of ``seconds``."""
        with self._lock:
            times = sorted(e.at for e in self.request_log if not e.throttled)
        best = 0
        for i, start in enumerate(times):
            best = max(best, bisect_right(times, start + seconds - 1e-9) - i)
        return best

    # --- request pipeline ------------------------------------------------------------------------

    def _throttle(self, ip: str, now: float) -> bool:
        limits = self.limits
        if now < self.faults.storm_until:
            return True
        if not limits.enabled:
            return False
        with self._lock:
            admitted = self._admitted.setdefault(ip, [])
            horizon = now - max(limits.minute_s, 1.0)
            while admitted and admitted[0] <= horizon:
                admitted.pop(0)
            last_second = len(admitted) - bisect_right(admitted, now - 1.0)
            last_minute = len(admitted) - bisect_right(admitted, now - limits.minute_s)
            if last_second >= limits.per_second or last_minute >= limits.per_minute:
                return True
            admitted.append(now)
            return False

    def _next_fault(self, endpoint: str) -> str | None:
        faults = self.faults
        with self._lock:
            for index, (kind, only) in enumerate(faults.queued):
                if only is None or only == endpoint:
                    del faults.queued[index]
                    return kind
            roll = self._rng.random()
        if roll < faults.error_rate:
            return "500"
        if roll < faults.error_rate + faults.timeout_rate:
            return "timeout"
        return None

    def _route(self, method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
        for route_method, pattern, endpoint, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return endpoint, handler, match.groupdict()
        return None

    def handle(self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes, ip: str) -> _Reply:
        arrived = time.monotonic()
        split = urlsplit(raw_path)
        path = split.path[len(API_PREFIX) :] if split.path.startswith(API_PREFIX) else None
        found = self._route(method, path.rstrip("/") or "/") if path is not None else None
        endpoint = found[0] if found else f"{method} (unknown)"
        reply = self._reply(method, endpoint, found, split.query, headers, raw_body, ip, arrived)
        with self._lock:
            self.request_log.append(LoggedRequest(arrived, method, endpoint, reply.status, reply.throttled, ip))
        if self.on_write is not None and method != "GET" and 200 <= reply.status < 300:
            self.on_write()
        if reply.hang_s:
            time.sleep(reply.hang_s)  # processed and logged; the answer comes too late
        return reply

    def _reply(  # noqa: PLR0911, PLR0912, PLR0917 - the request pipeline, one exit per outcome
        self,
        method: str,
        endpoint: str,
        found: tuple[str, Handler, dict[str, str]] | None,
        query: str,
        headers: dict[str, str],
        raw_body: bytes,
        ip: str,
        arrived: float,
    ) -> _Reply:
        if found is None:
            return _Reply.error(ApiError(404, "Ресурс не найден"))
        if not any(kind in headers.get("accept", "") for kind in ACCEPTED):
            return _Reply.error(ApiError(400, "Укажите заголовок Accept: application/vnd.yclients.v2+json"))
        if not self._authorized(endpoint, headers.get("authorization", "")):
            return _Reply.error(ApiError(401, "Необходима авторизация"))
        if self._throttle(ip, arrived):
            return self._throttled()
        fault = self._next_fault(endpoint)
        if fault in ("429", "throttle_200"):
            return self._throttled("200" if fault == "throttle_200" else "429")
        if fault == "500":
            return _Reply.error(ApiError(500, "Internal Server Error"))
        if fault == "502_html":
            return _Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        if fault == "html_200":
            return _Reply(200, "<html><body>Технические работы</body></html>".encode(), "text/html")
        if fault == "no_data":
            return _Reply.json(200, {"success": True, "meta": []})
        if self.faults.latency_s:
            time.sleep(self.faults.latency_s)
        _, handler, path_args = found
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            return _Reply.error(ApiError(400, "Некорректный JSON"))
        try:
            status, payload = handler(Request(method, parse_qs(query), body, path_args))
            reply = _Reply.json(status, payload) if status != 204 else _Reply(204, b"", "")
        except ApiError as error:
            reply = _Reply.error(error)
        if fault == "500_after":
            return _Reply.error(ApiError(500, "Internal Server Error"))
        if fault == "timeout":
            reply.hang_s = self.faults.hang_s
        if fault == "drop":
            return _Reply(0, b"", "")
        return reply

    def _authorized(self, endpoint: str, header: str) -> bool:
        match = re.fullmatch(r"Bearer (\S+?)(?:, User (\S+))?", header.strip())
        if not match or match[1] != self.partner_token:
            return False
        partner_only = endpoint.split(" ", 1)[1].lstrip("/").startswith(PARTNER_ONLY)
        return partner_only or match[2] == self.user_token

    def _throttled(self, mode: str | None = None) -> _Reply:
        body = {"success": False, "data": None, "meta": {"message": THROTTLED}}
        reply = _Reply.json(200 if (mode or self.limits.mode) == "200" else 429, body)
        reply.throttled = True
        if self.limits.retry_after_s is not None and reply.status == 429:
            reply.headers["Retry-After"] = str(self.limits.retry_after_s)
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = fake.handle(self.command, self.path, headers, raw, self.client_address[0])
                if reply.status == 0:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                try:
                    self.wfile.write(reply.content)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return _Handler

    # --- endpoints -------------------------------------------------------------------------------

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], str, Handler]]:
        cid = r"(?P<cid>\d+)"
        table: list[tuple[str, str, str, Handler]] = [
            ("GET", f"/company/{cid}", "/company/{company_id}", self._company),
            (
                "GET",
                f"/company/{cid}/service_categories(?:/(?P<id>\\d+))?",
                "/company/{company_id}/service_categories",
                self._categories,
            ),
            (
                "GET",
                f"/company/{cid}/services(?:/(?P<id>\\d+))?",
                "/company/{company_id}/services",
                self._services,
            ),
            ("GET", f"/company/{cid}/staff/schedule", "/company/{company_id}/staff/schedule", self._schedule),
            ("GET", f"/company/{cid}/staff(?:/(?P<id>\\d+))?", "/company/{company_id}/staff", self._staff),
            (
                "POST",
                f"/company/{cid}/clients/search",
                "/company/{company_id}/clients/search",
                self._clients_search,
            ),
            ("GET", f"/records/{cid}", "/records/{company_id}", self._records),
            ("POST", f"/records/{cid}", "/records/{company_id}", self._create_record),
            ("GET", f"/record/{cid}/(?P<rid>\\d+)", "/record/{company_id}/{record_id}", self._record),
            ("PUT", f"/record/{cid}/(?P<rid>\\d+)", "/record/{company_id}/{record_id}", self._change_record),
            (
                "DELETE",
                f"/record/{cid}/(?P<rid>\\d+)",
                "/record/{company_id}/{record_id}",
                self._delete_record,
            ),
            ("PUT", r"/visits/(?P<vid>\d+)/(?P<rid>\d+)", "/visits/{visit_id}/{record_id}", self._attendance),
            ("GET", f"/storages/transactions/{cid}", "/storages/transactions/{company_id}", self._goods),
            ("GET", f"/book_services/{cid}", "/book_services/{company_id}", self._book_services),
            ("GET", f"/book_staff/{cid}", "/book_staff/{company_id}", self._book_staff),
            ("GET", f"/book_dates/{cid}", "/book_dates/{company_id}", self._book_dates),
            (
                "GET",
                f"/book_times/{cid}/(?P<sid>\\d+)/(?P<day>[\\d-]+)",
                "/book_times/{company_id}/{staff_id}/{date}",
                self._book_times,
            ),
            ("POST", f"/book_check/{cid}", "/book_check/{company_id}", self._book_check),
            ("POST", f"/book_record/{cid}", "/book_record/{company_id}", self._book_record),
        ]
        return [(m, re.compile(p), f"{m} {name}", h) for m, p, name, h in table]

    def _company_of(self, request: Request) -> None:
        if int(request.path_args.get("cid", "0")) != self.state.company.id:
            raise ApiError(404, "Филиал не найден.")

    def _company(self, request: Request) -> tuple[int, Any]:
        if int(request.path_args["cid"]) != self.state.company.id:
            # Company endpoints answer 404 in the legacy shape: no "success", an "errors" object.
            raise _LegacyError(404, "Филиал не найден.")
        return 200, {"success": True, "data": render.company(self.state), "meta": {}}

    def _categories(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        ids = [int(request.path_args["id"])] if request.path_args.get("id") else sorted(self.state.categories)
        data = [render.category(self.state, i) for i in ids if i in self.state.categories]
        return 200, {"success": True, "data": data, "meta": {"total_count": len(data)}}

    def _services(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        items = sorted(self.state.services.values(), key=lambda s: s.id)
        if request.path_args.get("id"):
            items = [s for s in items if s.id == int(request.path_args["id"])]
            if not items:
                raise ApiError(404, "Услуга не найдена.")
        if request.arg("category_id"):
            items = [s for s in items if s.category_id == int(request.arg("category_id") or 0)]
        if request.arg("staff_id"):
            member = self.state.staff.get(int(request.arg("staff_id") or 0))
            items = [s for s in items if member is not None and s.id in member.service_ids]
        data = [render.service(self.state, s) for s in items]
        return 200, {"success": True, "data": data, "meta": {"total_count": len(data)}}

    def _staff(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        members = sorted(self.state.staff.values(), key=lambda s: s.id)
        if request.path_args.get("id"):
            members = [m for m in members if m.id == int(request.path_args["id"])]
            if not members:
                raise ApiError(404, "Сотрудник не найден.")
        data = [render.staff(m, self.state.company.id) for m in members]
        return 200, {"success": True, "data": data, "meta": {"total_count": len(data)}}

    def _schedule(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        start, end = _date_arg(request, "start_date"), _date_arg(request, "end_date")
        if start is None or end is None or end < start:
            raise ApiError(422, "Укажите start_date и end_date", errors={"start_date": ["required"]})
        if (end - start).days > 93:
            raise ApiError(422, "Слишком большой период")
        wanted = {int(i) for i in request.many("staff_ids")}
        busy = "busy_intervals" in request.many("include")
        data = []
        for member in sorted(self.state.staff.values(), key=lambda s: s.id):
            if (wanted and member.id not in wanted) or member.fired:
                continue
            day = start
            while day <= end:
                data.append(render.schedule(self.state, member, day, busy))
                day += timedelta(days=1)
        return 200, {"success": True, "data": data, "meta": {"count": len(data)}}

    def _clients_search(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        body = request.body if isinstance(request.body, dict) else {}
        page = max(1, int(body.get("page") or 1))
        size = min(200, max(1, int(body.get("page_size") or 25)))  # larger pages are cut to 200
        fields = list(body.get("fields") or ["id"])
        with self.state.lock:
            clients = list(self.state.clients.values())
        for item in body.get("filters") or []:
            clients = _filter_clients(clients, item)
        order = body.get("order_by") or "id"
        if order not in ("id", "name"):
            raise ApiError(400, "Недопустимое поле сортировки", errors={"order_by": ["invalid"]})
        clients.sort(key=lambda c: (c.name, c.id) if order == "name" else (c.id, ""))
        if str(body.get("order_by_direction", "ASC")).upper() == "DESC":
            clients.reverse()
        chunk = clients[(page - 1) * size : page * size]
        stats = render.client_stats(self.state) if set(fields) - {"id", "name", "phone", "email", "discount"} else {}
        data = [render.client_row(c, stats.get(c.id), fields) for c in chunk]
        return 200, {"success": True, "data": data, "meta": {"total_count": len(clients)}}

    def _records(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        page = max(1, int(request.arg("page", "1") or 1))
        count = min(1000, max(1, int(request.arg("count", "25") or 25)))
        start, end = _date_arg(request, "start_date"), _date_arg(request, "end_date")
        after, before = (
            self._moment_arg(request, "changed_after"),
            self._moment_arg(request, "changed_before"),
        )
        with_deleted = request.arg("with_deleted") in ("1", "true")
        client_id, staff_id = request.arg("client_id"), request.arg("staff_id")
        with self.state.lock:
            records = list(self.state.records.values())
        found = [
            r
            for r in records
            if (with_deleted or not r.deleted)
            and (start is None or r.start.date() >= start)
            and (end is None or r.start.date() <= end)
            and (after is None or r.changed_at >= after)
            and (before is None or r.changed_at <= before)
            and (client_id is None or r.client_id == int(client_id))
            and (staff_id is None or r.staff_id == int(staff_id))
        ]
        found.sort(key=lambda r: (r.start, r.id))
        finance = request.arg("include_finance_transactions") == "1"
        data = [render.record(self.state, r, finance=finance) for r in found[(page - 1) * count : page * count]]
        return 200, {"success": True, "data": data, "meta": {"page": page, "total_count": len(found)}}

    def _existing(self, request: Request) -> Any:
        self._company_of(request)
        record = self.state.records.get(int(request.path_args["rid"]))
        if record is None:
            raise ApiError(404, "Запись не найдена")
        return record

    def _record(self, request: Request) -> tuple[int, Any]:
        record = self._existing(request)
        return 200, {"success": True, "data": render.record(self.state, record), "meta": []}

    def _record_body(self, request: Request) -> dict[str, Any]:
        if not isinstance(request.body, dict):
            raise ApiError(422, "Пустой запрос")
        return request.body

    def _create_record(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        body = self._record_body(request)
        staff_id = _int(body.get("staff_id"), "staff_id")
        service_ids = [_int(s.get("id") if isinstance(s, dict) else s, "services") for s in body.get("services") or []]
        self._check_staff_services(staff_id, service_ids)
        start = self._moment(body.get("datetime"), "datetime")
        client_id = None
        if isinstance(body.get("client"), dict) and body["client"].get("phone"):
            phone = parse_phone(body["client"]["phone"])
            if phone is None:
                raise ApiError(422, "Неверный формат телефона", code=431)
            client_id = self.state.add_client(str(body["client"].get("name") or ""), phone).id
        try:
            record = self.state.create_record(
                staff_id,
                service_ids,
                start,
                client_id,
                length_s=int(body.get("seance_length") or 0) or None,
                comment=str(body.get("comment") or ""),
                online=False,
                force=bool(body.get("save_if_busy")),
                api_id=str(body.get("api_id") or ""),
            )
        except SlotUnavailable as error:
            raise ApiError(409, f"Мастер занят или не работает: {error}", conflict=True) from None
        if body.get("attendance") is not None:
            self.state.set_attendance(record.id, int(body["attendance"]))
        return 201, {"success": True, "data": [render.record(self.state, record)], "meta": []}

    def _change_record(self, request: Request) -> tuple[int, Any]:
        record = self._existing(request)
        if record.deleted:
            raise ApiError(404, "Запись удалена")
        body = self._record_body(request)
        staff_id = _int(body.get("staff_id", record.staff_id), "staff_id")
        length = _int(body["seance_length"], "seance_length") if "seance_length" in body else record.length_s
        # a longer visit must still fit the master's day, as moving onto a taken time must (409)
        longer = length != record.length_s and not body.get("save_if_busy")
        if longer and not self.state.is_free(record.staff_id, record.start, length, ignore=record.id):
            raise ApiError(409, f"Мастер занят или не работает: {record.start:%Y-%m-%d %H:%M}", conflict=True)
        if "services" in body:
            service_ids = [_int(s.get("id") if isinstance(s, dict) else s, "services") for s in body["services"]]
            self._check_staff_services(staff_id, service_ids)
            with self.state.lock:
                record.service_ids = service_ids
                record.costs = [self.state.services[i].price for i in service_ids]
        with self.state.lock:
            record.length_s = length
        if "datetime" in body or staff_id != record.staff_id:
            start = self._moment(body.get("datetime"), "datetime") if "datetime" in body else record.start
            try:
                self.state.move_record(record.id, start, staff_id, force=bool(body.get("save_if_busy")))
            except SlotUnavailable as error:
                raise ApiError(409, f"Мастер занят или не работает: {error}", conflict=True) from None
        if body.get("attendance") is not None:
            self.state.set_attendance(record.id, int(body["attendance"]))
        self.state.touch(record, str(body["comment"]) if "comment" in body else None)
        return 201, {"success": True, "data": render.record(self.state, record), "meta": []}

    def _delete_record(self, request: Request) -> tuple[int, Any]:
        record = self._existing(request)
        self.state.cancel_record(record.id)
        return 204, None

    def _attendance(self, request: Request) -> tuple[int, Any]:
        record = self.state.records.get(int(request.path_args["rid"]))
        if record is None or record.visit_id != int(request.path_args["vid"]):
            raise ApiError(404, "Визит не найден")
        body = self._record_body(request)
        attendance = body.get("attendance")
        if attendance not in (-1, 0, 1, 2, "-1", "0", "1", "2") or "comment" not in body:
            raise ApiError(422, "Укажите attendance и comment", errors={"attendance": ["required"]})
        self.state.set_attendance(record.id, int(attendance))
        data = {"id": record.visit_id, "attendance": record.attendance, "datetime": record.start.isoformat()}
        return 200, {"success": True, "data": data, "meta": []}

    def _goods(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        page = max(1, int(request.arg("page", "1") or 1))
        count = min(100, max(1, int(request.arg("count", "20") or 20)))
        start, end = _date_arg(request, "start_date"), _date_arg(request, "end_date")
        after = self._moment_arg(request, "changed_after")
        found = [
            g
            for g in self.state.goods
            if (start is None or g.created_at.date() >= start)
            and (end is None or g.created_at.date() <= end)
            and (after is None or g.created_at >= after)
        ]
        data = [render.goods_sale(self.state, g) for g in found[(page - 1) * count : page * count]]
        return 200, {"success": True, "data": data, "meta": []}

    # --- online booking --------------------------------------------------------------------------

    def _book_services(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        member = self.state.staff.get(int(request.arg("staff_id") or 0))
        items = [s for s in self.state.services.values() if s.active and (member is None or s.id in member.service_ids)]
        services = []
        for item in sorted(items, key=lambda s: s.id):
            entry = {
                "id": item.id,
                "title": item.title,
                "category_id": item.category_id,
                "price_min": int(item.price),
                "price_max": int(item.price_max or item.price),
                "discount": 0,
                "comment": "",
                "weight": item.weight,
                "active": 1,
                "sex": 0,
                "image": "",
                "prepaid": "forbidden",
            }
            if member is not None:
                entry["seance_length"] = item.minutes * 60
            services.append(entry)
        used = {s.category_id for s in items}
        category = [
            {"id": c.id, "title": c.title, "sex": 0, "api_id": 0, "weight": c.weight}
            for c in self.state.categories.values()
            if c.id in used
        ]
        return 200, {
            "success": True,
            "data": {"events": [], "services": services, "category": category},
            "meta": [],
        }

    def _bookable_staff(self, service_ids: list[int]) -> list[Any]:
        return [
            m
            for m in sorted(self.state.staff.values(), key=lambda s: s.id)
            if not m.fired and not m.hidden and self.state.provides(m.id, service_ids)
        ]

    def _book_staff(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        service_ids = [int(i) for i in request.many("service_ids")]
        today = self.state.now().date()
        data = []
        for member in self._bookable_staff(service_ids):
            seance_date = next(
                (
                    today + timedelta(days=n)
                    for n in range(14)
                    if self.state.free_starts(member.id, today + timedelta(days=n), service_ids)
                ),
                None,
            )
            data.append(
                {
                    "id": str(member.id),
                    "name": member.name,
                    "bookable": seance_date is not None,
                    "specialization": member.specialization,
                    "position": {"id": 1, "title": member.position},
                    "show_rating": "0",
                    "rating": "0",
                    "votes_count": "0",
                    "avatar": "",
                    "comments_count": "0",
                    "weight": "0",
                    "information": "",
                    "seance_date": seance_date.isoformat() if seance_date else None,
                    "seances": [],
                }
            )
        return 200, {"success": True, "data": data, "meta": []}

    def _book_dates(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        service_ids = [int(i) for i in request.many("service_ids")]
        staff_id = int(request.arg("staff_id") or 0)
        today = self.state.now().date()
        start = _date_arg(request, "date_from") or _date_arg(request, "start_date") or today
        end = _date_arg(request, "date_to") or _date_arg(request, "end_date") or start + timedelta(days=30)
        if (end - start).days > 93:
            raise ApiError(422, "Слишком большой период")
        staff = [self.state.staff[staff_id]] if staff_id in self.state.staff else self._bookable_staff(service_ids)
        if staff_id and staff_id not in self.state.staff:
            raise ApiError(404, "Сотрудник не найден.")
        working, booking = [], []
        day = max(start, today)
        while day <= end:
            if any(self.state.working_hours(m.id, day) for m in staff):
                working.append(day)
                if any(self.state.free_starts(m.id, day, service_ids) for m in staff):
                    booking.append(day)
            day += timedelta(days=1)

        def by_month(days: list[date]) -> dict[str, list[str]]:
            months: dict[str, list[str]] = {}
            for d in days:
                months.setdefault(str(d.month), []).append(str(d.day))
            return months

        data = {
            "working_days": by_month(working),
            "working_dates": [d.isoformat() for d in working],
            "booking_days": by_month(booking),
            "booking_dates": [d.isoformat() for d in booking],
        }
        return 200, {"success": True, "data": data, "meta": []}

    def _book_times(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        staff_id = int(request.path_args["sid"])
        if staff_id not in self.state.staff:
            raise ApiError(404, "Сотрудник не найден.")
        try:
            day = date.fromisoformat(request.path_args["day"])
        except ValueError:
            raise ApiError(422, "Неверная дата") from None
        service_ids = [int(i) for i in request.many("service_ids")]
        if not self.state.provides(staff_id, service_ids):
            return 200, {"success": True, "data": [], "meta": []}
        length = self.state.length_s(service_ids)
        data = [
            {"time": f"{t:%H:%M}", "seance_length": length, "sum_length": length, "datetime": t.isoformat()}
            for t in self.state.free_starts(staff_id, day, service_ids)
        ]
        return 200, {"success": True, "data": data, "meta": []}

    def _appointments(self, body: Any) -> list[tuple[int, int, list[int], datetime]]:
        """Validates every appointment the way book_check does; returns (id, staff, services, start)."""
        if not isinstance(body, dict) or not isinstance(body.get("appointments"), list) or not body["appointments"]:
            raise ApiError(422, "Не переданы записи (appointments)")
        planned: list[tuple[int, int, list[int], datetime]] = []
        for item in body["appointments"]:
            if not isinstance(item, dict):
                raise ApiError(422, "Неверный формат записи")
            appointment_id = _int(item.get("id", 0), "id")
            service_ids = [_int(s, "services") for s in item.get("services") or []]
            if not service_ids:
                raise ApiError(422, "Не выбраны услуги", code=438)
            if any(i not in self.state.services for i in service_ids):
                raise ApiError(404, "Услуга не найдена.")
            start = self._moment(item.get("datetime"), "datetime")
            length = self.state.length_s(service_ids)
            staff_id = _int(item.get("staff_id", 0), "staff_id")
            if staff_id == 0:
                free = [
                    m.id
                    for m in self._bookable_staff(service_ids)
                    if start in self.state.free_starts(m.id, start.date(), service_ids)
                ]
                if not free:
                    raise ApiError(422, "Нет свободных сотрудников на выбранное время", code=436, id=appointment_id)
                staff_id = free[0]
            self._check_staff_services(staff_id, service_ids)
            end = start + timedelta(seconds=length)
            for _, other_staff, other_services, other_start in planned:
                other_end = other_start + timedelta(seconds=self.state.length_s(other_services))
                if other_staff == staff_id and other_start < end and start < other_end:
                    raise ApiError(422, "Записи пересекаются между собой", code=437, id=appointment_id)
            if start not in self.state.free_starts(staff_id, start.date(), service_ids):
                member = self.state.staff[staff_id]
                message = f"К сотруднику {member.name} нельзя записаться на {start:%d.%m.%Y %H:%M}. {SLOT_TAKEN}"
                raise ApiError(422, message, code=433, id=appointment_id)
            planned.append((appointment_id, staff_id, service_ids, start))
        return planned

    def _book_check(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        with self.state.lock:
            self._appointments(request.body)
        return 201, {"success": True, "meta": {"message": "Created"}}

    def _book_record(self, request: Request) -> tuple[int, Any]:
        self._company_of(request)
        body = request.body if isinstance(request.body, dict) else {}
        phone = parse_phone(body.get("phone"))
        if phone is None or not 9 <= len(phone) - 1 <= 15:
            raise ApiError(422, "Неверный формат телефона", code=431)
        if not str(body.get("fullname") or "").strip():
            raise ApiError(422, "Не указано имя", code=435)
        created = []
        with self.state.lock:
            planned = self._appointments(body)
            client = self.state.add_client(str(body["fullname"]).strip(), phone, str(body.get("email") or ""))
            for appointment_id, staff_id, service_ids, start in planned:
                record = self.state.create_record(
                    staff_id,
                    service_ids,
                    start,
                    client.id,
                    comment=str(body.get("comment") or ""),
                    api_id=str(body.get("api_id") or ""),
                )
                created.append({"id": appointment_id, "record_id": record.id, "record_hash": record.record_hash})
        return 201, {"success": True, "data": created, "meta": []}

    # --- helpers ---------------------------------------------------------------------------------

    def _check_staff_services(self, staff_id: int, service_ids: list[int]) -> None:
        if staff_id not in self.state.staff:
            raise ApiError(404, "Сотрудник не найден.")
        if any(i not in self.state.services for i in service_ids):
            raise ApiError(404, "Услуга не найдена.")
        if not self.state.provides(staff_id, service_ids):
            raise ApiError(404, "Сотрудник не оказывает выбранную услугу")

    def _moment(self, value: Any, name: str) -> datetime:
        try:
            moment = parse_timestamp(value)
        except ValueError:
            moment = None
        if moment is None:
            raise ApiError(422, f"Неверный формат даты: {name}", errors={name: ["invalid"]})
        return moment.astimezone(self.state.tz) if moment.tzinfo else moment.replace(tzinfo=self.state.tz)

    def _moment_arg(self, request: Request, name: str) -> datetime | None:
        value = request.arg(name)
        return self._moment(value, name) if value else None


class _LegacyError(ApiError):
    def body(self) -> dict[str, Any]:
        return {"errors": {"code": self.status, "message": self.message}, "meta": {"message": self.message}}


class _Reply:
    def __init__(self, status: int, content: bytes, content_type: str) -> None:
        self.status, self.content, self.content_type = status, content, content_type
        self.headers: dict[str, str] = {}
        self.throttled = False
        self.hang_s = 0.0

    @classmethod
    def json(cls, status: int, payload: Any) -> _Reply:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    @classmethod
    def error(cls, error: ApiError) -> _Reply:
        return cls.json(error.status, error.body())


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(422, f"Неверное значение: {name}", errors={name: ["invalid"]}) from None


def _date_arg(request: Request, name: str) -> date | None:
    value = request.arg(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ApiError(422, f"Неверная дата: {name}", errors={name: ["invalid"]}) from None


def _filter_clients(clients: list[Any], item: Any) -> list[Any]:
    if not isinstance(item, dict) or not isinstance(item.get("state"), dict):
        raise ApiError(400, "Недопустимое значение состояния фильтра", errors={"filters": ["invalid"]})
    kind, state = item.get("type"), item["state"]
    if kind == "id":
        wanted = {int(i) for i in state.get("value") or []}
        return [c for c in clients if c.id in wanted]
    if kind == "quick_search":
        needle = str(state.get("value") or "").lower()
        digits = "".join(ch for ch in needle if ch.isdigit())
        return [c for c in clients if needle in c.name.lower() or (digits and digits in c.phone)]
    raise ApiError(400, "Недопустимое значение состояния фильтра", errors={"filters": [f"unsupported {kind}"]})
