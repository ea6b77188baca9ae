"""The sync's view of YClients: the typed client's models turned into the domain's CRM rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.adapters.redis_rate_limiter import RedisRateLimiter
from ai_admin.domain.crm import (
    Attendance,
    CompanyInfo,
    CrmCategory,
    CrmClient,
    CrmRecord,
    CrmService,
    CrmStaff,
    GoodsSale,
    Page,
    RecordService,
    StaffDay,
)
from ai_admin.settings import RedisSettings, YClientsSettings, load
from ai_admin.sync.jobs import RecordWindow
from ai_admin.yclients import models
from ai_admin.yclients.errors import MalformedResponse, NotFound
from ai_admin.yclients.payloads import RecordsQuery


def _aware(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _day(moment: datetime | date | None) -> date | None:
    if moment is None:
        return None
    return moment.date() if isinstance(moment, datetime) else moment


class YClientsCrm:
    def __init__(self, client: YClientsClient, timezone: str = "Europe/Moscow") -> None:
        self._client = client
        self._tz = ZoneInfo(timezone)
        self._timezone = timezone

    @classmethod
    def from_settings(cls) -> YClientsCrm:
        config = load(YClientsSettings)
        limiter = RedisRateLimiter.from_settings(connect_redis(load(RedisSettings)), config)
        return cls(YClientsClient(config, limiter))

    @property
    def client(self) -> YClientsClient:
        return self._client

    def client_page(self, company_id: int, page: int, page_size: int) -> Page[CrmClient]:
        got = self._client.search_clients(company_id, page, page_size)
        items = tuple(self._client_row(c) for c in got.items)
        return Page(items=items, page=page, total=got.total_count or len(items))

    @staticmethod
    def _client_row(c: models.ClientSummary) -> CrmClient:
        return CrmClient(
            id=c.id,
            name=c.name,
            phone=c.phone,
            email=c.email or None,
            discount=c.discount,
            visits_count=c.visits_count,
            first_visit_date=_day(c.first_visit_date),
            last_visit_date=_day(c.last_visit_date),
            sold_amount=c.sold_amount,
        )

    def clients_by_id(self, company_id: int, ids: Sequence[int]) -> tuple[CrmClient, ...]:
        found: list[CrmClient] = []
        for start in range(0, len(ids), 200):
            filters = [{"type": "id", "state": {"value": list(ids[start : start + 200])}}]
            found += [
                self._client_row(c) for c in self._client.search_clients(company_id, 1, 200, filters=filters).items
            ]
        return tuple(found)

    def requests_made(self) -> int:
        return sum(self._client.requests_by_endpoint.values())

    def record_page(self, company_id: int, page: int, page_size: int, window: RecordWindow) -> Page[CrmRecord]:
        query = RecordsQuery(
            start_date=window.start_date,
            end_date=window.end_date,
            changed_after=window.changed_after,
            with_deleted=True,
            timezone=self._timezone,
        )
        got = self._client.records(company_id, query, page, page_size)
        items = tuple(r for r in (self._record(raw) for raw in got.items) if r is not None)
        return Page(items=items, page=page, total=got.total_count or len(got.items))

    def record(self, company_id: int, record_id: int) -> CrmRecord | None:
        """The record as YClients has it now; None when YClients answers 404."""
        try:
            raw = self._client.record(company_id, record_id)
        except NotFound:
            return None
        record = self._record(raw)
        if record is None:
            raise MalformedResponse("GET /record/{company_id}/{record_id}", "a record without a start")
        return record

    def _record(self, raw: models.Record) -> CrmRecord | None:
        start = _aware(raw.datetime or raw.date, self._tz)
        if start is None:
            return None
        client = raw.client
        return CrmRecord(
            id=raw.id,
            client_id=client.id if client else None,
            client_phone=client.phone if client else None,
            staff_id=raw.staff_id or (raw.staff.id if raw.staff else None),
            start_at=start,
            duration_s=raw.seance_length or raw.length,
            attendance=Attendance(max(-1, min(2, raw.attendance))),
            deleted=raw.deleted,
            services=tuple(RecordService(s.id, s.title, s.cost, s.amount) for s in raw.services),
            goods=tuple(
                GoodsSale(g.id, g.good_id, g.title, abs(g.amount), g.cost)
                for g in raw.goods_transactions
                if g.id is not None
            ),
            visit_id=raw.visit_id,
            comment=raw.comment,
            online=raw.online,
            created_at=_aware(raw.create_date, self._tz),
            changed_at=_aware(raw.last_change_date, self._tz),
        )

    def company(self, company_id: int) -> CompanyInfo:
        c = self._client.company(company_id)
        return CompanyInfo(
            id=c.id, title=c.title, address=c.address, timezone=c.timezone_name or self._timezone, phone=c.phone or None
        )

    def catalogue(self, company_id: int) -> tuple[list[CrmCategory], list[CrmService]]:
        categories = [CrmCategory(c.id, c.title, c.weight) for c in self._client.service_categories(company_id)]
        services = [
            CrmService(
                id=s.id,
                title=s.title,
                category_id=s.category_id,
                price_min=s.price_min,
                price_max=max(s.price_max, s.price_min),
                duration_s=s.duration or _longest(s) or 3600,
                description=s.comment,
                active=s.active,
                weight=s.weight,
                staff_ids=tuple(link.id for link in s.staff),
            )
            for s in self._client.services(company_id)
        ]
        return categories, services

    def staff(self, company_id: int) -> list[CrmStaff]:
        return [
            CrmStaff(
                id=m.id,
                name=m.name,
                specialization=m.specialization,
                position=m.position.title if m.position else "",
                fired=m.fired,
                hidden=m.hidden,
                weight=m.weight,
            )
            for m in self._client.staff(company_id)
            if m.status != 1  # status 1: deleted from the salon
        ]

    def schedules(self, company_id: int, start: date, end: date) -> list[StaffDay]:
        return [
            StaffDay(staff_id=d.staff_id, date=d.date, slots=tuple((s.from_, s.to) for s in d.slots))
            for d in self._client.staff_schedules(company_id, start, end)
            if d.date is not None
        ]


def _longest(service: models.Service) -> int:
    return max((link.seance_length for link in service.staff), default=0)
