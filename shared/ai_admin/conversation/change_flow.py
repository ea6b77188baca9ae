"""The engine's flow for the client's existing bookings: which one is meant, cancel, move, confirm,
running late. Nothing changes before the bot stated it and the client said yes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from ai_admin.conversation.actions import Action
from ai_admin.conversation.booking_flow import BookingFlow
from ai_admin.conversation.flow import (
    Stop,
    Subject,
)
from ai_admin.conversation.model import Booked
from ai_admin.conversation.state import Choice, ChoiceAct, Offer, Pending
from ai_admin.conversation.tools import facts
from ai_admin.conversation.tools.change_booking import (
    BookingsUnreadable,
    ChangeFailure,
    PhoneNotVerified,
    matching,
)
from ai_admin.conversation.understanding import Expecting, Intent, IntentKind, RecordHint

K = IntentKind


class ChangeFlow(BookingFlow):
    def _which(self, intent: Intent, act: ChoiceAct) -> Booked:
        """The booking ``intent`` is about; asks (and stops) when it is not clear which."""
        mine = self.acting.bookings.upcoming()
        if not mine:
            self.st.settle()
            self.out.append(self.say.no_bookings())
            raise Stop
        if not intent.record.is_empty:
            listed = self.st.choice.record_ids if self.st.choice else ()
            found = matching(mine, intent.record, listed, self.ctx.catalogue)
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
        raise Stop

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
        intent = self._target_not_record(intent)
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
        subject = Subject(services, member, staff, moving=booked)
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

    def _target_not_record(self, intent: Intent) -> Intent:
        """ "перенести на субботу к Бари": a day or master that fits none of the client's bookings is
        where the move goes, not which booking moves."""
        hint = intent.record
        if hint.is_empty or hint.record_id is not None or hint.ordinal is not None:
            return intent
        if matching(self.acting.bookings.upcoming(), hint, catalogue=self.ctx.catalogue):
            return intent
        when = intent.when
        if when.day is None and hint.day is not None:
            when = replace(when, day=hint.day, time=when.time or hint.time)
        return replace(intent, record=RecordHint(), when=when, staff=intent.staff or hint.staff_id)

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
            subject = Subject(services, member, [member] if member else [], moving=booked)
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

    def _late(self, intent: Intent) -> None:
        booked = self._todays_booking()
        if booked is not None and booked.record_id == self.st.reminded:
            # "буду, но минут на 15 опоздаю" answers the reminder: the client is coming, the visit is confirmed
            self.st.reminded = None
            if self.acting.bookings.confirm(booked) is None:
                self.acts.append(Action.CONFIRMED)
        moment = self.say.moment(booked.start, self.cal.today) if booked else None
        self.out.append(self.say.late(intent.minutes_late, moment))

    def _todays_booking(self) -> Booked | None:
        try:
            mine = self.acting.bookings.upcoming()
        except (BookingsUnreadable, PhoneNotVerified):
            return None
        reminded = next((b for b in mine if b.record_id == self.st.reminded), None)
        return reminded or next((b for b in mine if b.start.date() == self.cal.today), None)
