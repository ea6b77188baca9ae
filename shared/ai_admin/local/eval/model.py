"""A dialog scenario (``scenarios/FORMAT.md``) as validated data.

Structure is checked by pydantic; the rules that need the whole file (known ids, working hours and
days off, a clock that only moves forward, ids used once) run afterwards on a well-formed file. Every
problem names the file, the field and the reason; a file is played only when it has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ai_admin.conversation.llm_intents import FUNCTIONS as TOOLS
from ai_admin.domain.phones import InvalidPhone, to_e164

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STEP_KINDS = ("user", "button", "wait_until", "crm")
_STEP_TAGS = {f"{kind}-step" for kind in STEP_KINDS}
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a scenario file cannot be played."""

    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}" if self.field else f"{self.file}: {self.reason}"


def _fail(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context)


def _clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600
        raise _fail("clock", '{value} is not a time: write it in quotes, e.g. "10:00"', value=value)
    match = _CLOCK.match(str(value).strip())
    if not match:
        raise _fail("clock", "'{value}' is not a time HH:MM", value=str(value))
    return time(int(match[1]), int(match[2]))


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise _fail("moment", "'{value}' has an offset: write the salon's wall clock", value=str(value))
        return value
    if isinstance(value, date):
        raise _fail("moment", "'{value}' has no time: write e.g. {value}T12:00", value=value.isoformat())
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise _fail("moment", "'{value}' has no time: write e.g. {value}T12:00", value=text)
    if re.search(r"T\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)$", text):
        raise _fail("moment", "'{value}' has an offset: write the salon's wall clock", value=text)
    if not _MOMENT.match(text):
        raise _fail("moment", "'{value}' is not a salon-local date-time like 2026-03-10T12:00", value=text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _fail("moment", "'{value}' is not a real date and time", value=text) from None


def _phone(value: Any) -> str:
    try:
        return to_e164(value)
    except (InvalidPhone, TypeError):
        raise _fail("phone", "'{value}' is not a phone number (E.164, e.g. +79990000001)", value=str(value)) from None


def _weekday(value: Any) -> str:
    text = str(value).strip().lower()[:3]
    if text not in WEEKDAYS:
        raise _fail("weekday", "'{value}' is not a weekday ({names})", value=str(value), names=", ".join(WEEKDAYS))
    return text


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _groups(value: Any) -> Any:
    """``contains_any``: a list of texts is one group; a list of such lists is several groups."""
    if isinstance(value, str):
        return [[value]]
    if not isinstance(value, list) or not value:
        return value
    nested = [isinstance(item, list) for item in value]
    if all(nested):
        return value
    if any(nested):
        raise _fail("groups", "a list of texts, or a list of lists of texts, not both")
    return [value]


ClockTime = Annotated[time, BeforeValidator(_clock)]
LocalMoment = Annotated[datetime, BeforeValidator(_moment)]
Phone = Annotated[str, BeforeValidator(_phone)]
Weekday = Annotated[str, BeforeValidator(_weekday)]
Text = Annotated[str, Field(min_length=1)]
Texts = Annotated[list[Text], BeforeValidator(_one_or_many)]
TextGroups = Annotated[list[Annotated[list[Text], Field(min_length=1)]], BeforeValidator(_groups)]
Id = Annotated[int, Field(gt=0)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = list(cls.model_fields)
            unknown = [str(key) for key in data if key not in allowed]
            if unknown:
                raise _fail(
                    "unknown_key",
                    "unknown key {keys} (allowed: {allowed})",
                    keys=", ".join(repr(k) for k in unknown),
                    allowed=", ".join(allowed),
                )
        return data


class Hours(_Spec):
    open: ClockTime
    close: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.close <= self.open:
            raise ValueError(f"close {self.close:%H:%M} must be later than open {self.open:%H:%M}")
        return self


class ServiceSpec(_Spec):
    id: Id
    title: Text
    price: Decimal = Field(default=Decimal(0), ge=0)
    minutes: int = Field(default=60, gt=0, le=24 * 60)
    category: str = ""


class StaffSpec(_Spec):
    id: Id
    name: Text
    services: list[Id] = []  # empty: every service of the salon (as the fake YClients reads it)
    days_off: list[Weekday] = []
    specialization: str = ""


class RecordSpec(_Spec):
    id: Id | None = None
    phone: Phone
    name: str | None = None
    staff: Id
    services: Annotated[list[Id], Field(min_length=1)]
    start: LocalMoment
    attendance: Literal[-1, 0, 1, 2] = 0


class VisitSpec(_Spec):
    id: Id | None = None
    staff: Id
    services: Annotated[list[Id], Field(min_length=1)]
    start: LocalMoment


class SalonSpec(_Spec):
    title: Text
    timezone: str = "Europe/Moscow"
    address: str = ""
    hours: Hours = Hours(open=time(10), close=time(21))
    services: Annotated[list[ServiceSpec], Field(min_length=1)]
    staff: Annotated[list[StaffSpec], Field(min_length=1)]
    records: list[RecordSpec] = []
    weekday_hours: dict[Weekday, Hours] = {}  # e.g. {sun: {open: "11:00", close: "18:00"}}: overrides hours

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone (e.g. Europe/Moscow)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_on(self, day: date) -> Hours:
        """Every staff member's working hours on ``day``: ``weekday_hours`` for its weekday, else ``hours``."""
        return self.weekday_hours.get(WEEKDAYS[day.weekday()], self.hours)


class ClientSpec(_Spec):
    phone: Phone
    name: str | None = None  # the name the CRM knows; omitted: the CRM does not know the client
    whatsapp_name: str | None = None  # the profile name WhatsApp delivers; omitted: the CRM name
    history: list[VisitSpec] = []

    @property
    def wa_id(self) -> str:
        return self.phone.lstrip("+")

    @property
    def profile_name(self) -> str | None:
        """What the deliveries carry as ``contacts[].profile.name``."""
        return self.whatsapp_name or self.name


class Expect(_Spec):
    contains: Texts = []
    contains_any: TextGroups = []  # each group: at least one of its texts
    not_contains: Texts = []
    no_reply: bool | None = None  # True: the bot must stay silent; False: it must answer
    buttons: Texts = []
    max_times: int | None = Field(default=None, ge=1)  # at most this many clock times (HH:MM), repeats counted

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        if self.no_reply and (self.contains or self.contains_any or self.buttons or self.max_times):
            raise ValueError("no_reply: true cannot be combined with contains, contains_any, buttons or max_times")
        return self


class UserStep(_Spec):
    user: Annotated[Texts, Field(min_length=1)]
    expect: Expect = Expect()


class ButtonPress(_Spec):
    """``button: ID``, or a mapping to choose the title sent and how it arrives (``via``); by default
    both follow the bot message that offered the id."""

    id: Text
    title: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    via: Literal["interactive", "list", "template"] | None = None


class ButtonStep(_Spec):
    button: Annotated[ButtonPress, BeforeValidator(lambda v: {"id": str(v)} if isinstance(v, str | int) else v)]
    expect: Expect = Expect()


class WaitStep(_Spec):
    wait_until: LocalMoment
    expect: Expect = Expect()


class RecordRef(_Spec):
    id: Id


class MoveSpec(_Spec):
    id: Id
    start: LocalMoment
    staff: Id | None = None


class CrmChange(_Spec):
    create: RecordSpec | None = None
    cancel: Annotated[RecordRef, BeforeValidator(lambda v: {"id": v} if isinstance(v, int) else v)] | None = None
    move: MoveSpec | None = None

    @model_validator(mode="after")
    def _one(self) -> CrmChange:
        if sum(x is not None for x in (self.create, self.cancel, self.move)) != 1:
            raise ValueError("exactly one of create, cancel, move")
        return self


class CrmStep(_Spec):
    crm: CrmChange
    expect: Expect = Expect()


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [kind for kind in STEP_KINDS if kind in value]
        return f"{kinds[0]}-step" if len(kinds) == 1 else None
    return None


Step = Annotated[
    Annotated[UserStep, Tag("user-step")]
    | Annotated[ButtonStep, Tag("button-step")]
    | Annotated[WaitStep, Tag("wait_until-step")]
    | Annotated[CrmStep, Tag("crm-step")],
    Discriminator(_step_kind, custom_error_type="step_kind", custom_error_message="unknown step kind"),
]


class CreatedSpec(_Spec):
    staff: Id
    services: Annotated[list[Id], Field(min_length=1)]
    start: LocalMoment
    phone: Phone
    name: Text | None = None  # the CRM client's name on the new record (case and ё/е ignored)


class Outcome(_Spec):
    created: list[CreatedSpec] = []
    cancelled: list[Id] = []
    moved: list[MoveSpec] = []
    confirmed: list[Id] = []
    handed_off: bool | None = None  # a hand-off to a person was opened (true) / was not (false); omitted: not judged


class ToolCallSpec(_Spec):
    name: Text
    arguments: dict[str, Any] = {}


class ScriptTurn(_Spec):
    """One answer of the model in ``--brain scripted`` mode: text, tool calls, or both."""

    content: str | None = None
    tool_calls: list[ToolCallSpec] = []

    @model_validator(mode="after")
    def _something(self) -> ScriptTurn:
        if not self.content and not self.tool_calls:
            raise ValueError("a model turn needs content or tool_calls")
        return self


class Scenario(_Spec):
    id: str
    description: Text
    now: LocalMoment
    salon: SalonSpec
    client: ClientSpec
    steps: Annotated[list[Step], Field(min_length=1)]
    outcome: Outcome | None = None
    script: list[ScriptTurn] | None = None

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _KEBAB.match(value):
            raise ValueError(f"'{value}' is not kebab-case (e.g. book-named-slot)")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return self.salon.tz

    def local(self, moment: datetime) -> datetime:
        """A naive salon wall-clock moment of the file, made aware."""
        return moment.replace(tzinfo=self.tz)


# --- turning pydantic errors into problems ------------------------------------------------------


def field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in _STEP_TAGS and part != "[key]" and not str(part).startswith(("function-", "lax-", "json-")):
            path += f".{part}" if path else str(part)
    return path


def _step_kind_reason(given: Any) -> str:
    if not isinstance(given, dict):
        return "a step must be a mapping with one of: " + ", ".join(STEP_KINDS)
    kinds = [k for k in STEP_KINDS if k in given]
    if kinds:
        return f"a step has exactly one kind, found {', '.join(kinds)}"
    keys = ", ".join(repr(str(k)) for k in given) or "none"
    return f"unknown step kind (keys: {keys}); expected one of: {', '.join(STEP_KINDS)}"


def _reason(error: Any) -> str:
    kind, message, given = error["type"], str(error["msg"]), error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "step_kind":
        return _step_kind_reason(given)
    message = message.removeprefix("Value error, ")
    if kind in ("clock", "moment", "phone", "weekday", "unknown_key", "value_error", "groups"):
        return message
    if isinstance(given, str | int | float | bool) or given is None:
        return f"{message[:1].lower()}{message[1:]} (got {given!r})"
    return message[:1].lower() + message[1:]


def parse(document: Any, file: str) -> tuple[Scenario | None, list[Problem]]:
    """The scenario, or the problems that make ``document`` unplayable."""
    if not isinstance(document, dict):
        return None, [Problem(file, "", "a scenario file holds one mapping (id, now, salon, client, steps ...)")]
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        found = {Problem(file, field_path(e["loc"]), _reason(e)) for e in error.errors()}
        return None, sorted(found)
    problems = [Problem(file, field, reason) for field, reason in semantic_problems(scenario)]
    return (None, problems) if problems else (scenario, [])


# --- rules over the whole file ---------------------------------------------------------------------


class _Salon:
    def __init__(self, salon: SalonSpec) -> None:
        self.spec = salon
        self.services = {s.id: s for s in salon.services}
        self.staff = {m.id: m for m in salon.staff}

    def offered(self, member: StaffSpec) -> set[int]:
        return set(member.services) or set(self.services)

    def booking_problems(self, where: str, staff_id: int, service_ids: list[int], start: datetime) -> Iterator[Problem]:
        member = self.staff.get(staff_id)
        if member is None:
            yield Problem("", f"{where}.staff", f"unknown staff id {staff_id} (salon.staff: {_ids(self.staff)})")
        unknown = [i for i in service_ids if i not in self.services]
        for service_id in unknown:
            reason = f"unknown service id {service_id} (salon.services: {_ids(self.services)})"
            yield Problem("", f"{where}.services", reason)
        if member is None or unknown:
            return
        if missing := [i for i in service_ids if i not in self.offered(member)]:
            reason = f"{member.name} ({member.id}) does not provide service {', '.join(map(str, missing))}"
            yield Problem("", f"{where}.services", reason)
        weekday = WEEKDAYS[start.weekday()]
        if weekday in member.days_off:
            yield Problem("", f"{where}.start", f"{start:%Y-%m-%d} is a {weekday}, {member.name}'s day off")
            return
        end = start + timedelta(minutes=sum(self.services[i].minutes for i in service_ids))
        hours = self.spec.hours_on(start.date())
        opens, closes = datetime.combine(start.date(), hours.open), datetime.combine(start.date(), hours.close)
        if start < opens or end > closes:
            reason = f"{start:%H:%M}-{end:%H:%M} is outside working hours {hours.open:%H:%M}-{hours.close:%H:%M}"
            if hours is not self.spec.hours:
                reason += f" on {weekday}"
            yield Problem("", f"{where}.start", reason)


def _ids(items: dict[int, Any]) -> str:
    return ", ".join(str(i) for i in sorted(items))


def semantic_problems(s: Scenario) -> list[tuple[str, str]]:
    """(field, reason) for every rule a well-formed scenario breaks."""
    salon = _Salon(s.salon)
    found: list[Problem] = []
    found += _duplicates("salon.services", [x.id for x in s.salon.services], "service id")
    found += _duplicates("salon.staff", [x.id for x in s.salon.staff], "staff id")
    for n, member in enumerate(s.salon.staff):
        for service_id in member.services:
            if service_id not in salon.services:
                reason = f"unknown service id {service_id} (salon.services: {_ids(salon.services)})"
                found.append(Problem("", f"salon.staff[{n}].services", reason))
    record_ids: list[tuple[str, int]] = []
    found += _seeded_problems(s, salon, record_ids)
    known = {rid for _, rid in record_ids}
    found += _step_problems(s, salon, known, record_ids)
    if s.outcome is not None:
        found += _outcome_problems(salon, s.outcome, known)
    if s.script is not None:
        found += _script_problems(s.script)
    seen: dict[int, str] = {}
    for where, rid in record_ids:
        if rid in seen:
            found.append(Problem("", where, f"duplicate record id {rid} (also {seen[rid]})"))
        seen.setdefault(rid, where)
    return [(p.field, p.reason) for p in found]


def _seeded_problems(s: Scenario, salon: _Salon, record_ids: list[tuple[str, int]]) -> Iterator[Problem]:
    if s.client.history and not s.client.name:
        yield Problem("", "client.history", "past visits need client.name: a client the CRM does not know has none")
    for n, record in enumerate(s.salon.records):
        yield from salon.booking_problems(f"salon.records[{n}]", record.staff, record.services, record.start)
        if record.id is not None:
            record_ids.append((f"salon.records[{n}].id", record.id))
    for n, visit in enumerate(s.client.history):
        where = f"client.history[{n}]"
        yield from salon.booking_problems(where, visit.staff, visit.services, visit.start)
        if visit.start >= s.now:
            yield Problem("", f"{where}.start", f"a past visit must be before now ({s.now:%Y-%m-%dT%H:%M})")
        if visit.id is not None:
            record_ids.append((f"{where}.id", visit.id))


def _step_problems(s: Scenario, salon: _Salon, known: set[int], record_ids: list[tuple[str, int]]) -> Iterator[Problem]:
    clock = s.now
    for n, step in enumerate(s.steps):
        where = f"steps[{n}]"
        if isinstance(step, WaitStep):
            if step.wait_until <= clock:
                reason = f"the clock only moves forward: must be later than {clock:%Y-%m-%dT%H:%M}"
                yield Problem("", f"{where}.wait_until", reason)
            clock = max(clock, step.wait_until)
        elif isinstance(step, CrmStep):
            yield from _crm_problems(salon, step.crm, f"{where}.crm", known, record_ids)


def _duplicates(where: str, ids: list[int], what: str) -> Iterator[Problem]:
    seen: set[int] = set()
    for n, item in enumerate(ids):
        if item in seen:
            yield Problem("", f"{where}[{n}].id", f"duplicate {what} {item}")
        seen.add(item)


def _crm_problems(
    salon: _Salon, change: CrmChange, where: str, known: set[int], record_ids: list[tuple[str, int]]
) -> Iterator[Problem]:
    if change.create is not None:
        created = change.create
        yield from salon.booking_problems(f"{where}.create", created.staff, created.services, created.start)
        if created.id is not None:
            record_ids.append((f"{where}.create.id", created.id))
            known.add(created.id)
    elif change.cancel is not None and change.cancel.id not in known:
        yield Problem("", f"{where}.cancel.id", _unknown_record(change.cancel.id, known))
    elif change.move is not None:
        move = change.move
        if move.id not in known:
            yield Problem("", f"{where}.move.id", _unknown_record(move.id, known))
        if move.staff is not None and move.staff not in salon.staff:
            yield Problem(
                "", f"{where}.move.staff", f"unknown staff id {move.staff} (salon.staff: {_ids(salon.staff)})"
            )


def _unknown_record(record_id: int, known: set[int]) -> str:
    listed = ", ".join(str(i) for i in sorted(known)) or "none with an id"
    return f"unknown record id {record_id} (records: {listed})"


def _outcome_problems(salon: _Salon, outcome: Outcome, known: set[int]) -> Iterator[Problem]:
    for n, created in enumerate(outcome.created):
        yield from salon.booking_problems(f"outcome.created[{n}]", created.staff, created.services, created.start)
    for key, ids in (("cancelled", outcome.cancelled), ("confirmed", outcome.confirmed)):
        seen: set[int] = set()
        for n, record_id in enumerate(ids):
            if record_id not in known:
                yield Problem("", f"outcome.{key}[{n}]", _unknown_record(record_id, known))
            if record_id in seen:
                yield Problem("", f"outcome.{key}[{n}]", f"record {record_id} is listed twice")
            seen.add(record_id)
    for n, move in enumerate(outcome.moved):
        if move.id not in known:
            yield Problem("", f"outcome.moved[{n}].id", _unknown_record(move.id, known))
        if move.staff is not None and move.staff not in salon.staff:
            reason = f"unknown staff id {move.staff} (salon.staff: {_ids(salon.staff)})"
            yield Problem("", f"outcome.moved[{n}].staff", reason)


def _script_problems(script: list[ScriptTurn]) -> Iterator[Problem]:
    for n, turn in enumerate(script):
        for m, call in enumerate(turn.tool_calls):
            where = f"script[{n}].tool_calls[{m}]"
            model = TOOLS.get(call.name)
            if model is None:
                yield Problem("", f"{where}.name", f"unknown tool '{call.name}' (tools: {', '.join(TOOLS)})")
                continue
            try:
                model.model_validate(call.arguments)
            except ValidationError as error:
                for item in error.errors():
                    path = field_path(item["loc"])
                    yield Problem("", f"{where}.arguments" + (f".{path}" if path else ""), _reason(item))
