"""The dialog engine: one deterministic mechanism that turns what the client meant (an
``Understanding``) and what the bot is waiting for (the ``DialogState``) into acts and a reply.
This module is the dispatch; the acts are in facts_flow, booking_flow and change_flow.

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
from dataclasses import replace

from ai_admin.conversation.actions import Action
from ai_admin.conversation.change_flow import ChangeFlow
from ai_admin.conversation.flow import (
    EngineReply,
    Stop,
    adds_nothing,
    at_start,
)
from ai_admin.conversation.phrases import phrases
from ai_admin.conversation.ports import BookingError
from ai_admin.conversation.state import Pending
from ai_admin.conversation.tools.change_booking import (
    BookingsUnreadable,
    PhoneNotVerified,
    matching,
)
from ai_admin.conversation.understanding import Expecting, Intent, IntentKind, RecordHint, Understanding, WhenSpec

K = IntentKind
INFO = (K.PRICE, K.EXPLAIN, K.ADDRESS, K.HOURS, K.STAFF_LIST, K.STAFF_SCHEDULE, K.MY_BOOKINGS, K.OTHERS_BOOKINGS)
DRIVERS = (K.COMPLAINT, K.HUMAN, K.CANCEL, K.MOVE, K.BOOK, K.LATE, K.STOP_REMINDERS, K.YES, K.NO)


class DialogEngine(ChangeFlow):
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
        intents = self._reconcile([*self._button_intents(), *said], self.st.just_booked)
        intents = self._growing_the_reminded(intents)
        if any(i.kind in DRIVERS and i.kind not in (K.YES, K.NO) for i in intents):
            self.st.just_booked = None  # kept through thanks, a yes or a question ("ага, отлично"), not past a request
        named = next((i.name for i in intents if i.kind is K.NAME and i.name and not i.tentative), None)
        if named:
            self.st.client_name = named
        for intent in intents:
            if intent.kind in INFO or (intent.kind is K.OTHER and (intent.services or intent.services_unknown)):
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
        except Stop:
            pass
        except BookingsUnreadable:
            self.out.append(self.say.bookings_unreadable())
        except PhoneNotVerified:
            self.st.settle()
            self.out.append(self.say.phone_not_verified())
        except BookingError:  # the CRM's free times could not be read this turn
            self.st.pending = None
            self.out.append(self.say.free_times_unreadable())

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

    def _reconcile(self, intents: list[Intent], just_booked: int | None = None) -> list[Intent]:
        pending = self.st.pending
        if pending is not None:
            # "переносите" / "отменяйте" / "записывайте" to the act just stated, or its own time said again
            # ("да, к 10 как всегда" to "в 10:00 есть время, записать?"): that is the yes
            same = {"book": K.BOOK, "move": K.MOVE, "cancel": K.CANCEL}.get(pending.kind)
            intents = [
                Intent(K.YES) if i.kind is same and (adds_nothing(i) or _restates(i, pending)) else i for i in intents
            ]
        if self._has(intents, K.YES):
            # "да, переносите" / "да, записывайте": the yes, not a new request
            intents = [i for i in intents if not (i.kind in (K.BOOK, K.MOVE, K.CANCEL) and adds_nothing(i))]
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
        intents = [self._as_booking(i) if i.kind is K.MOVE and i.record.record_id is None else i for i in intents]
        moving = self._moving_record()
        if moving is not None and not self._has(intents, K.MOVE, K.CANCEL):
            intents = [self._as_move(i, moving) if i.kind is K.BOOK else i for i in intents]
        elif just_booked is not None and not self._has(intents, K.MOVE, K.CANCEL) and self.st.offer is None:
            # "Записал на 12:00" - "давайте в пол одиннадцатого": that booking's new time, never a second one;
            # "и бороду тоже": the visit grows
            intents = [self._after_booking(i, just_booked) for i in intents]
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

    def _growing_the_reminded(self, intents: list[Intent]) -> list[Intent]:
        """ "да буду. а бороду заодно сделаете?" in answer to a reminder: the client is coming (the visit is
        confirmed) and the new service is for that visit."""
        reminded = self.st.reminded
        if reminded is None or self._has(intents, K.NO, K.MOVE, K.CANCEL):
            return intents
        grown = [self._after_booking(i, reminded) if i.kind is K.BOOK and not i.when.time else i for i in intents]
        if any(i.kind is K.BOOK and i.record.record_id == reminded for i in grown):
            self._guarded(self._yes, Intent(K.YES))  # confirms the reminded visit, and says so
            return [i for i in grown if i.kind is not K.YES]
        return intents

    def _as_booking(self, intent: Intent) -> Intent:
        """ "в четверг не смогу, давайте в пятницу" from a client with no booking: a new one, on the new day."""
        try:
            if self.acting.bookings.upcoming():
                return intent
        except (BookingsUnreadable, PhoneNotVerified):
            return intent
        if intent.when.shift_minutes is not None and intent.when.day is None:
            return intent  # "на час позже" with nothing booked: the move flow says there is nothing to move
        hint = intent.record
        return Intent(K.BOOK, services=hint.service_ids, staff=intent.staff or hint.staff_id, when=intent.when)

    def _after_booking(self, intent: Intent, record_id: int) -> Intent:
        """Said right after a booking was made, on its day or none: another time for the same visit is that
        booking's move; other services with no time of their own are added to it. Anything else is new."""
        if intent.kind is not K.BOOK or intent.when.shift_minutes is not None:
            return intent
        try:
            booked = self.acting.bookings.find(record_id)
        except (BookingsUnreadable, PhoneNotVerified):  # a typed phone books, never changes: a new request
            return intent
        if booked is None:
            return intent
        start = booked.start.astimezone(self.ctx.now.tzinfo)
        same_visit = intent.when.day in (None, start.date()) and intent.staff in (None, booked.staff_id)
        new = [i for i in intent.services if i not in booked.service_ids]
        if same_visit and not new and intent.when.time not in (None, start.time().replace(tzinfo=None)):
            return self._as_move(intent, record_id)
        if same_visit and new and intent.when.time is None and not intent.services_excluded:
            return Intent(K.BOOK, services=tuple(new), record=RecordHint(record_id=record_id), firm=intent.firm)
        return intent

    def _as_move(self, intent: Intent, record_id: int) -> Intent:
        """A time named while a move is being arranged is the move's new time, never a second booking."""
        booked = self.acting.bookings.find(record_id)
        if booked is None or (intent.services and not set(intent.services) <= set(booked.service_ids)):
            return intent
        offered_by = self.st.offer.staff_id if self.st.offer is not None else None  # "к Бари" said before
        return Intent(
            K.MOVE,
            record=RecordHint(record_id=record_id),
            when=intent.when,
            staff=intent.staff if intent.staff is not None or intent.any_staff else offered_by,
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
        picked = matching(options, hint, choice.record_ids, self.ctx.catalogue)
        said_target = False
        if not picked and choice.act == "move" and (hint.day or hint.time):
            # "косички, на воскресенье в это же время": the booking by what it is, the day is where it goes
            picked = matching(options, replace(hint, day=None, time=None), choice.record_ids, self.ctx.catalogue)
            said_target = True
        if len(picked) != 1:
            return intents
        kind = {"move": K.MOVE, "cancel": K.CANCEL, "confirm": K.YES}[choice.act]
        carried = choice.when or WhenSpec()
        own = choice.act == "move" and not source.when.is_empty and (said_target or not _is_only_record(source, hint))
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

    def _yes(self, intent: Intent) -> None:
        st = self.st
        if intent.tentative and (st.pending is not None or st.reminded is not None):
            self._ask(Expecting.YES_NO, self.say.yes_or_no(), [self.say.yes, self.say.no])
            return
        if st.pending is not None:
            self._carry_out(st.pending)
        elif (
            st.reminded is not None
            and intent.record.record_id in (None, st.reminded)
            and not (st.offer is not None and st.offer.record_id == st.reminded)  # times to move it were offered
        ):
            self._confirm_visit(intent.record.record_id or st.reminded)
        elif st.offer is not None and st.offer.usual:
            usual = st.offer
            st.offer = None
            self._book(Intent(K.BOOK, services=tuple(usual.service_ids), staff=usual.staff_id))
        elif st.offer is not None and len({s.start for s in st.offer.slots}) == 1:
            slot = st.offer.slots[0]
            self._offered_yes(Intent(K.BOOK, when=at_start(slot.start), staff=slot.staff_id, firm=True))
        elif st.offer is not None and st.offer.slots:
            self._offered_yes(Intent(K.BOOK, firm=False))  # "да" to several times: which one
        elif st.choice is not None and len(st.choice.record_ids) == 1:
            # "Ваша запись: ... Вы о ней?" - "да": that booking, and the act asked of it goes on
            choice, st.choice = st.choice, None
            kind = {"move": K.MOVE, "cancel": K.CANCEL, "confirm": K.YES}[choice.act]
            hint = RecordHint(record_id=choice.record_ids[0])
            chosen = Intent(kind, record=hint, when=choice.when or WhenSpec(), staff=choice.staff_id)
            self._drive(chosen)
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
        elif pending.kind == "add":
            self._add_now(pending)
        elif pending.kind == "cancel":
            self._cancel_now(pending)
        elif pending.kind == "move":
            self._move_now(pending)
        else:
            self._stop_reminders(Intent(K.STOP_REMINDERS))  # the client said yes to "Отключить напоминания?"

    def _small_talk(self, intents: Sequence[Intent], reply: str | None) -> None:
        kinds = {i.kind for i in intents}
        about = next((i for i in intents if i.services_unknown or i.services), None)
        if about is not None and about.kind is K.CHOOSE:
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


def _restates(intent: Intent, pending: Pending) -> bool:
    """The intent names the stated act's own time (and nothing else of its own)."""
    if pending.start is None or intent.when.time is None or intent.services_excluded or intent.staff_excluded:
        return False
    start = pending.start
    return (
        intent.when.time == start.time().replace(tzinfo=None)
        and intent.when.day in (None, start.date())
        and set(intent.services) <= set(pending.service_ids)
        and intent.staff in (None, pending.staff_id)
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
