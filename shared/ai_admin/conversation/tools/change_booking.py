"""The client's own bookings: listing them, telling which one the client means, and moving,
cancelling or confirming one. Only records whose client has exactly this conversation's phone are
ever read or changed; every change is noted as the bot's own before the CRM call (a CRM webhook for
it may arrive before the call returns)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from ai_admin.conversation.actions import Action
from ai_admin.conversation.model import Booked, Catalogue, ServiceInfo
from ai_admin.conversation.ports import BookingDesk, BookingError, BotChanges
from ai_admin.conversation.understanding import RecordHint
from ai_admin.domain.catalogue_matching import title_words
from ai_admin.observability import logger

AHEAD_DAYS = 90


class BookingsUnreadable(Exception):
    """The CRM did not give us the client's bookings this turn."""


class PhoneNotVerified(Exception):
    """The phone was typed by a sender WhatsApp gives no number for: it may book a new visit, but it
    never opens the bookings of whoever owns that number."""


class ChangeFailure(Enum):
    TAKEN = "taken"
    UNAVAILABLE = "unavailable"


@dataclass
class ClientBookings:
    desk: BookingDesk
    changes: BotChanges
    company_id: int
    phone: str
    now: datetime
    verified: bool = True  # False: ``phone`` was typed, not the sender's own WhatsApp number
    _mine: list[Booked] | None = field(default=None, repr=False)

    def upcoming(self) -> list[Booked]:
        """Live future bookings, earliest first; raises ``BookingsUnreadable`` or ``PhoneNotVerified``."""
        if not self.verified:  # the one gate to existing records: reading, cancel, move, confirm
            raise PhoneNotVerified
        if self._mine is None:
            today = self.now.date()
            try:
                found = self.desk.bookings_of(self.company_id, self.phone, today, today + timedelta(days=AHEAD_DAYS))
            except BookingError as error:
                logger.warning("bookings unreadable", extra={"unknown": error.outcome_unknown})
                raise BookingsUnreadable(str(error)) from error
            self._mine = sorted(
                (b for b in found if b.phone == self.phone and not b.deleted and b.start > self.now),
                key=lambda b: b.start,
            )
        return self._mine

    def forget(self) -> None:
        """The next read asks the CRM again (after this turn changed the client's bookings)."""
        self._mine = None

    def find(self, record_id: int) -> Booked | None:
        return next((b for b in self.upcoming() if b.record_id == record_id), None)

    def cancel(self, booked: Booked) -> ChangeFailure | None:
        self.changes.note(self.company_id, booked.record_id, Action.CANCELLED.value, self.now)
        return self._call(lambda: self.desk.cancel(self.company_id, booked))

    def move(self, booked: Booked, *, start: datetime, staff_id: int) -> Booked | ChangeFailure:
        self.changes.note(self.company_id, booked.record_id, Action.MOVED.value, self.now)
        moved: list[Booked] = []
        failure = self._call(
            lambda: moved.append(self.desk.move(self.company_id, booked, start=start, staff_id=staff_id))
        )
        return failure if failure is not None else moved[0]

    def add_services(self, booked: Booked, services: Sequence[ServiceInfo]) -> Booked | ChangeFailure:
        """The visit grows by ``services`` at its own start ("и бороду тоже"). Not noted as the bot's: the
        booking monitor announces creations, moves and cancellations only."""
        grown: list[Booked] = []
        lines = [(s.id, s.price) for s in services]
        minutes = sum(s.minutes for s in services)
        failure = self._call(
            lambda: grown.append(self.desk.add_services(self.company_id, booked, services=lines, minutes=minutes))
        )
        return failure if failure is not None else grown[0]

    def confirm(self, booked: Booked) -> ChangeFailure | None:
        self.changes.note(self.company_id, booked.record_id, Action.CONFIRMED.value, self.now)
        return self._call(lambda: self.desk.confirm(self.company_id, booked))

    def _call(self, change: Callable[[], object]) -> ChangeFailure | None:
        try:
            change()
        except BookingError as error:
            logger.warning("booking change failed", extra={"slot_taken": error.slot_taken})
            return ChangeFailure.TAKEN if error.slot_taken else ChangeFailure.UNAVAILABLE
        self._mine = None
        return None


def matching(
    bookings: Sequence[Booked], hint: RecordHint, listed: Sequence[int] = (), catalogue: Catalogue | None = None
) -> list[Booked]:
    """The bookings ``hint`` fits; every field the hint has must hold. ``listed`` is the order the bot
    showed them in (for "вторую"); without it the bookings' own order counts. A service the client names
    in general ("педикюр", "my nails") reads as one title of the salon's; with ``catalogue``, a booking of
    another service whose title has every word of it fits when none of the named one does ("Педикюр с
    покрытием" for "Педикюр без покрытия"; never "Мужская стрижка" for "Детская стрижка")."""
    found = list(bookings)
    if hint.record_id is not None:
        found = [b for b in found if b.record_id == hint.record_id]
    if hint.ordinal is not None:
        order = [b for i in listed if (b := next((x for x in found if x.record_id == i), None))] or found
        index = hint.ordinal - 1 if hint.ordinal > 0 else len(order) + hint.ordinal
        found = [order[index]] if 0 <= index < len(order) else []
    if hint.day is not None:
        found = [b for b in found if b.start.date() == hint.day]
    if hint.time is not None:
        found = [b for b in found if b.start.time().replace(tzinfo=None) == hint.time]
    if hint.staff_id is not None:
        found = [b for b in found if b.staff_id == hint.staff_id]
    if hint.service_ids:
        exact = [b for b in found if set(hint.service_ids) & set(b.service_ids)]
        if not exact and catalogue is not None:
            named = [title_words(s) for i in hint.service_ids if (s := catalogue.service(i)) is not None]
            exact = [
                b
                for b in found
                if any(words and words <= title_words(s) for words in named for s in _services(b, catalogue))
            ]
        found = exact
    return found


def _services(booked: Booked, catalogue: Catalogue) -> list[ServiceInfo]:
    return [s for i in booked.service_ids if (s := catalogue.service(i)) is not None]
