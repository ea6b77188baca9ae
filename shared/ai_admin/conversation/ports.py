"""What answering a turn needs from the outside world, as small role-named protocols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from ai_admin.conversation.model import Booked, Catalogue, ClientProfile, MasterDay
from ai_admin.conversation.state import DialogState
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.messages import BufferedMessage, ClientRef, InboundTurn, OutboundMessage


@dataclass(frozen=True)
class Conversation:
    conversation_id: int
    phone: str | None


class PendingTurns(Protocol):
    """The per-client buffer the webhook fills (see adapters/redis_inbox.py)."""

    def admit(self, wamid: str, company_id: int, client_key: str, item: str) -> bool:
        """Buffers ``item`` unless its message id was seen (the worker re-admits what Redis lost)."""
        ...

    def pending_since(self, company_id: int, client_key: str) -> float | None:
        """When the latest message arrived (epoch seconds), or None when nothing waits."""
        ...

    def waiting(self, company_id: int, client_key: str) -> list[str]: ...

    def forget(self, company_id: int, client_key: str, items: Sequence[str]) -> None:
        """Drops these buffered items (a turn recorded them); anything buffered since stays."""
        ...


class Transcript(Protocol):
    def open(self, company_id: int, client: ClientRef) -> Conversation: ...

    def record_outbound(
        self, conversation_id: int, message: OutboundMessage, wamid: str | None, error: dict[str, Any] | None
    ) -> None: ...

    def set_phone(self, conversation_id: int, phone: str) -> None: ...


@dataclass(frozen=True)
class JournaledTurn:
    """A turn as PostgreSQL holds it: the messages it answers and, once decided, its replies."""

    turn_id: int
    company_id: int
    conversation_id: int
    messages: tuple[BufferedMessage, ...]  # oldest first
    finished: bool = False
    replies: tuple[OutboundMessage, ...] | None = None
    failed: bool = False


class TurnJournal(Protocol):
    """Which turn took which message, and what it answered: the durable record that makes a turn run
    once however often its queue record is delivered (see adapters/postgres_turn_journal.py)."""

    def holding(self, wamid: str) -> JournaledTurn | None:
        """The turn that took this message, if one did."""
        ...

    def open(self, company_id: int, conversation_id: int, messages: Sequence[BufferedMessage]) -> JournaledTurn | None:
        """Records the messages no turn took yet in the transcript and a turn answering them, in one
        transaction; None when every one was taken before."""
        ...

    def decide(self, turn_id: int, replies: Sequence[OutboundMessage], *, failed: bool) -> None: ...

    def claim(self, turn_id: int, index: int) -> bool:
        """True once per reply ``index`` of the turn: that reply may be sent now, and never again."""
        ...

    def release(self, turn_id: int, index: int) -> None:
        """WhatsApp refused to take reply ``index`` (it never went out): a later attempt may send it."""
        ...

    def finish(self, turn_id: int) -> None: ...


class TurnResponder(Protocol):
    """Decides the replies to a text turn (the AI conversation implements this later)."""

    def respond(self, turn: InboundTurn) -> list[OutboundMessage]: ...

    def abandon(self, turn: InboundTurn) -> None:
        """The turn failed and was handed to an administrator: nothing the bot proposed before (a cancel
        or a move awaiting "да") may be carried out by a later message."""
        ...


@dataclass(frozen=True)
class HandoffRequest:
    """What an administrator needs to take a conversation over; ``reason`` is Russian, for their eyes."""

    company_id: int
    conversation_id: int
    client_phone: str | None
    client_name: str | None
    reason: str


class HandoffOutcome(StrEnum):
    """What really happened, so the bot's sentence about it can be true."""

    NOTIFIED = "notified"  # an administrator accepted the message just now
    ALREADY_NOTIFIED = "already_notified"  # the open hand-off's administrators were told before
    NO_ADMIN = "no_admin"  # the salon lists no administrator: nobody was told
    FAILED = "failed"  # every send to an administrator failed: nobody was told

    @property
    def reached_a_person(self) -> bool:
        return self in (HandoffOutcome.NOTIFIED, HandoffOutcome.ALREADY_NOTIFIED)


class HandoffLog(Protocol):
    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        """Opens the conversation's hand-off (one open at a time) and tells the salon's administrators,
        once per open hand-off, the client's number, name and last messages."""
        ...


class HumanDesk(Protocol):
    """What comes before the brain: turns that are not the bot's to answer."""

    def intercept(self, turn: InboundTurn) -> list[OutboundMessage] | None:
        """The replies to a turn a person owns (a salon administrator's own message, or a client whose
        open hand-off an administrator has: no reply), or None when the bot answers it."""
        ...


# --- what the AI conversation needs (see conversation/model.py for the data) -----------------------


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...


class ContextStore(Protocol):
    """The dialog state between turns: Redis for the context TTL, PostgreSQL as the durable copy."""

    def load(self, company_id: int, conversation_id: int) -> DialogState | None: ...

    def save(self, company_id: int, conversation_id: int, state: DialogState) -> None: ...


class CatalogueReader(Protocol):
    """The salon, its services and staff as the nightly sync stored them."""

    def catalogue(self, company_id: int) -> Catalogue: ...

    def working_hours(self, company_id: int, staff_id: int, day: date) -> TimeWindow | None:
        """The member's hours that day; None when they do not work (or the schedule is unknown and
        the salon is closed that day)."""
        ...


class ClientProfiles(Protocol):
    def profile(self, company_id: int, phone: str) -> ClientProfile | None: ...


class BookingError(Exception):
    """The CRM refused or failed a booking action; ``slot_taken`` when the time is no longer free."""

    def __init__(self, message: str, *, slot_taken: bool = False, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.slot_taken = slot_taken
        self.outcome_unknown = outcome_unknown


class BookingDesk(Protocol):
    """Live CRM operations for one conversation turn. Every change reads back before returning."""

    def free_starts(self, company_id: int, staff_id: int, day: date, service_ids: Sequence[int]) -> list[datetime]: ...

    def master_day(self, company_id: int, staff_id: int, day: date) -> MasterDay:
        """When the master works that day and what is booked; raises ``BookingError``."""
        ...

    def book(
        self,
        company_id: int,
        *,
        phone: str,
        name: str,
        staff_id: int,
        service_ids: Sequence[int],
        start: datetime,
        api_id: str,
    ) -> Booked:
        """Creates the record and returns it as read back; raises ``BookingError``. ``api_id`` makes a
        redelivered turn find the record it already made instead of booking twice."""
        ...

    def bookings_of(self, company_id: int, phone: str, start: date, end: date) -> list[Booked]:
        """Only records whose client has exactly this phone."""
        ...

    def move(self, company_id: int, booked: Booked, *, start: datetime, staff_id: int) -> Booked: ...

    def add_services(
        self, company_id: int, booked: Booked, *, services: Sequence[tuple[int, float | None]], minutes: int
    ) -> Booked:
        """The visit grows by ``services`` ((id, price)) and ``minutes``, at its start; raises ``BookingError``
        (``slot_taken`` when the longer visit no longer fits the master's day)."""
        ...

    def cancel(self, company_id: int, booked: Booked) -> None: ...

    def confirm(self, company_id: int, booked: Booked) -> None:
        """Attendance 2 (the client confirmed)."""
        ...


class BotChanges(Protocol):
    """Records the bot itself created or changed, so the booking monitor does not announce them."""

    def note(self, company_id: int, record_id: int, change: str, at: datetime) -> None: ...


class OptOuts(Protocol):
    """Clients who asked for no reminders or notifications from a salon."""

    def opt_out(self, company_id: int, phone: str) -> None: ...

    def is_opted_out(self, company_id: int, phone: str) -> bool: ...


class ReminderLog(Protocol):
    def last_reminder(self, company_id: int, phone: str, since: datetime) -> int | None:
        """The record of the latest reminder sent to ``phone`` at or after ``since``."""
        ...

    def last_notified_at(self, company_id: int, phone: str) -> datetime | None:
        """When the salon last sent ``phone`` a reminder or a booking notice: the bot has spoken then."""
        ...
