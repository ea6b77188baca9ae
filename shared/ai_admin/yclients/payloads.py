"""What we send to YClients: typed request values, each with the JSON body the API documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ai_admin.domain.phones import to_digits, to_e164

CLIENT_FIELDS = (
    "id",
    "name",
    "phone",
    "email",
    "discount",
    "first_visit_date",
    "last_visit_date",
    "sold_amount",
    "visits_count",
)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a booking time must carry the salon's UTC offset")
    return moment


@dataclass(frozen=True)
class Appointment:
    """One service visit inside a booking; ``id`` is ours and is echoed back by YClients."""

    id: int
    service_ids: tuple[int, ...]
    staff_id: int
    start: datetime

    def __post_init__(self) -> None:
        _aware(self.start)
        if not self.service_ids:
            raise ValueError("an appointment needs at least one service")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "services": list(self.service_ids),
            "staff_id": self.staff_id,
            "datetime": self.start.isoformat(),
        }


@dataclass(frozen=True)
class Booking:
    """An online booking (``book_record``) made on a client's behalf."""

    phone: str
    fullname: str
    appointments: tuple[Appointment, ...]
    email: str = ""
    comment: str = ""
    notify_by_sms: int | None = None
    api_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "phone", to_e164(self.phone))
        if not self.fullname.strip():
            raise ValueError("a booking needs the client's name")
        if not self.appointments:
            raise ValueError("a booking needs at least one appointment")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "phone": to_digits(self.phone),
            "fullname": self.fullname,
            "email": self.email,
            "comment": self.comment,
            "appointments": [a.to_json() for a in self.appointments],
        }
        if self.notify_by_sms is not None:
            body["notify_by_sms"] = self.notify_by_sms
        if self.api_id:
            body["api_id"] = self.api_id
        return body


@dataclass(frozen=True)
class ServiceLine:
    id: int
    cost: float | None = None
    first_cost: float | None = None
    discount: float = 0

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"id": self.id, "discount": self.discount}
        if self.cost is not None:
            line["cost"] = self.cost
        if self.first_cost is not None:
            line["first_cost"] = self.first_cost
        return line


@dataclass(frozen=True)
class RecordWrite:
    """The body of an admin record create (``POST /records``) or change (``PUT /record``)."""

    staff_id: int
    services: tuple[ServiceLine, ...]
    start: datetime
    seance_length_s: int
    client_phone: str | None = None
    client_name: str = ""
    comment: str = ""
    save_if_busy: bool = False
    send_sms: bool = False
    attendance: int | None = None
    api_id: str = ""

    def __post_init__(self) -> None:
        _aware(self.start)
        if self.client_phone is not None:
            object.__setattr__(self, "client_phone", to_e164(self.client_phone))
        if self.seance_length_s <= 0:
            raise ValueError("seance_length_s must be positive")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "staff_id": self.staff_id,
            "services": [s.to_json() for s in self.services],
            "datetime": self.start.isoformat(),
            "seance_length": self.seance_length_s,
            "save_if_busy": self.save_if_busy,
            "send_sms": self.send_sms,
            "comment": self.comment,
        }
        if self.client_phone is not None:
            body["client"] = {"phone": to_digits(self.client_phone), "name": self.client_name}
        if self.attendance is not None:
            body["attendance"] = self.attendance
        if self.api_id:
            body["api_id"] = self.api_id
        return body


@dataclass(frozen=True)
class RecordsQuery:
    """Filters of ``GET /records``; change bounds go out as company-local wall time (naive means local)."""

    start_date: date | None = None
    end_date: date | None = None
    changed_after: datetime | None = None
    changed_before: datetime | None = None
    with_deleted: bool = False
    client_id: int | None = None
    staff_id: int | None = None
    include_finance_transactions: bool = False
    timezone: str = "Europe/Moscow"
    extra: dict[str, str] = field(default_factory=dict)

    def _local(self, moment: datetime) -> str:
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)
        return moment.isoformat(timespec="seconds")

    def to_params(self) -> dict[str, str]:
        params: dict[str, str] = dict(self.extra)
        if self.start_date:
            params["start_date"] = self.start_date.isoformat()
        if self.end_date:
            params["end_date"] = self.end_date.isoformat()
        if self.changed_after:
            params["changed_after"] = self._local(self.changed_after)
        if self.changed_before:
            params["changed_before"] = self._local(self.changed_before)
        if self.with_deleted:
            params["with_deleted"] = "1"
        if self.client_id is not None:
            params["client_id"] = str(self.client_id)
        if self.staff_id is not None:
            params["staff_id"] = str(self.staff_id)
        if self.include_finance_transactions:
            params["include_finance_transactions"] = "1"
        return params
