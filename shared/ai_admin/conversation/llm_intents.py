"""The functions a model may call, one per intent, and how its calls become typed intents.

A model only says what the client means: each call is one intent, with the client's own words per
slot ("стрижку и камуфляж", "не к Артёму", "на час позже"). The shared resolvers
(``conversation/tools/resolve.py``) turn the words into catalogue ids, days and times exactly as they
do for the offline reader. Code then decides what the model cannot be trusted with:

* a booking is made at once (``firm``) only when the client's own words this turn name its time;
* a date part the resolvers cannot place (a stale year, "tomorrow" they do not know) is ``unclear``,
  never today;
* stopping reminders and confirming a visit need the client's own words to bear them out (the
  offline reader's reading of the same text); otherwise the intent is marked ``tentative`` and the
  engine asks first;
* keys a model adds to the arguments are ignored, not fatal; wrong types are a malformed call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ai_admin.conversation.tools import resolve
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Intent, IntentKind, RecordHint, Understanding, WhenSpec

K = IntentKind


class _Args(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Book(_Args):
    """The client wants an appointment or asks when one is possible."""

    service: str | None = Field(default=None, description="the service(s) in the client's words, all of one visit")
    staff: str | None = Field(default=None, description="the master in the client's words, incl. 'не к X', 'любой'")
    when: str | None = Field(default=None, description="day/time in the client's words, e.g. 'завтра после 18'")
    book_now: bool = Field(default=False, description="the client asks to be booked, not only for free times")
    usual: bool = Field(default=False, description="'как обычно'")


class Move(_Args):
    """Move one of the client's bookings."""

    booking: str | None = Field(default=None, description="which booking, in the client's words")
    when: str | None = Field(default=None, description="the new time in the client's words, e.g. 'на час позже'")
    staff: str | None = None


class Cancel(_Args):
    """Cancel one of the client's bookings."""

    booking: str | None = Field(default=None, description="which booking, in the client's words")


class Ask(_Args):
    """A question the salon's data answers."""

    topic: Literal["prices", "service_info", "masters", "address", "hours", "master_schedule", "other_clients"]
    service: str | None = Field(default=None, description="the service asked about, in the client's words")
    staff: str | None = Field(default=None, description="the master asked about")
    when: str | None = Field(default=None, description="a day, if the client named one")


class Name(_Args):
    """The client tells their name (only an explicit self-introduction)."""

    name: str = Field(min_length=1, max_length=60)


class Late(_Args):
    """The client will be late for their visit."""

    minutes: int | None = Field(default=None, ge=0, le=600)


class MyBookings(_Args):
    """The client asks about their bookings."""


class StopReminders(_Args):
    """The client explicitly asks for no more reminders or notices."""


class Human(_Args):
    """The client asks for a person, or complains."""

    complaint: bool = False


class Answer(_Args):
    """The client's yes or no to what the bot asked."""

    yes: bool


FUNCTIONS: dict[str, type[_Args]] = {
    "book": Book,
    "move": Move,
    "cancel": Cancel,
    "my_bookings": MyBookings,
    "ask": Ask,
    "name": Name,
    "late": Late,
    "stop_reminders": StopReminders,
    "human": Human,
    "answer": Answer,
}
_TOPICS = {
    "prices": IntentKind.PRICE,
    "service_info": IntentKind.EXPLAIN,
    "masters": IntentKind.STAFF_LIST,
    "address": IntentKind.ADDRESS,
    "hours": IntentKind.HOURS,
    "master_schedule": IntentKind.STAFF_SCHEDULE,
    "other_clients": IntentKind.OTHERS_BOOKINGS,  # "кто записан к Руслану на 19": never told
}


def openai_tools() -> list[dict[str, Any]]:
    """The functions in the chat-completions format, trimmed of what only costs prompt tokens."""
    tools = []
    for name, model in FUNCTIONS.items():
        tools.append(
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": (model.__doc__ or name).strip(),
                    "parameters": _compact(model.model_json_schema()),
                },
            }
        )
    return tools


def _compact(schema: dict[str, Any]) -> dict[str, Any]:
    properties = {}
    for key, spec in schema.get("properties", {}).items():
        kept = {k: v for k, v in spec.items() if k not in ("title", "default", "anyOf")}
        kept.update(next((a for a in spec.get("anyOf", []) if a.get("type") != "null"), {}))
        properties[key] = kept
    compact: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        compact["required"] = schema["required"]
    return compact


class MalformedCall(ValueError):
    """A call the model should correct: an unknown function, arguments that are not a JSON object of
    the right types. The message is for the model (it names no client words)."""


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]


def parse_call(name: str, arguments: Any) -> Call:
    if name not in FUNCTIONS:
        raise MalformedCall(f"unknown function {name!r}; the functions are: {', '.join(FUNCTIONS)}")
    if not isinstance(arguments, dict):
        raise MalformedCall("the arguments must be a JSON object")
    try:
        FUNCTIONS[name].model_validate(arguments)
    except ValidationError as error:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "arguments" for e in error.errors())
        raise MalformedCall(f"invalid arguments for {name}: {fields}") from None
    return Call(name, arguments)


@dataclass
class Converter:
    """Turns a model's calls into intents for one turn; ``corroborate`` reads the client's own text
    (the offline reader), for the acts a model's reading alone must not trigger."""

    ctx: TurnContext
    corroborate: Callable[[], Understanding]
    _own: Understanding | None = None

    @property
    def own(self) -> Understanding:
        if self._own is None:
            self._own = self.corroborate()
        return self._own

    def intents(self, calls: list[Call]) -> tuple[Intent, ...]:
        return tuple(self._intent(call) for call in calls)

    def _intent(self, call: Call) -> Intent:  # noqa: PLR0911 - one branch per function
        args = FUNCTIONS[call.name].model_validate(call.arguments)
        if isinstance(args, Book):
            return self._book(args)
        if isinstance(args, Move):
            return Intent(
                K.MOVE,
                record=self._record(args.booking),
                when=self._when(args.when),
                **self._staff(args.staff),
            )
        if isinstance(args, Cancel):
            return Intent(K.CANCEL, record=self._record(args.booking))
        if isinstance(args, Ask):
            return Intent(
                _TOPICS[args.topic],
                when=self._when(args.when),
                **self._services(args.service),
                **self._staff(args.staff),
            )
        if isinstance(args, Name):
            said = any(i.kind is K.NAME for i in self.own.intents)
            return Intent(K.NAME, name=args.name.strip().title(), tentative=not said)
        if isinstance(args, Late):
            return Intent(K.LATE, minutes_late=args.minutes)
        if isinstance(args, StopReminders):
            return Intent(K.STOP_REMINDERS, tentative=not self.own.has(K.STOP_REMINDERS))
        if isinstance(args, Human):
            return Intent(K.COMPLAINT if args.complaint else K.HUMAN)
        if isinstance(args, Answer):
            kind = K.YES if args.yes else K.NO
            return Intent(kind, tentative=kind is K.YES and not self.own.has(K.YES))
        return Intent(K.MY_BOOKINGS)

    def _book(self, args: Book) -> Intent:
        when = self._when(args.when)
        firm = args.book_now and when.time is not None and self._named_by_client(when)
        staff = self._staff(args.staff)
        return Intent(
            K.BOOK, when=when, firm=firm, usual=args.usual, **self._services(args.service, staff.get("staff")), **staff
        )

    def _named_by_client(self, when: WhenSpec) -> bool:
        """Whether the client's own words this turn name this moment: its time, and its day or none (a
        model's day then has to be one the dialog already holds: the subject's or an offered one)."""
        tz = self.ctx.catalogue.salon.tz
        held = {self.ctx.state.day, *(start.astimezone(tz).date() for start in self.ctx.state.offered_starts())}
        return any(
            own.when.time == when.time
            and (own.when.day == when.day or (own.when.day is None and when.day in held))
            and not own.when.unclear
            for own in self.own.intents
        )

    def _services(self, words: str | None, staff_id: int | None = None) -> dict[str, Any]:
        if not words:
            return {}
        found = resolve.resolve_services(words, self.ctx.catalogue, staff_id)
        return {"services": found.ids, "services_excluded": found.excluded, "services_unknown": found.unknown}

    def _staff(self, words: str | None) -> dict[str, Any]:
        if not words:
            return {}
        found = resolve.resolve_staff(words, self.ctx.catalogue)
        return {
            "staff": found.id,
            "staff_excluded": found.excluded,
            "any_staff": found.any_staff,
            "staff_unknown": found.unknown,
        }

    def _when(self, words: str | None) -> WhenSpec:
        if not words:
            return WhenSpec()
        return resolve.resolve_when_spec(
            words, self.ctx.now, self.ctx.catalogue, offered=self.ctx.state.offered_starts()
        )

    def _record(self, words: str | None) -> RecordHint:
        # The model never sees record ids: which booking is meant comes from the client's words.
        return resolve.resolve_record(words, self.ctx.now, self.ctx.catalogue) if words else RecordHint()
