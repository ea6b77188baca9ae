"""What every part of the dialog engine shares: the turn, what it acts with, what it has said so far,
and the small vocabulary of its steps (``Subject``, ``Stop``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ai_admin.conversation.actions import Action
from ai_admin.conversation.model import Booked, ServiceInfo, StaffInfo
from ai_admin.conversation.phrases import RussianPhrases, phrases
from ai_admin.conversation.ports import HandoffLog, HandoffOutcome, HandoffRequest, OptOuts
from ai_admin.conversation.tools import facts
from ai_admin.conversation.tools.book import Booker
from ai_admin.conversation.tools.change_booking import ClientBookings
from ai_admin.conversation.tools.free_times import Calendar
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Expecting, Intent, WhenSpec
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.messages import ReplyButton


@dataclass
@dataclass
class EngineReply:
    text: str
    buttons: list[ReplyButton] = field(default_factory=list)
    acts: list[Action] = field(default_factory=list)


@dataclass
class Acting:
    """What the engine acts and looks things up with during one turn."""

    calendar: Calendar
    booker: Booker
    bookings: ClientBookings
    handoffs: HandoffLog
    opt_outs: OptOuts


@dataclass(frozen=True)
class Subject:
    """What free times are looked for: the services of one visit, the master asked for (None =
    anyone), everyone who may take it (favourites first), and the booking being moved, if any."""

    services: list[ServiceInfo]
    named: StaffInfo | None
    staff: list[StaffInfo]
    moving: Booked | None = None

    @property
    def service_ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.services)


class Stop(Exception):
    """The current intent cannot go on; what the client must be told has been said."""


class Flow:
    """One turn's engine state; the flows below add the acts, ``DialogEngine`` the dispatch."""

    def __init__(self, ctx: TurnContext, acting: Acting) -> None:
        self.ctx = ctx
        self.st = ctx.state
        self.cal = acting.calendar
        self.acting = acting
        self.say: RussianPhrases = phrases(self.st.language)
        self.out: list[str] = []
        self.buttons: list[ReplyButton] = []
        self.acts: list[Action] = []
        self._asked = Expecting.NOTHING
        self._second_booking = False

    def _ask(self, expecting: Expecting, sentence: str, buttons: Sequence[ReplyButton] = ()) -> None:
        self.out.append(sentence)
        self._asked = expecting
        if buttons:
            self.buttons = list(buttons)

    def _hand_off(self, reason: str) -> HandoffOutcome:
        outcome = hand_off(self.ctx, self.acting.handoffs, reason)
        if outcome.reached_a_person:
            self.acts.append(Action.HANDED_OFF)
        return outcome

    def _booking_text(self, booked: Booked) -> str:
        services = facts.services_of(self.ctx.catalogue, booked.service_ids)
        what = self.say.what(services, self._name_of(booked.staff_id))
        return self.say.booking(what, self.say.moment(booked.start, self.cal.today))

    def _listed(self, record_ids: Sequence[int]) -> list[str]:
        return [self._booking_text(b) for i in record_ids if (b := self.acting.bookings.find(i)) is not None]

    def _name_of(self, staff_id: int | None) -> str | None:
        member = self.ctx.catalogue.member(staff_id) if staff_id is not None else None
        return member.name if member else None


def hand_off(ctx: TurnContext, handoffs: HandoffLog, reason: str) -> HandoffOutcome:
    """Pass the conversation to the salon's administrators; the outcome says whether anyone was told.
    ``reason`` is for the administrator's eyes (Russian)."""
    profile_name = ctx.profile.name if ctx.profile else None
    request = HandoffRequest(
        ctx.company_id, ctx.conversation_id, ctx.phone or None, ctx.state.client_name or profile_name, reason
    )
    outcome = handoffs.hand_off(request)
    if outcome.reached_a_person:
        ctx.state.handed_off = True
    return outcome


def adds_nothing(intent: Intent) -> bool:
    return (
        intent.when.is_empty
        and not intent.services
        and intent.staff is None
        and not intent.any_staff
        and intent.record.is_empty
    )


def at_start(start: datetime) -> WhenSpec:
    return WhenSpec(day=start.date(), time=start.timetz().replace(tzinfo=None))


def window_of(when: WhenSpec, minutes: int = 0) -> TimeWindow | None:
    """The span the visit may start in; a visit of ``minutes`` that must be over by ``finish_by`` starts that
    much before it."""
    window = when.window or (when.part_of_day.window if when.part_of_day is not None else None)
    if when.finish_by is None:
        return window
    # the window's end is exclusive: a visit ending exactly at finish_by may start at finish_by - minutes
    latest = (datetime.combine(date.min, when.finish_by) - timedelta(minutes=minutes - 1)).time()
    end = min(latest, window.end) if window is not None and window.end is not None else latest
    return TimeWindow(window.start if window is not None else None, end)


def usable_name(name: str | None) -> str | None:
    """A WhatsApp profile name fit to put on a booking: letters, one or two words."""
    if not name:
        return None
    words = [w for w in name.replace("_", " ").split() if w.isalpha()]
    return " ".join(words[:2]).title() if words else None
