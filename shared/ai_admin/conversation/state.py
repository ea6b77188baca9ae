"""The dialog state the engine keeps between turns (Redis for the context TTL, PostgreSQL as the
durable copy): what the conversation is about and what the bot is waiting for.

At most one thing is awaited at a time, and each has its own type: an ``Offer`` (free times were
listed, the client picks one), a ``Choice`` (which of the client's bookings is meant), a ``Pending``
act (the bot stated a booking, move, cancel or opt-out and waits for a yes). ``asked`` says what the
last reply asked for, so a bare answer ("Лена", "в 5", "детскую") can be read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from ai_admin.conversation.understanding import Expecting, Language, WhenSpec


class _State(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a context saved by an older release still loads


class OfferedSlot(_State):
    staff_id: int
    start: datetime  # aware


class Offer(_State):
    """Free times the bot listed (or is about to look for), and what they are for."""

    service_ids: list[int] = Field(default_factory=list)
    staff_id: int | None = None  # the master the client asked for; None = anyone
    staff_excluded: list[int] = Field(default_factory=list)
    slots: list[OfferedSlot] = Field(default_factory=list)
    record_id: int | None = None  # times for moving this booking, not for a new one
    usual: bool = False  # "как обычно — на стрижку к Сергею?" was asked: a yes looks for times


PendingKind = Literal["book", "move", "cancel", "add", "stop_reminders"]


class Pending(_State):
    """An act the bot has stated and is waiting for the client to confirm."""

    kind: PendingKind
    record_id: int | None = None
    staff_id: int | None = None
    service_ids: list[int] = Field(default_factory=list)  # what is booked, or, for "add", what the visit gains
    start: datetime | None = None  # the new start of a booking or a move
    stated_at: datetime


ChoiceAct = Literal["move", "cancel", "confirm"]


class Choice(_State):
    """The bot listed the client's bookings and asked which one the act is for."""

    act: ChoiceAct
    record_ids: list[int]  # in the order listed
    when: WhenSpec | None = None  # the move's target, carried until the booking is known
    staff_id: int | None = None


class Turn(_State):
    role: Literal["client", "bot"]
    text: str
    at: datetime


class DialogState(_State):
    """Everything the bot remembers about this conversation between turns."""

    # what the conversation is about (carried into the next request when the client does not say)
    service_ids: list[int] = Field(default_factory=list)
    staff_id: int | None = None
    staff_excluded: list[int] = Field(default_factory=list)
    day: date | None = None
    held_when: WhenSpec | None = None  # the request's when, while the bot asks which service it is for
    topic: Literal["booking", "price", "explain"] | None = None
    # what the bot is waiting for
    offer: Offer | None = None
    choice: Choice | None = None
    pending: Pending | None = None
    asked: Expecting = Expecting.NOTHING
    reminded: int | None = None  # a reminder of this record was sent since the bot last spoke
    # who, and how we talk
    client_name: str | None = None
    language: Language = "ru"
    greeted_at: datetime | None = None
    last_bot_at: datetime | None = None
    last_reply: str = ""
    turns: list[Turn] = Field(default_factory=list)
    booked_turns: dict[str, int] = Field(default_factory=dict)  # turn key -> record id (redelivery)
    just_booked: int | None = None  # the booking the bot's last reply made: a new time next is its change
    handed_off: bool = False

    MAX_TURNS: ClassVar[int] = 12

    def remember(self, role: Literal["client", "bot"], text: str, at: datetime) -> None:
        self.turns.append(Turn(role=role, text=text, at=at))
        del self.turns[: -self.MAX_TURNS]

    def settle(self) -> None:
        """Nothing is awaited any more (the act was done, declined or replaced)."""
        self.offer = None
        self.choice = None
        self.pending = None
        self.held_when = None
        self.asked = Expecting.NOTHING

    def offered_starts(self) -> tuple[datetime, ...]:
        return tuple(slot.start for slot in self.offer.slots) if self.offer else ()
