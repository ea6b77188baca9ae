"""The engine's answers from the salon's own data: prices, services, the address, hours, masters, schedules
and the client's own bookings."""

from __future__ import annotations

from datetime import timedelta

from ai_admin.conversation.flow import Flow
from ai_admin.conversation.tools import facts
from ai_admin.conversation.tools.change_booking import BookingsUnreadable, PhoneNotVerified
from ai_admin.conversation.understanding import Intent, IntentKind

K = IntentKind


class FactsFlow(Flow):
    def _inform(self, intent: Intent) -> None:
        handlers = {
            K.PRICE: self._prices,
            K.EXPLAIN: self._explain,
            K.ADDRESS: self._address,
            K.HOURS: self._hours,
            K.STAFF_LIST: self._staff_list,
            K.STAFF_SCHEDULE: self._schedule,
            K.MY_BOOKINGS: self._my_bookings,
            K.OTHERS_BOOKINGS: self._others_bookings,
            K.OTHER: self._asked_of_a_service,
        }
        handlers[intent.kind](intent)

    def _asked_of_a_service(self, intent: Intent) -> None:
        """ "а бороду заодно подравняете?": whether the salon does it, and for what, or what it has instead."""
        self._prices(Intent(K.PRICE, services=intent.services, services_unknown=intent.services_unknown))

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

    def _in_view(self) -> list[int]:
        """The services the conversation is about: the subject, or the visit a reminder just named ("а сколько
        оно длится?" after it)."""
        if self.st.service_ids or self.st.reminded is None:
            return list(self.st.service_ids)
        try:
            booked = self.acting.bookings.find(self.st.reminded)
        except (BookingsUnreadable, PhoneNotVerified):
            return []
        return list(booked.service_ids) if booked is not None else []

    def _explain(self, intent: Intent) -> None:
        self.st.topic = "explain"
        services = facts.services_of(self.ctx.catalogue, intent.services or self._in_view())
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
            self.st.service_ids = [s.id for s in services]  # "а к Насте в выходные?" asks for this service next
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

    def _others_bookings(self, intent: Intent) -> None:
        self.out.append(self.say.others_private())  # not even whether anyone is booked then

    def _my_bookings(self, intent: Intent) -> None:
        mine = self.acting.bookings.upcoming()
        if not mine:
            self.out.append(self.say.no_bookings())
        elif len(mine) == 1:
            self.out.append(self.say.your_booking(self._booking_text(mine[0])))
        else:
            self.out.append(self.say.your_bookings([self._booking_text(b) for b in mine]))
