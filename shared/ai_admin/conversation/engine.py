"""The dialog engine: one deterministic mechanism that turns what the client meant (an
``Understanding``) and what the bot is waiting for (the ``DialogState``) into acts and a reply.

A turn, in order:

1. Buttons the client tapped become intents (they are our own ids, read here, not by a reader).
2. Intents are reconciled with the dialog: a time named while a move is being arranged is the move's
   new time, never a second booking; a cancel plus a new booking is a move; an answer to "Какую
   именно?" picks the booking; "пораньше" refers to the times just offered.
3. A name is saved first, so a booking in the same message uses it.
4. Questions the salon's data answers (prices, address, hours, masters, the client's bookings) are
   answered in the order asked.
5. One intent drives the dialog: a complaint or a request for a person, then cancel, move, book,
   running late, stopping reminders, then a plain yes or no to what the bot asked.

Nothing is cancelled or moved without the bot stating it and a later yes; nothing is booked unless
the client's own words name the time, or they said yes to a time the bot stated. Every sentence about
times, dates, prices and bookings is written here from the tools' structured results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from ai_admin.conversation.actions import Action
from ai_admin.conversation.model import Booked, ServiceInfo, StaffInfo
from ai_admin.conversation.phrases import RussianPhrases, phrases
from ai_admin.conversation.ports import BookingError, HandoffLog, HandoffOutcome, HandoffRequest, OptOuts
from ai_admin.conversation.state import Choice, ChoiceAct, Offer, OfferedSlot, Pending
from ai_admin.conversation.tools import facts
from ai_admin.conversation.tools.book import Booker, BookingFailure
from ai_admin.conversation.tools.change_booking import (
    BookingsUnreadable,
    ChangeFailure,
    ClientBookings,
    PhoneNotVerified,
    matching,
)
from ai_admin.conversation.tools.free_times import MOST_SHOWN, Calendar, Verdict, nearest_first, spread
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Expecting, Intent, IntentKind, RecordHint, Understanding, WhenSpec
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.messages import ReplyButton

K = IntentKind
INFO = (K.PRICE, K.EXPLAIN, K.ADDRESS, K.HOURS, K.STAFF_LIST, K.STAFF_SCHEDULE, K.MY_BOOKINGS)
DRIVERS = (K.COMPLAINT, K.HUMAN, K.CANCEL, K.MOVE, K.BOOK, K.LATE, K.STOP_REMINDERS, K.YES, K.NO)
OFFER_SLOTS_KEPT = 24


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
class _Subject:
    """What free times are looked for: the services of one visit, the master asked for (None =
    anyone), everyone who may take it (favourites first), and the booking being moved, if any."""

    services: list[ServiceInfo]
    named: StaffInfo | None
    staff: list[StaffInfo]
    moving: Booked | None = None

    @property
    def service_ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.services)


class _Stop(Exception):
    """The current intent cannot go on; what the client must be told has been said."""


class DialogEngine:
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

    # --- the turn ------------------------------------------------------------------------------------

    def answer(self, understanding: Understanding) -> EngineReply:
        self._language(understanding)
        done = self.st.booked_turns.get(self.ctx.turn_key)
        if done is not None:  # a redelivered turn: its booking is made, say so again
            booked = self.acting.bookings.find(done)
            self.out.append(self.say.booked(self._booking_text(booked)) if booked else self.say.ok())
            return EngineReply(" ".join(self.out))
        # buttons are our own ids: read here, whatever a reader made of them
        said = (
            [i for i in understanding.intents if i.reply_id is None] if self.ctx.button_ids else understanding.intents
        )
        intents = self._reconcile([*self._button_intents(), *said])
        named = next((i.name for i in intents if i.kind is K.NAME and i.name and not i.tentative), None)
        if named:
            self.st.client_name = named
        for intent in intents:
            if intent.kind in INFO:
                self._guarded(self._inform, intent)
        driver = next((i for kind in DRIVERS for i in intents if i.kind is kind), None)
        if driver is not None:
            if driver.kind is not K.YES and driver.kind is not K.NO:
                self._leave_pending(driver)
            self._guarded(self._drive, driver)
        elif named:
            self._named(named)
        if not self.out:
            self._small_talk(intents, understanding.reply)
        if self._second_booking:
            self.out.append(self.say.one_at_a_time())
        self.st.asked = self._asked
        return EngineReply(" ".join(self.out), self.buttons, self.acts)

    def _language(self, understanding: Understanding) -> None:
        letters = [c for c in self.ctx.text if c.isalpha()]
        if letters and not self.ctx.button_ids:  # "15:00", "+" or a button keep the conversation's language
            self.st.language = understanding.language
        self.say = phrases(self.st.language)

    def _guarded(self, handler: Callable[[Intent], None], intent: Intent) -> None:
        try:
            handler(intent)
        except _Stop:
            pass
        except BookingsUnreadable:
            self.out.append(self.say.bookings_unreadable())
        except PhoneNotVerified:
            self.st.settle()
            self.out.append(self.say.phone_not_verified())
        except BookingError:  # the CRM's free times could not be read this turn
            self.st.pending = None
            self.out.append(self.say.free_times_unreadable())

    def _ask(self, expecting: Expecting, sentence: str, buttons: Sequence[ReplyButton] = ()) -> None:
        self.out.append(sentence)
        self._asked = expecting
        if buttons:
            self.buttons = list(buttons)

    # --- reading intents against the dialog -------------------------------------------------------------

    def _button_intents(self) -> list[Intent]:
        found = []
        for button in self.ctx.button_ids:
            kind, _, raw = button.partition(":")
            record = int(raw) if raw.isdigit() else None
            hint = RecordHint(record_id=record)
            if kind == "answer_yes":
                found.append(Intent(K.YES, reply_id=button))
            elif kind == "answer_no":
                found.append(Intent(K.NO, reply_id=button))
            elif kind == "visit_confirm":
                self.st.reminded = record or self.st.reminded
                found.append(Intent(K.YES, record=hint, reply_id=button))
            elif kind == "visit_decline":
                self.st.reminded = record or self.st.reminded
                found.append(Intent(K.NO, record=hint, reply_id=button))
            elif kind == "visit_cancel":
                found.append(Intent(K.CANCEL, record=hint, reply_id=button))
            elif kind == "visit_move":
                found.append(Intent(K.MOVE, record=hint, reply_id=button))
        return found

    def _reconcile(self, intents: list[Intent]) -> list[Intent]:
        pending = self.st.pending
        if pending is not None:
            # "переносите" / "отменяйте" / "записывайте" to the act just stated: that is the yes
            same = {"book": K.BOOK, "move": K.MOVE, "cancel": K.CANCEL}.get(pending.kind)
            intents = [Intent(K.YES) if i.kind is same and _adds_nothing(i) else i for i in intents]
        if self._has(intents, K.YES):
            # "да, переносите" / "да, записывайте": the yes, not a new request
            intents = [i for i in intents if not (i.kind in (K.BOOK, K.MOVE, K.CANCEL) and _adds_nothing(i))]
        books = [i for i in intents if i.kind is K.BOOK]
        if len(books) > 1:
            first, rest = books[0], books[1:]
            merged = first
            for other in rest:
                if other.services and first.services and set(other.services) != set(first.services):
                    self._second_booking = True
                    continue
                merged = _merge(merged, other)
            intents = [merged if i is first else i for i in intents if i not in rest]
        cancels = [i for i in intents if i.kind is K.CANCEL]
        books = [i for i in intents if i.kind is K.BOOK]
        if cancels and books and not books[0].when.is_empty and not self._has(intents, K.MOVE):
            # "отмените четверг и запишите на пятницу": one booking changes day, it is a move
            move = Intent(K.MOVE, record=cancels[0].record, when=books[0].when, staff=books[0].staff)
            intents = [move if i is cancels[0] else i for i in intents if i is not books[0]]
        arranging = self.st.pending is not None and self.st.pending.kind == "book"
        arranging = arranging or (
            self.st.offer is not None and self.st.offer.record_id is None and bool(self.st.offer.slots)
        )
        if arranging:
            # "завтра не получится, давайте на пятницу" while a new booking is arranged: its new time
            intents = [
                Intent(K.BOOK, when=i.when, staff=i.staff) if i.kind is K.MOVE and i.record.is_empty else i
                for i in intents
            ]
        moving = self._moving_record()
        if moving is not None and not self._has(intents, K.MOVE, K.CANCEL):
            intents = [self._as_move(i, moving) if i.kind is K.BOOK else i for i in intents]
        if self.st.choice is not None and not any(
            i.kind in (K.MOVE, K.CANCEL) and not i.record.is_empty for i in intents
        ):
            intents = self._answer_choice(intents)
        return intents

    @staticmethod
    def _has(intents: Sequence[Intent], *kinds: IntentKind) -> bool:
        return any(i.kind in kinds for i in intents)

    def _moving_record(self) -> int | None:
        st = self.st
        if st.pending is not None and st.pending.kind == "move":
            return st.pending.record_id
        if st.offer is not None and st.offer.record_id is not None:
            return st.offer.record_id
        if st.choice is not None and st.choice.act == "move" and len(st.choice.record_ids) == 1:
            return st.choice.record_ids[0]
        return None

    def _as_move(self, intent: Intent, record_id: int) -> Intent:
        """A time named while a move is being arranged is the move's new time, never a second booking."""
        booked = self.acting.bookings.find(record_id)
        if booked is None or (intent.services and not set(intent.services) <= set(booked.service_ids)):
            return intent
        return Intent(
            K.MOVE,
            record=RecordHint(record_id=record_id),
            when=intent.when,
            staff=intent.staff,
            any_staff=intent.any_staff,
        )

    def _answer_choice(self, intents: list[Intent]) -> list[Intent]:
        """ "Какую именно?" -> "детскую, которая в субботу" / "вторую" / "ту, что у Сергея"."""
        choice = self.st.choice
        assert choice is not None
        source = next((i for i in intents if _hint_of(i) is not None), None)
        if source is None:
            return intents
        hint = _hint_of(source)
        assert hint is not None
        options = [b for i in choice.record_ids if (b := self.acting.bookings.find(i)) is not None]
        picked = matching(options, hint, choice.record_ids)
        if len(picked) != 1:
            return intents
        kind = {"move": K.MOVE, "cancel": K.CANCEL, "confirm": K.YES}[choice.act]
        carried = choice.when or WhenSpec()
        own = choice.act == "move" and not source.when.is_empty and not _is_only_record(source, hint)
        target = source.when if own else carried
        chosen = Intent(kind, record=RecordHint(record_id=picked[0].record_id), when=target, staff=choice.staff_id)
        self.st.choice = None
        return [chosen if i is source else i for i in intents]

    def _leave_pending(self, driver: Intent) -> None:
        """A new request replaces what the bot was waiting for ("ой, лучше вообще отмените")."""
        pending = self.st.pending
        if pending is None:
            return
        same_move = (
            driver.kind is K.MOVE and pending.kind == "move" and driver.record.record_id in (None, pending.record_id)
        )
        if not same_move and not (driver.kind is K.BOOK and pending.kind == "book" and driver.when.is_empty):
            self.st.pending = None

    # --- the driving intent ---------------------------------------------------------------------------------

    def _drive(self, intent: Intent) -> None:
        handlers = {
            K.COMPLAINT: self._complaint,
            K.HUMAN: self._human,
            K.CANCEL: self._cancel,
            K.MOVE: self._move,
            K.BOOK: self._book,
            K.LATE: self._late,
            K.STOP_REMINDERS: self._stop_reminders,
            K.YES: self._yes,
            K.NO: self._no,
        }
        handlers[intent.kind](intent)

    def _named(self, name: str) -> None:
        pending = self.st.pending
        if pending is not None and pending.kind == "book" and pending.start and pending.staff_id:
            self._book_pending(pending)
        else:
            self.out.append(self.say.nice_to_meet(name))

    def _complaint(self, intent: Intent) -> None:
        outcome = self._hand_off("клиент недоволен: прочитайте переписку")
        self.st.settle()
        self.out.append(self.say.complaint(outcome, self.ctx.catalogue.salon.phone))

    def _human(self, intent: Intent) -> None:
        outcome = self._hand_off("клиент просит администратора")
        self.out.append(self.say.handed_off(outcome, self.ctx.catalogue.salon.phone))

    def _hand_off(self, reason: str) -> HandoffOutcome:
        outcome = hand_off(self.ctx, self.acting.handoffs, reason)
        if outcome.reached_a_person:
            self.acts.append(Action.HANDED_OFF)
        return outcome

    def _late(self, intent: Intent) -> None:
        booked = self._todays_booking()
        moment = self.say.moment(booked.start, self.cal.today) if booked else None
        self.out.append(self.say.late(intent.minutes_late, moment))

    def _todays_booking(self) -> Booked | None:
        try:
            mine = self.acting.bookings.upcoming()
        except (BookingsUnreadable, PhoneNotVerified):
            return None
        reminded = next((b for b in mine if b.record_id == self.st.reminded), None)
        return reminded or next((b for b in mine if b.start.date() == self.cal.today), None)

    def _stop_reminders(self, intent: Intent) -> None:
        if not self.ctx.phone_verified:
            raise PhoneNotVerified  # a typed number's reminders are its owner's to stop
        if intent.tentative:
            self.st.settle()
            self.st.pending = Pending(kind="stop_reminders", stated_at=self.ctx.now)
            self._ask(Expecting.YES_NO, self.say.ask_opt_out(), [self.say.yes, self.say.no])
            return
        self.acting.opt_outs.opt_out(self.ctx.company_id, self.ctx.phone)
        self.acts.append(Action.OPTED_OUT)
        self.st.settle()
        self.out.append(self.say.opted_out())

    # --- yes / no ---------------------------------------------------------------------------------------------

    def _yes(self, intent: Intent) -> None:
        st = self.st
        if intent.tentative and (st.pending is not None or st.reminded is not None):
            self._ask(Expecting.YES_NO, self.say.yes_or_no(), [self.say.yes, self.say.no])
            return
        if st.pending is not None:
            self._carry_out(st.pending)
        elif st.reminded is not None and (intent.record.record_id in (None, st.reminded)):
            self._confirm_visit(intent.record.record_id or st.reminded)
        elif st.offer is not None and st.offer.usual:
            usual = st.offer
            st.offer = None
            self._book(Intent(K.BOOK, services=tuple(usual.service_ids), staff=usual.staff_id))
        elif st.offer is not None and len({s.start for s in st.offer.slots}) == 1:
            slot = st.offer.slots[0]
            self._offered_yes(Intent(K.BOOK, when=_at(slot.start), staff=slot.staff_id, firm=True))
        elif st.offer is not None and st.offer.slots:
            self._offered_yes(Intent(K.BOOK, firm=False))  # "да" to several times: which one
        elif st.choice is not None:
            self._ask(Expecting.CHOICE, self.say.which_booking(self._listed(st.choice.record_ids)))
        else:
            self.out.append(self.say.ok())

    def _offered_yes(self, intent: Intent) -> None:
        """A yes to times offered earlier: one is booked if still ahead, else what is free now is listed."""
        offer = self.st.offer
        assert offer is not None
        ahead = [s for s in offer.slots if s.start > self.ctx.now]
        intent = replace(intent, services=tuple(offer.service_ids))
        if not ahead:
            self.out.append(self.say.past())
            intent = replace(intent, when=WhenSpec(), firm=False)
        elif intent.when.is_empty:
            times = self.say.times(sorted({s.start for s in ahead}))
            self._ask(Expecting.TIME, self.say.which_time(times, moving=offer.record_id is not None))
            return
        if offer.record_id is not None:
            self._move(
                Intent(K.MOVE, record=RecordHint(record_id=offer.record_id), when=intent.when, staff=intent.staff)
            )
            return
        self._book(intent)

    def _no(self, intent: Intent) -> None:
        st = self.st
        if st.reminded is not None and st.pending is None and st.offer is None:
            record = intent.record.record_id or st.reminded
            st.reminded = None
            self._ask(Expecting.CHOICE, self.say.reminder_declined(), self.say.cancel_or_move(record))
            return
        was_booking = (st.pending is not None and st.pending.kind == "book") or (
            st.offer is not None and st.offer.record_id is None
        )
        had_something = st.pending is not None or st.offer is not None or st.choice is not None
        st.settle()
        if was_booking:
            self.out.append(self.say.not_booked())
        elif had_something:
            self.out.append(self.say.kept())
        else:
            self.out.append(self.say.fine())

    def _carry_out(self, pending: Pending) -> None:
        if pending.kind == "book":
            self._book_pending(pending)
        elif pending.kind == "cancel":
            self._cancel_now(pending)
        elif pending.kind == "move":
            self._move_now(pending)
        else:
            self._stop_reminders(Intent(K.STOP_REMINDERS))  # the client said yes to "Отключить напоминания?"

    # --- booking --------------------------------------------------------------------------------------------

    def _book(self, intent: Intent) -> None:
        st = self.st
        if _adds_nothing(intent) and st.pending is not None and st.pending.kind == "book":
            self._book_pending(st.pending)  # "давайте, записывайте" after "Записать вас?"
            return
        st.topic = "booking" if intent.firm or not intent.when.is_empty or not intent.services else st.topic
        if st.topic == "price" and intent.services and not intent.firm and intent.when.is_empty:
            self._prices(intent)  # "а детская?" after a price question
            return
        if intent.when.day is not None and intent.when.day >= self.cal.today:
            st.day = intent.when.day  # kept for the answer to whatever is asked first (service, master)
        nothing_yet = not intent.services and not st.service_ids and st.offer is None and not intent.services_unknown
        if (intent.usual and not intent.services) or (nothing_yet and self._has_usual()):
            intent = self._usual(intent)
        if intent.when.time is not None and self._past(intent.when):
            self.out.append(self.say.past())  # said before anything else is asked
            intent = replace(intent, when=replace(intent.when, time=None, past=False))
        services = self._services_for(intent)
        subject = self._subject(intent, services)
        self._when_for(subject, intent.when, firm=intent.firm)

    def _past(self, when: WhenSpec) -> bool:
        if when.time is None or (when.day is not None and when.day > self.cal.today):
            return False
        day = when.day or self.st.day or self.cal.today
        return datetime.combine(day, when.time, self.ctx.catalogue.salon.tz) <= self.ctx.now and (
            when.day is not None or when.past
        )

    def _when_for(self, subject: _Subject, when: WhenSpec, *, firm: bool) -> None:
        """Free times, or a verdict on the moment asked, for a new booking or a move (``subject``)."""
        if when.unclear:
            self._ask(Expecting.DAY, self.say.ask_day())
            return
        if when.nudge is not None:
            self._nudge(subject, when)
            return
        if when.past and when.day is not None and when.time is None:
            self.out.append(self.say.past_day(when.day))
            when = WhenSpec()
        if when.time is not None:
            self._at_time(subject, self._start(when), firm=firm)
            return
        self._list_days(subject, self._days(when), when)

    def _has_usual(self) -> bool:
        profile = self.ctx.profile
        return bool(profile and (profile.favourite_service_ids or profile.last_service_ids))

    def _usual(self, intent: Intent) -> Intent:
        profile = self.ctx.profile
        usual = (profile.last_service_ids or profile.favourite_service_ids[:1]) if profile else ()
        services = facts.services_of(self.ctx.catalogue, usual)
        if not services:
            return intent
        master = next(
            (
                m.id
                for i in (profile.favourite_staff_ids if profile else ())
                if (m := self.ctx.catalogue.member(i)) and {s.id for s in services} <= m.service_ids
            ),
            None,
        )
        ids = tuple(s.id for s in services)
        if intent.when.is_empty:
            self.st.offer = Offer(service_ids=list(ids), staff_id=master, usual=True)
            what = self.say.what(services, self._name_of(master))
            self._ask(Expecting.YES_NO, self.say.usual(what))
            raise _Stop
        return replace(intent, services=ids, staff=intent.staff or master)

    def _services_for(self, intent: Intent) -> list[ServiceInfo]:
        catalogue = self.ctx.catalogue
        st = self.st
        ids = list(intent.services) or list(st.service_ids) or (st.offer.service_ids if st.offer else [])
        ids = [i for i in ids if i not in set(intent.services_excluded)]
        if intent.services_unknown and not intent.services:
            area = facts.area_of(intent.services_unknown, catalogue)
            self.out.append(self.say.unknown_service(intent.services_unknown, area.title, facts.listed(area.services)))
            self._asked = Expecting.SERVICE
            raise _Stop
        services = facts.services_of(catalogue, ids)
        if not services:
            shown = catalogue.services[: facts.LISTED_SERVICES]
            self._ask(Expecting.SERVICE, self.say.ask_service(facts.listed(shown, len(catalogue.services))))
            if not intent.when.is_empty and intent.when.day:
                st.day = intent.when.day
            raise _Stop
        st.service_ids = [s.id for s in services]
        return services

    def _subject(self, intent: Intent, services: list[ServiceInfo]) -> _Subject:
        """The master asked for (None = anyone) and everyone who may take the booking, favourites first."""
        catalogue = self.ctx.catalogue
        st = self.st
        service_ids = [s.id for s in services]
        if intent.staff_unknown and intent.staff is None and not intent.any_staff:
            self._ask(Expecting.STAFF, self.say.unknown_staff(intent.staff_unknown, [m.name for m in catalogue.staff]))
            raise _Stop
        if intent.any_staff:
            st.staff_id = None
        elif intent.staff is not None:
            st.staff_id = intent.staff
        if intent.staff_excluded:
            st.staff_excluded = list(intent.staff_excluded)
            if st.staff_id in intent.staff_excluded:
                st.staff_id = None
        named = catalogue.member(st.staff_id) if st.staff_id is not None else None
        titles = " + ".join(s.title for s in services)
        if named is not None and not set(service_ids) <= named.service_ids:
            able = [m.name for m in facts.able(catalogue, service_ids)]
            self._ask(Expecting.STAFF, self.say.staff_cannot(named.name, titles, able))
            st.staff_id = None
            raise _Stop
        favourites = self.ctx.profile.favourite_staff_ids if self.ctx.profile else ()
        staff = self.cal.candidates(service_ids, named.id if named else None, st.staff_excluded, favourites)
        if not staff:
            self.out.append(self.say.nobody_does(titles))
            raise _Stop
        return _Subject(services, named, staff)

    def _start(self, when: WhenSpec, day: date | None = None) -> datetime:
        tz = self.ctx.catalogue.salon.tz
        assert when.time is not None
        day = when.day or day or self.st.day
        if day is None:
            today_at = datetime.combine(self.cal.today, when.time, tz)
            day = self.cal.today if today_at > self.ctx.now else self.cal.today + timedelta(days=1)
        self.st.day = day
        return datetime.combine(day, when.time, tz)

    def _days(self, when: WhenSpec, default: date | None = None) -> list[date]:
        if when.day is not None:
            last = when.day_until or when.day
            days = [when.day + timedelta(days=n) for n in range((last - when.day).days + 1)]
            days = [d for d in days if d >= self.cal.today] or [self.cal.today]
            self.st.day = days[0]
            return days
        focus = default or self.st.day
        return [focus] if focus is not None and focus >= self.cal.today else []

    def _at_time(self, subject: _Subject, start: datetime, *, firm: bool) -> None:
        judged = self.cal.judge(start, subject.service_ids, subject.staff, subject.named is not None)
        if judged.verdict is Verdict.FREE:
            member = self.ctx.catalogue.member(judged.staff_id or subject.staff[0].id)
            assert member is not None
            if subject.moving is not None:
                self._state_move(subject.moving, member, start)
            elif firm:
                self._book_now(subject, member, start)
            else:
                self._state_booking(subject, member, start)
            return
        if judged.verdict is Verdict.TAKEN and subject.moving is None and self._already_theirs(subject, start):
            return
        lead = self._why_not(judged.verdict, start, subject.named, judged.hours)
        at = start.time() if start > self.ctx.now else None
        self._offer_alternatives(subject, lead, max(start.date(), self.cal.today), at)

    def _already_theirs(self, subject: _Subject, start: datetime) -> bool:
        """The time is taken by this client's own booking of these services (the same request again, or
        a turn redelivered after its first attempt booked): they are booked, and are told so."""
        try:
            upcoming = self.acting.bookings.upcoming()
        except (BookingsUnreadable, PhoneNotVerified):
            return False
        mine = next(
            (
                b
                for b in upcoming
                if b.start == start
                and set(subject.service_ids) <= set(b.service_ids)
                and b.staff_id in {m.id for m in subject.staff}
            ),
            None,
        )
        if mine is None:
            return False
        self.st.booked_turns[self.ctx.turn_key] = mine.record_id
        self.st.settle()
        self.out.append(self.say.booked(self._booking_text(mine)))
        return True

    def _why_not(self, verdict: Verdict, start: datetime, named: StaffInfo | None, hours: TimeWindow | None) -> str:
        day = self.say.day(start.date(), self.cal.today)
        if verdict is Verdict.PAST:
            return self.say.past()
        if verdict is Verdict.CLOSED and hours is not None:
            opens_by = hours.start is None or start.time() >= hours.start
            if opens_by and hours.end is not None and start.time() < hours.end:
                return self.say.too_late_to_finish(day, start.time(), hours)  # starts in hours, ends after
            return self.say.closed(day, hours)
        if verdict is Verdict.DAY_OFF and named is not None:
            return self.say.day_off(named.name, day)
        if verdict is Verdict.SALON_CLOSED:
            return self.say.salon_closed(day)
        return self.say.taken(day, start.time(), named.name if named else None)

    def _offer_alternatives(self, subject: _Subject, lead: str, day: date, at: time | None) -> None:
        named = subject.named
        others = self.cal.candidates(subject.service_ids, None, self.st.staff_excluded) if named is not None else []
        slots = self.cal.alternatives(subject.staff, day, at, subject.service_ids, named=named, others=others)
        self._remember_offer(subject, slots)
        if not slots:
            self.out.append(f"{lead} {self.say.nothing_in_two_weeks()}")
            return
        self._ask(Expecting.TIME, f"{lead} {self.say.alternatives(self._slot_text(slots, named))}")

    def _slot_text(self, slots: Sequence[OfferedSlot], named: StaffInfo | None) -> str:
        groups: dict[tuple[date, int], list[datetime]] = {}
        for slot in sorted(slots, key=lambda s: s.start):
            groups.setdefault((slot.start.date(), slot.staff_id), []).append(slot.start)
        parts = []
        for (day, staff_id), starts in groups.items():
            member = self.ctx.catalogue.member(staff_id)
            who = None if member is None or (named is not None and member.id == named.id) else member.name
            parts.append((self.say.day(day, self.cal.today), starts, who))
        return self.say.slot_list(parts)

    def _list_days(self, subject: _Subject, days: list[date], when: WhenSpec) -> None:
        window = _window(when)
        named = subject.named
        what = self.say.what(subject.services, named.name if named else None)
        if not days:
            found = self.cal.first_day_with_slots(subject.staff, subject.service_ids, self.cal.today, window)
            if found is None:
                self.out.append(self.say.nothing_in_two_weeks())
                self._remember_offer(subject, [])
                return
            days = [found[0]]
            self.st.day = found[0]
        per_day = [(day, self.cal.slots_on(subject.staff, day, subject.service_ids, window)) for day in days]
        with_slots = [(day, slots) for day, slots in per_day if slots]
        if not with_slots:
            lead = self.say.nothing_free(self.say.day(days[0], self.cal.today), when.part_of_day)
            at = window.start if window and window.start else None
            self._offer_alternatives(subject, lead, days[-1], at)
            return
        if len(with_slots) == 1:
            day, slots = with_slots[0]
            shown = spread(slots)
            text = self.say.free_times(
                self.say.day(day, self.cal.today), when.part_of_day, what, self.say.times([s.start for s in shown])
            )
        else:
            each = max(2, MOST_SHOWN // len(with_slots))
            listed = [(day, spread(slots, each)) for day, slots in with_slots[:3]]
            shown = [s for _, day_slots in listed for s in day_slots]
            text = self.say.free_days(
                what, [(self.say.day(day, self.cal.today), self.say.times([s.start for s in sl])) for day, sl in listed]
            )
        offered_starts = {s.start for s in shown}
        kept = [s for _, slots in with_slots for s in slots if s.start in offered_starts]
        self._remember_offer(subject, kept)
        masters = sorted({s.staff_id for s in kept})
        if named is None and len(masters) > 1 and subject.moving is None:
            text += " " + self.say.masters_free([m.name for m in subject.staff if m.id in masters])
        self._ask(Expecting.TIME, text)

    def _nudge(self, subject: _Subject, when: WhenSpec) -> None:
        """ "пораньше" / "попозже": times before the earliest or after the latest one just offered."""
        reference = list(self.st.offered_starts())
        if self.st.pending is not None and self.st.pending.start is not None:
            reference.append(self.st.pending.start)
        if not reference and subject.moving is not None:
            reference.append(subject.moving.start)
        if not reference:
            self._list_days(subject, self._days(when), when)
            return
        day = when.day or min(reference).date()
        if when.nudge == "earlier":
            edge = min(reference)
            window = TimeWindow(None, edge.time()) if edge.date() == day else None
        else:
            edge = max(reference)
            window = TimeWindow((edge + timedelta(minutes=1)).time(), None) if edge.date() == day else None
        slots = self.cal.slots_on(subject.staff, day, subject.service_ids, window)
        if not slots and when.nudge == "later":
            found = self.cal.first_day_with_slots(subject.staff, subject.service_ids, day + timedelta(days=1))
            if found is not None:
                day, slots = found
        if not slots:
            lead = self.say.nothing_free(self.say.day(day, self.cal.today), None)
            self._offer_alternatives(subject, lead, day, edge.time())
            return
        shown = nearest_first(slots if when.nudge == "later" else list(reversed(slots)), 4)
        kept = [s for s in slots if s.start in {x.start for x in shown}]
        self._remember_offer(subject, kept)
        what = self.say.what(subject.services, subject.named.name if subject.named else None)
        text = self.say.free_times(
            self.say.day(day, self.cal.today), None, what, self.say.times(sorted(s.start for s in shown))
        )
        self._ask(Expecting.TIME, text)

    def _remember_offer(self, subject: _Subject, slots: Sequence[OfferedSlot]) -> None:
        self.st.offer = Offer(
            service_ids=list(subject.service_ids),
            staff_id=subject.named.id if subject.named else None,
            staff_excluded=list(self.st.staff_excluded),
            slots=list(slots)[:OFFER_SLOTS_KEPT],
            record_id=subject.moving.record_id if subject.moving else None,
        )
        self.st.pending = None

    def _state_booking(self, subject: _Subject, member: StaffInfo, start: datetime) -> None:
        service_ids = list(subject.service_ids)
        self.st.offer = Offer(
            service_ids=service_ids, staff_id=member.id, slots=[OfferedSlot(staff_id=member.id, start=start)]
        )
        self.st.pending = Pending(
            kind="book", staff_id=member.id, service_ids=service_ids, start=start, stated_at=self.ctx.now
        )
        moment = self.say.moment(start, self.cal.today)
        what = self.say.what(subject.services, None)
        self._ask(Expecting.YES_NO, self.say.offer_one(moment, member.name, what), [self.say.yes, self.say.no])

    def _client_name(self) -> str | None:
        profile_name = self.ctx.profile.name if self.ctx.profile else None
        return self.st.client_name or profile_name or _usable_name(self.ctx.profile_name)

    def _book_now(self, subject: _Subject, member: StaffInfo, start: datetime) -> None:
        services = subject.services
        service_ids = list(subject.service_ids)
        name = self._client_name()
        if not name:
            self.st.pending = Pending(
                kind="book", staff_id=member.id, service_ids=service_ids, start=start, stated_at=self.ctx.now
            )
            self._ask(Expecting.NAME, self.say.ask_name(self.say.moment(start, self.cal.today), member.name))
            return
        result = self.acting.booker.book(
            phone=self.ctx.phone, name=name, staff_id=member.id, service_ids=service_ids, start=start
        )
        if result.booked is not None:
            self.st.booked_turns[self.ctx.turn_key] = result.booked.record_id
            self.st.settle()
            self.st.day = None
            self.acts.append(Action.BOOKED)
            self.acting.bookings.forget()
            self._booked_text(result.booked, member, services, start)
            return
        if result.failure is BookingFailure.TAKEN:
            self.cal.forget()
            self._offer_alternatives(
                _Subject(services, member, [member]), self.say.just_taken(), start.date(), start.time()
            )
        elif result.failure is BookingFailure.UNKNOWN:
            outcome = self._hand_off("YClients не подтвердил запись: проверьте, создана ли она")
            self.out.append(self.say.booking_unknown(outcome, self.ctx.catalogue.salon.phone))
        else:
            self.out.append(self.say.booking_unavailable())

    def _booked_text(
        self, booked: Booked | None, member: StaffInfo, services: Sequence[ServiceInfo], start: datetime
    ) -> None:
        if booked is not None:
            member = self.ctx.catalogue.member(booked.staff_id) or member
            services = facts.services_of(self.ctx.catalogue, booked.service_ids) or list(services)
            start = booked.start
        what = self.say.what(services, member.name)
        self.out.append(self.say.booked(self.say.booking(what, self.say.moment(start, self.cal.today))))

    def _book_pending(self, pending: Pending) -> None:
        assert pending.start is not None and pending.staff_id is not None
        member = self.ctx.catalogue.member(pending.staff_id)
        services = facts.services_of(self.ctx.catalogue, pending.service_ids)
        if member is None or not services:
            self.st.settle()
            self.out.append(self.say.help())
            return
        self._at_time(_Subject(services, member, [member]), pending.start, firm=True)

    # --- the client's bookings ----------------------------------------------------------------------------

    def _booking_text(self, booked: Booked) -> str:
        services = facts.services_of(self.ctx.catalogue, booked.service_ids)
        what = self.say.what(services, self._name_of(booked.staff_id))
        return self.say.booking(what, self.say.moment(booked.start, self.cal.today))

    def _listed(self, record_ids: Sequence[int]) -> list[str]:
        return [self._booking_text(b) for i in record_ids if (b := self.acting.bookings.find(i)) is not None]

    def _name_of(self, staff_id: int | None) -> str | None:
        member = self.ctx.catalogue.member(staff_id) if staff_id is not None else None
        return member.name if member else None

    def _which(self, intent: Intent, act: ChoiceAct) -> Booked:
        """The booking ``intent`` is about; asks (and stops) when it is not clear which."""
        mine = self.acting.bookings.upcoming()
        if not mine:
            self.st.settle()
            self.out.append(self.say.no_bookings())
            raise _Stop
        if not intent.record.is_empty:
            found = matching(mine, intent.record, self.st.choice.record_ids if self.st.choice else ())
            if len(found) == 1:
                return found[0]
            options = found or mine
            self._choose(act, options, intent, not_found=not found)
        st = self.st
        for default in (
            st.pending.record_id if st.pending else None,
            st.offer.record_id if st.offer else None,
            st.reminded,
        ):
            chosen = next((b for b in mine if b.record_id == default), None)
            if chosen is not None:
                return chosen
        if len(mine) == 1:
            return mine[0]
        self._choose(act, mine, intent)
        raise AssertionError("unreachable")

    def _choose(self, act: ChoiceAct, options: Sequence[Booked], intent: Intent, *, not_found: bool = False) -> None:
        self.st.choice = Choice(
            act=act,
            record_ids=[b.record_id for b in options],
            when=intent.when if not intent.when.is_empty else None,
            staff_id=intent.staff,
        )
        self.st.pending = None
        listed = [self._booking_text(b) for b in options]
        self._ask(Expecting.CHOICE, self.say.not_found(listed) if not_found else self.say.which_booking(listed))
        raise _Stop

    def _cancel(self, intent: Intent) -> None:
        booked = self._which(intent, "cancel")
        self.st.settle()
        self.st.pending = Pending(kind="cancel", record_id=booked.record_id, stated_at=self.ctx.now)
        self._ask(Expecting.YES_NO, self.say.cancel_confirm(self._booking_text(booked)), [self.say.yes, self.say.no])

    def _cancel_now(self, pending: Pending) -> None:
        booked = self.acting.bookings.find(pending.record_id or 0)
        self.st.settle()
        if booked is None:
            self.out.append(self.say.no_bookings())
            return
        failure = self.acting.bookings.cancel(booked)
        if failure is not None:
            self.out.append(self.say.change_failed("cancel"))
            return
        self.acts.append(Action.CANCELLED)
        self.out.append(self.say.cancelled(self._booking_text(booked)))

    def _move(self, intent: Intent) -> None:
        booked = self._which(intent, "move")
        services = facts.services_of(self.ctx.catalogue, booked.service_ids)
        self.st.service_ids = list(booked.service_ids)
        self.st.choice = None
        when = intent.when
        if (when.is_empty and intent.staff is None) or when.unclear:
            self.st.pending = None
            self.st.offer = Offer(
                service_ids=list(booked.service_ids), staff_id=booked.staff_id, record_id=booked.record_id
            )
            self._ask(Expecting.TIME, self.say.move_ask_when(self._booking_text(booked)))
            return
        if intent.staff is not None:
            member = self.ctx.catalogue.member(intent.staff)
        else:
            member = None if intent.any_staff else self.ctx.catalogue.member(booked.staff_id)
        staff = [member] if member is not None else self.cal.candidates(booked.service_ids)
        subject = _Subject(services, member, staff, moving=booked)
        self.cal.moving = booked
        if when.shift_minutes is not None:
            start = booked.start + timedelta(minutes=when.shift_minutes)
            if when.day is not None:
                start = datetime.combine(when.day, start.timetz())
            self._at_time(subject, start, firm=False)
        elif when.is_empty:  # only another master: the same time with them
            self._at_time(subject, booked.start, firm=False)
        elif when.time is not None and when.nudge is None:
            self._at_time(subject, self._start(when, booked.start.date()), firm=False)
        elif when.nudge is not None:
            self._nudge(subject, when)
        else:
            self._list_days(subject, self._days(when, booked.start.date()), when)

    def _state_move(self, booked: Booked, member: StaffInfo, start: datetime) -> None:
        self.st.offer = None
        self.st.pending = Pending(
            kind="move",
            record_id=booked.record_id,
            staff_id=member.id,
            service_ids=list(booked.service_ids),
            start=start,
            stated_at=self.ctx.now,
        )
        master = member.name if member.id != booked.staff_id else None
        sentence = self.say.move_confirm(self._booking_text(booked), self.say.moment(start, self.cal.today), master)
        self._ask(Expecting.YES_NO, sentence, [self.say.yes, self.say.no])

    def _move_now(self, pending: Pending) -> None:
        booked = self.acting.bookings.find(pending.record_id or 0)
        if booked is None or pending.start is None:
            self.st.settle()
            self.out.append(self.say.no_bookings())
            return
        moved = self.acting.bookings.move(booked, start=pending.start, staff_id=pending.staff_id or booked.staff_id)
        if moved is ChangeFailure.TAKEN:
            self.st.pending = None
            services = facts.services_of(self.ctx.catalogue, booked.service_ids)
            member = self.ctx.catalogue.member(pending.staff_id or booked.staff_id)
            self.cal.forget()
            subject = _Subject(services, member, [member] if member else [], moving=booked)
            self._offer_alternatives(subject, self.say.change_taken(), pending.start.date(), pending.start.time())
            return
        if isinstance(moved, ChangeFailure):
            self.out.append(self.say.change_failed("move"))
            return
        self.st.settle()
        self.acts.append(Action.MOVED)
        self.out.append(self.say.moved(self._booking_text(moved)))

    def _confirm_visit(self, record_id: int) -> None:
        booked = self.acting.bookings.find(record_id)
        self.st.reminded = None
        if booked is None:
            self.out.append(self.say.no_bookings())
            return
        failure = self.acting.bookings.confirm(booked)
        if failure is not None:
            self.out.append(self.say.change_failed("confirm"))
            return
        self.acts.append(Action.CONFIRMED)
        self.out.append(self.say.visit_confirmed(self.say.moment(booked.start, self.cal.today)))

    # --- facts --------------------------------------------------------------------------------------------

    def _inform(self, intent: Intent) -> None:
        handlers = {
            K.PRICE: self._prices,
            K.EXPLAIN: self._explain,
            K.ADDRESS: self._address,
            K.HOURS: self._hours,
            K.STAFF_LIST: self._staff_list,
            K.STAFF_SCHEDULE: self._schedule,
            K.MY_BOOKINGS: self._my_bookings,
        }
        handlers[intent.kind](intent)

    def _prices(self, intent: Intent) -> None:
        catalogue = self.ctx.catalogue
        self.st.topic = "price"
        services = facts.services_of(catalogue, intent.services)
        if services:
            if len(services) == 1:
                self.st.service_ids = [services[0].id]
            self.out.append(self.say.prices([self.say.price(s) for s in services]))
            return
        if intent.services_unknown:
            area = facts.area_of(intent.services_unknown, catalogue)
            lines = [self.say.price(s) for s in area.services]
            self.out.append(self.say.unknown_service(intent.services_unknown, area.title, "; ".join(lines)))
            return
        shown = catalogue.services[: facts.PRICE_LIST_LINES]
        self.out.append(self.say.price_list([self.say.price(s) for s in shown], len(catalogue.services) - len(shown)))

    def _explain(self, intent: Intent) -> None:
        self.st.topic = "explain"
        services = facts.services_of(self.ctx.catalogue, intent.services or self.st.service_ids)
        if not services:
            if intent.services_unknown:
                area = facts.area_of(intent.services_unknown, self.ctx.catalogue)
                self.out.append(
                    self.say.unknown_service(intent.services_unknown, area.title, facts.listed(area.services))
                )
            else:
                self._prices(Intent(K.PRICE))
            return
        for service in services[:2]:
            masters = [m.name for m in facts.able(self.ctx.catalogue, [service.id])]
            self.out.append(self.say.explain(service, masters))
        self.st.service_ids = [services[0].id]

    def _address(self, intent: Intent) -> None:
        salon = self.ctx.catalogue.salon
        self.out.append(self.say.address(salon.address, salon.title))

    def _hours(self, intent: Intent) -> None:
        day = intent.when.day
        if day is not None:
            self.out.append(self.say.hours_on(self.say.day(day, self.cal.today), self.cal.salon_hours(day)))
            return
        week = facts.week_hours(self.cal, self.cal.today)
        if len({hours for _, hours in week}) == 1 and week[0][1] is not None:
            self.out.append(self.say.hours_daily(week[0][1]))
            return
        self.out.append(
            self.say.hours_week([(self.say.weekday(d), h) for d, h in sorted(week, key=lambda e: e[0].weekday())])
        )

    def _staff_list(self, intent: Intent) -> None:
        catalogue = self.ctx.catalogue
        services = facts.services_of(catalogue, intent.services)
        if services:
            titles = " + ".join(s.title for s in services)
            names = [m.name for m in facts.able(catalogue, [s.id for s in services])]
            self.out.append(self.say.who_does(titles, names) if names else self.say.nobody_does(titles))
            return
        if intent.services_unknown:
            area = facts.area_of(intent.services_unknown, catalogue)
            self.out.append(self.say.unknown_service(intent.services_unknown, area.title, facts.listed(area.services)))
            return
        lines = [f"{m.name} ({m.specialization})" if m.specialization else m.name for m in catalogue.staff]
        self.out.append(self.say.staff_all(lines))

    def _schedule(self, intent: Intent) -> None:
        catalogue = self.ctx.catalogue
        if intent.staff_unknown and intent.staff is None:
            self.out.append(self.say.unknown_staff(intent.staff_unknown, [m.name for m in catalogue.staff]))
            return
        member = catalogue.member(intent.staff) if intent.staff is not None else None
        members = [member] if member else list(catalogue.staff)
        when = intent.when
        if when.day is not None:
            for m in members:
                self.out.append(
                    self.say.works_on(m.name, self.say.day(when.day, self.cal.today), self.cal.hours(m, when.day))
                )
            return
        week = [self.cal.today + timedelta(days=n) for n in range(7)]
        for m in members:
            self.out.append(self.say.works_days(m.name, [d for d in week if self.cal.hours(m, d) is not None]))

    def _my_bookings(self, intent: Intent) -> None:
        mine = self.acting.bookings.upcoming()
        if not mine:
            self.out.append(self.say.no_bookings())
        elif len(mine) == 1:
            self.out.append(self.say.your_booking(self._booking_text(mine[0])))
        else:
            self.out.append(self.say.your_bookings([self._booking_text(b) for b in mine]))

    # --- anything else ---------------------------------------------------------------------------------

    def _small_talk(self, intents: Sequence[Intent], reply: str | None) -> None:
        kinds = {i.kind for i in intents}
        about = next((i for i in intents if i.services_unknown or i.services), None)
        if about is not None and about.kind in (K.OTHER, K.CHOOSE):
            self._prices(Intent(K.PRICE, services=about.services, services_unknown=about.services_unknown))
            return
        if reply:
            self.out.append(reply)
        elif K.THANKS in kinds:
            self.out.append(self.say.thanks())
        elif K.BYE in kinds:
            self.out.append(self.say.bye())
        elif K.GREETING in kinds:
            self.out.append(self.say.greeting_reply() + " " + self.say.help().split(". ")[0] + ".")
        else:
            self.out.append(self.say.help())


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


def _merge(first: Intent, other: Intent) -> Intent:
    """Two readings of one booking request (the LLM's "search" and "book" calls): what either says."""
    return replace(
        first,
        services=first.services or other.services,
        staff=first.staff if first.staff is not None else other.staff,
        staff_excluded=first.staff_excluded or other.staff_excluded,
        any_staff=first.any_staff or other.any_staff,
        when=max((first.when, other.when), key=lambda w: (w.time is not None, w.day is not None, not w.is_empty)),
        firm=first.firm or other.firm,
    )


def _adds_nothing(intent: Intent) -> bool:
    return (
        intent.when.is_empty
        and not intent.services
        and intent.staff is None
        and not intent.any_staff
        and intent.record.is_empty
    )


def _hint_of(intent: Intent) -> RecordHint | None:
    """Which booking an answer to "Какую именно?" points at, from whatever it names."""
    if not intent.record.is_empty:
        return intent.record
    when = intent.when
    if not (intent.services or intent.staff is not None or when.day or when.time):
        return None
    return RecordHint(day=when.day, time=when.time, service_ids=intent.services, staff_id=intent.staff)


def _is_only_record(intent: Intent, hint: RecordHint) -> bool:
    return intent.when.day == hint.day and intent.when.time == hint.time


def _at(start: datetime) -> WhenSpec:
    return WhenSpec(day=start.date(), time=start.timetz().replace(tzinfo=None))


def _window(when: WhenSpec) -> TimeWindow | None:
    if when.window is not None:
        return when.window
    return when.part_of_day.window if when.part_of_day is not None else None


def _usable_name(name: str | None) -> str | None:
    """A WhatsApp profile name fit to put on a booking: letters, one or two words."""
    if not name:
        return None
    words = [w for w in name.replace("_", " ").split() if w.isalpha()]
    return " ".join(words[:2]).title() if words else None
