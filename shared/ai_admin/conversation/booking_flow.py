"""The engine's booking flow: which services and masters, the free times or a verdict on the moment
asked, alternatives, and the booking itself (made at once only when the client named its time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from ai_admin.conversation.actions import Action
from ai_admin.conversation.facts_flow import FactsFlow
from ai_admin.conversation.flow import (
    Stop,
    Subject,
    adds_nothing,
    usable_name,
    window_of,
)
from ai_admin.conversation.model import Booked, ServiceInfo, StaffInfo
from ai_admin.conversation.state import Offer, OfferedSlot, Pending
from ai_admin.conversation.tools import facts
from ai_admin.conversation.tools.book import BookingFailure
from ai_admin.conversation.tools.change_booking import (
    BookingsUnreadable,
    ChangeFailure,
    PhoneNotVerified,
)
from ai_admin.conversation.tools.free_times import MOST_SHOWN, Verdict, nearest_first, spread
from ai_admin.conversation.understanding import Expecting, Intent, IntentKind, RecordHint, WhenSpec
from ai_admin.domain.day_parts import TimeWindow

K = IntentKind
OFFER_SLOTS_KEPT = 24


class BookingFlow(FactsFlow):
    def _book(self, intent: Intent) -> None:
        st = self.st
        if intent.record.record_id is not None and intent.services:
            self._add_to_booking(intent)
            return
        if adds_nothing(intent) and st.pending is not None and st.pending.kind == "book":
            self._book_pending(st.pending)  # "давайте, записывайте" after "Записать вас?"
            return
        st.topic = "booking" if intent.firm or not intent.when.is_empty or not intent.services else st.topic
        if st.topic == "price" and intent.services and not intent.firm and intent.when.is_empty:
            self._prices(intent)  # "а детская?" after a price question
            return
        held, st.held_when = st.held_when, None
        if held is not None and intent.when.is_empty and st.asked is Expecting.SERVICE:
            intent = replace(intent, when=held)  # "мужскую стрижку" after "к Руслану завтра в 19" → which service?
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

    def _add_to_booking(self, intent: Intent) -> None:
        """ "и бороду тоже" after a booking: the same visit, longer, when the master does it and is free
        after it (the CRM's schedule says); stated first, then done on a yes. Otherwise a booking of its own."""
        booked = self.acting.bookings.find(intent.record.record_id or 0)
        member = self.ctx.catalogue.member(booked.staff_id) if booked is not None else None
        added = facts.services_of(self.ctx.catalogue, intent.services)
        if booked is None or member is None or not added or not {s.id for s in added} <= member.service_ids:
            self._book(replace(intent, record=RecordHint()))
            return
        minutes = self.ctx.catalogue.minutes([*booked.service_ids, *(s.id for s in added)])
        until = booked.start + timedelta(minutes=minutes)
        day = self.cal.master_day(member, booked.start.date())
        if not day.fits(booked.start, until, ignoring=booked.record_id):
            self.out.append(self.say.add_does_not_fit(self.say.services(added)))
            self._book(
                replace(intent, record=RecordHint(), staff=booked.staff_id, when=WhenSpec(day=booked.start.date()))
            )
            return
        self.st.settle()
        self.st.pending = Pending(
            kind="add", record_id=booked.record_id, service_ids=[s.id for s in added], stated_at=self.ctx.now
        )
        text = self.say.add_confirm(self.say.services(added), self._booking_text(booked), until)
        self._ask(Expecting.YES_NO, text, [self.say.yes, self.say.no])

    def _add_now(self, pending: Pending) -> None:
        booked = self.acting.bookings.find(pending.record_id or 0)
        added = facts.services_of(self.ctx.catalogue, pending.service_ids)
        self.st.settle()
        if booked is None or not added:
            self.out.append(self.say.no_bookings())
            return
        grown = self.acting.bookings.add_services(booked, added)
        if isinstance(grown, ChangeFailure):
            taken = grown is ChangeFailure.TAKEN
            self.out.append(
                self.say.add_does_not_fit(self.say.services(added)) if taken else self.say.change_failed("add")
            )
            return
        self.acts.append(Action.EXTENDED)
        minutes = self.ctx.catalogue.minutes(grown.service_ids)
        self.out.append(self.say.added(self._booking_text(grown), grown.start + timedelta(minutes=minutes)))

    def _past(self, when: WhenSpec) -> bool:
        if when.time is None or (when.day is not None and when.day > self.cal.today):
            return False
        day = when.day or self.st.day or self.cal.today
        return datetime.combine(day, when.time, self.ctx.catalogue.salon.tz) <= self.ctx.now and (
            when.day is not None or when.past
        )

    def _when_for(self, subject: Subject, when: WhenSpec, *, firm: bool) -> None:
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
        if intent.as_last_time and profile is not None and profile.last_staff_id is not None:
            last = self.ctx.catalogue.member(profile.last_staff_id)  # "как в прошлый раз": who did the last visit
            if last is not None and {s.id for s in services} <= last.service_ids:
                master = last.id
        ids = tuple(s.id for s in services)
        if intent.when.is_empty:
            self.st.offer = Offer(service_ids=list(ids), staff_id=master, usual=True)
            what = self.say.what(services, self._name_of(master))
            self._ask(Expecting.YES_NO, self.say.usual(what))
            raise Stop
        when, firm = intent.when, intent.firm
        if when.time is None and when.window is None and when.part_of_day is None and profile and profile.usual_time:
            # "как обычно в пятницу": at the usual time too, stated first (the client did not name it)
            when, firm = replace(when, time=profile.usual_time), False
        return replace(intent, services=ids, staff=intent.staff or master, when=when, firm=firm)

    def _services_for(self, intent: Intent) -> list[ServiceInfo]:
        catalogue = self.ctx.catalogue
        st = self.st
        ids = list(intent.services) or list(st.service_ids) or (st.offer.service_ids if st.offer else [])
        ids = [i for i in ids if i not in set(intent.services_excluded)]
        if intent.services_unknown and not intent.services:
            area = facts.area_of(intent.services_unknown, catalogue)
            self.out.append(self.say.unknown_service(intent.services_unknown, area.title, facts.listed(area.services)))
            self._asked = Expecting.SERVICE
            raise Stop
        services = facts.services_of(catalogue, ids)
        if not services:
            self._first_free(intent)
            shown = catalogue.services[: facts.LISTED_SERVICES]
            self._ask(Expecting.SERVICE, self.say.ask_service(facts.listed(shown, len(catalogue.services))))
            if not intent.when.is_empty and intent.when.day:
                st.day = intent.when.day
            if intent.staff is not None:  # the master and the time asked wait for the service
                st.staff_id = intent.staff
            if not intent.when.is_empty and intent.when.nudge is None and intent.when.shift_minutes is None:
                st.held_when = intent.when
            raise Stop
        st.service_ids = [s.id for s in services]
        return services

    def _first_free(self, intent: Intent) -> None:
        """A master and a span of time but no service yet ("к Руслану сегодня после 19"): the first start in
        it that any of the master's services fits, so the time is true whichever service is named next."""
        member = self.ctx.catalogue.member(intent.staff) if intent.staff is not None else None
        if member is None or intent.when.time is not None:
            return
        theirs = facts.services_of(self.ctx.catalogue, sorted(member.service_ids))
        if not theirs:
            return
        longest = max(theirs, key=lambda s: s.minutes)
        window = window_of(intent.when, longest.minutes)
        if window is None:
            return
        day = intent.when.day or self.cal.today
        slots = self.cal.slots_on([member], day, [longest.id], window)
        if slots:
            at = self.say.times([slots[0].start])
            self.out.append(self.say.first_free(member.name, self.say.day(day, self.cal.today), at))

    def _subject(self, intent: Intent, services: list[ServiceInfo]) -> Subject:
        """The master asked for (None = anyone) and everyone who may take the booking, favourites first."""
        catalogue = self.ctx.catalogue
        st = self.st
        service_ids = [s.id for s in services]
        if intent.staff_unknown and intent.staff is None and not intent.any_staff:
            self._ask(Expecting.STAFF, self.say.unknown_staff(intent.staff_unknown, [m.name for m in catalogue.staff]))
            raise Stop
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
            raise Stop
        favourites = self.ctx.profile.favourite_staff_ids if self.ctx.profile else ()
        staff = self.cal.candidates(service_ids, named.id if named else None, st.staff_excluded, favourites)
        if not staff:
            self.out.append(self.say.nobody_does(titles))
            raise Stop
        return Subject(services, named, staff)

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

    def _at_time(self, subject: Subject, start: datetime, *, firm: bool) -> None:
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

    def _already_theirs(self, subject: Subject, start: datetime) -> bool:
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
        self.st.just_booked = mine.record_id
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

    def _offer_alternatives(self, subject: Subject, lead: str, day: date, at: time | None) -> None:
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

    def _list_days(self, subject: Subject, days: list[date], when: WhenSpec) -> None:
        window = window_of(when, sum(s.minutes for s in subject.services))
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
            if named is not None and all(self.cal.hours(named, day) is None for day in days):
                # "Рустам во вторник не работает", not "свободного времени нет"
                lead = self.say.day_off(named.name, self.say.day(days[0], self.cal.today))
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
        elif named is None and len(masters) == 1 and len(subject.staff) > 1 and subject.moving is None:
            # anyone would do, and only one master is free then: the client is told who it will be
            member = self.ctx.catalogue.member(masters[0])
            if member is not None:
                text += " " + self.say.all_with(member.name)
        self._ask(Expecting.TIME, text)

    def _nudge(self, subject: Subject, when: WhenSpec) -> None:
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
        if when.time is not None:  # "а пораньше? часа в 1": the time said, on that day
            self._when_for(subject, replace(when, nudge=None, day=day), firm=False)
            return
        if when.window is not None:
            # "а попозже? после 4": the span said, on the day of the times offered ("днём" stays a nudge: the
            # client means earlier than the offer, not the afternoon's bounds)
            self._list_days(subject, [day], replace(when, nudge=None, day=day))
            return
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
        # "попозже": the first four after the offer; "пораньше": the last four before it
        shown = nearest_first(slots, 4) if when.nudge == "later" else nearest_first(slots, len(slots))[-4:]
        kept = [s for s in slots if s.start in {x.start for x in shown}]
        self._remember_offer(subject, kept)
        what = self.say.what(subject.services, subject.named.name if subject.named else None)
        text = self.say.free_times(
            self.say.day(day, self.cal.today), None, what, self.say.times(sorted(s.start for s in shown))
        )
        self._ask(Expecting.TIME, text)

    def _remember_offer(self, subject: Subject, slots: Sequence[OfferedSlot]) -> None:
        self.st.offer = Offer(
            service_ids=list(subject.service_ids),
            staff_id=subject.named.id if subject.named else None,
            staff_excluded=list(self.st.staff_excluded),
            slots=list(slots)[:OFFER_SLOTS_KEPT],
            record_id=subject.moving.record_id if subject.moving else None,
        )
        self.st.pending = None

    def _state_booking(self, subject: Subject, member: StaffInfo, start: datetime) -> None:
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

    def _client_name(self) -> str | None:
        profile_name = self.ctx.profile.name if self.ctx.profile else None
        return self.st.client_name or profile_name or usable_name(self.ctx.profile_name)

    def _book_now(self, subject: Subject, member: StaffInfo, start: datetime) -> None:
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
            self.st.just_booked = result.booked.record_id
            self.st.settle()
            self.st.day = None
            self.acts.append(Action.BOOKED)
            self.acting.bookings.forget()
            self._booked_text(result.booked, member, services, start)
            return
        if result.failure is BookingFailure.TAKEN:
            self.cal.forget()
            self._offer_alternatives(
                Subject(services, member, [member]), self.say.just_taken(), start.date(), start.time()
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
        self._at_time(Subject(services, member, [member]), pending.start, firm=True)
