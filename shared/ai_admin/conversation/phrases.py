"""Every sentence the dialog engine writes, in Russian and in English, built from structured results.

The engine decides what is true (a time is free, a booking was read back, nothing is free for two
weeks); these classes only word it. Nothing here computes a time, a price or a booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from ai_admin.conversation.model import ServiceInfo
from ai_admin.conversation.ports import HandoffOutcome
from ai_admin.conversation.replies import TURN_FAILED, handoff_said
from ai_admin.conversation.understanding import Language
from ai_admin.domain.day_parts import PartOfDay, TimeWindow
from ai_admin.domain.messages import ReplyButton
from ai_admin.domain.russian_format import clock, day_month, minutes_text, on_day, rubles, weekday_name
from ai_admin.domain.russian_words import Case, accusative, dative, genitive, inflect_title

_PARTS_RU = {PartOfDay.MORNING: "утром", PartOfDay.AFTERNOON: "днём", PartOfDay.EVENING: "вечером"}
_PARTS_EN = {
    PartOfDay.MORNING: "in the morning",
    PartOfDay.AFTERNOON: "in the afternoon",
    PartOfDay.EVENING: "in the evening",
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def either(items: Sequence[str], word: str = "или") -> str:
    """ "13:30, 14:00 или 16:00"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def grouped_times(times: Sequence[datetime], parts: dict[PartOfDay, str]) -> str:
    """ "утром 10:00, 11:30; днём 13:00; вечером 18:00", or a plain list when three or fewer."""
    ordered = sorted(times)
    if len(ordered) <= 3 or len({PartOfDay.of(t.time()) for t in ordered}) == 1:
        return ", ".join(clock(t) for t in ordered)
    groups: dict[PartOfDay, list[str]] = {}
    for moment in ordered:
        groups.setdefault(PartOfDay.of(moment.time()), []).append(clock(moment))
    return "; ".join(f"{parts[part]} {', '.join(items)}" for part, items in groups.items())


class RussianPhrases:
    language: Language = "ru"
    yes = ReplyButton("answer_yes", "Да")
    no = ReplyButton("answer_no", "Нет")

    # --- how things are named ---------------------------------------------------------------------

    def day(self, day: date, today: date) -> str:
        return on_day(day, today)

    def moment(self, moment: datetime, today: date) -> str:
        return f"{self.day(moment.date(), today)}, в {clock(moment)}"

    def services(self, services: Sequence[ServiceInfo]) -> str:
        return " + ".join(accusative(s.title).lower() for s in services)

    def what(self, services: Sequence[ServiceInfo], master: str | None) -> str:
        """ "на мужскую стрижку к Сергею"."""
        return f"на {self.services(services)}" + (f" к {dative(master)}" if master else "")

    def at_master(self, master: str) -> str:
        return f"у {genitive(master)}"

    def part(self, part: PartOfDay) -> str:
        return _PARTS_RU[part]

    def times(self, times: Sequence[datetime]) -> str:
        return grouped_times(times, _PARTS_RU)

    def price(self, service: ServiceInfo) -> str:
        return f"{service.title} — {rubles(service.price, service.price_max)}"

    def booking(self, what: str, moment: str) -> str:
        return f"{what} {moment}"

    # --- booking ----------------------------------------------------------------------------------

    def booked(self, booking: str) -> str:
        return f"Готово! Записал вас {booking}."

    def offer_one(self, moment: str, master: str, what: str) -> str:
        return f"{moment[:1].upper()}{moment[1:]} {self.at_master(master)} есть время. Записать вас {what}?"

    def ask_name(self, moment: str, master: str) -> str:
        return f"{moment[:1].upper()}{moment[1:]} {self.at_master(master)} свободно. Как вас зовут? Укажу имя в записи."

    def free_times(self, day: str, part: PartOfDay | None, what: str, times: str) -> str:
        when = f"{day}, {self.part(part)}" if part else f"{day},"
        return f"{when[:1].upper()}{when[1:]} {what} свободно: {times}. Какое время вам удобно?"

    def free_days(self, what: str, days: Sequence[tuple[str, str]]) -> str:
        listed = "; ".join(f"{day} — {times}" for day, times in days)
        return f"Свободное время {what}: {listed}. Какое время вам удобно?"

    def masters_free(self, names: Sequence[str]) -> str:
        return f"Свободны мастера: {', '.join(names)}. Если хотите к кому-то конкретному — напишите."

    def all_with(self, name: str) -> str:
        return f"Это время {self.at_master(name)}."

    def nothing_free(self, day: str, part: PartOfDay | None) -> str:
        when = f"{day} {self.part(part)}" if part else day
        return f"{when[:1].upper()}{when[1:]} свободного времени нет."

    def nothing_in_two_weeks(self) -> str:
        return "В ближайшие две недели свободного времени нет. Передать ваш запрос администратору?"

    def alternatives(self, listed: str) -> str:
        return f"Могу предложить: {listed}. Какое время удобно?"

    def which_time(self, times: str, *, moving: bool = False) -> str:
        return f"На какое время {'перенести' if moving else 'записать'}: {times}?"

    def slot_list(self, parts: Sequence[tuple[str, Sequence[datetime], str | None]]) -> str:
        """ "завтра, 11 марта, в 14:00 или 16:00; в четверг, 12 марта, в 15:00 у Бари"."""
        return "; ".join(
            f"{day}, в {either([clock(t) for t in times])}" + (f" {self.at_master(master)}" if master else "")
            for day, times, master in parts
        )

    def taken(self, day: str, at: time, master: str | None) -> str:
        who = self.at_master(master) if master else "свободных мастеров нет"
        tail = " занято" if master else ""
        return f"{day[:1].upper()}{day[1:]} в {clock(at)} {who}{tail}."

    def past(self) -> str:
        return "Это время уже прошло."

    def past_day(self, day: date) -> str:
        return f"{day_month(day)} уже прошло."

    def closed(self, day: str, hours: TimeWindow) -> str:
        return f"{day[:1].upper()}{day[1:]}, мы работаем {self.span(hours)}."

    def too_late_to_finish(self, day: str, at: time, hours: TimeWindow) -> str:
        assert hours.end is not None
        return f"{day[:1].upper()}{day[1:]}, в {clock(at)} не успеем: мы работаем до {clock(hours.end)}."

    def span(self, hours: TimeWindow) -> str:
        start = f"с {clock(hours.start)}" if hours.start else ""
        end = f"до {clock(hours.end)}" if hours.end else ""
        return " ".join(p for p in (start, end) if p)

    def salon_closed(self, day: str) -> str:
        return f"{day[:1].upper()}{day[1:]} салон не работает."

    def day_off(self, master: str, day: str) -> str:
        return f"{master} {day.split(',', maxsplit=1)[0]} не работает."

    def ask_service(self, listed: str) -> str:
        return f"На какую услугу вас записать? Есть: {listed}."

    def ask_day(self) -> str:
        return "На какой день вас записать?"

    def unknown_service(self, words: str, area: str | None, listed: str) -> str:
        have = f"Из {inflect_title(area, Case.GENITIVE).lower()} есть: {listed}." if area else f"Есть: {listed}."
        return f"К сожалению, услуги «{words}» у нас нет. {have}"

    def unknown_staff(self, name: str, names: Sequence[str]) -> str:
        return f"Мастера «{name}» у нас нет. У нас работают: {', '.join(names)}."

    def staff_cannot(self, master: str, titles: str, names: Sequence[str]) -> str:
        who = f" Её делают: {', '.join(names)}." if names else ""
        return f"{master} не выполняет услугу «{titles}».{who}"

    def nobody_does(self, titles: str) -> str:
        return f"Услугу «{titles}» сейчас никто из мастеров не выполняет."

    def just_taken(self) -> str:
        return "Это время только что заняли."

    def booking_unknown(self, outcome: HandoffOutcome, salon_phone: str) -> str:
        return "Не удалось получить подтверждение записи от системы салона. " + self.handed_off(outcome, salon_phone)

    def booking_unavailable(self) -> str:
        return "Не получилось записать: система салона сейчас не отвечает. Попробуйте ещё раз через минуту."

    def one_at_a_time(self) -> str:
        return "Вторую запись оформим следующим сообщением."

    def usual(self, what: str) -> str:
        return f"Как обычно — {what}? Подобрать время?"

    # --- the client's bookings --------------------------------------------------------------------

    def no_bookings(self) -> str:
        return "У вас нет предстоящих записей. Хотите записаться?"

    def others_private(self) -> str:
        return "О записях других клиентов рассказать не могу."

    def first_free(self, master: str, day: str, at: str) -> str:
        return f"{day[:1].upper()}{day[1:]}, {self.at_master(master)} ближайшее свободное время — {at}."

    def bookings_unreadable(self) -> str:
        return "Не получилось открыть ваши записи: система салона сейчас не отвечает. Попробуйте через минуту."

    def free_times_unreadable(self) -> str:
        return "Не получилось проверить свободное время: система салона сейчас не отвечает. Попробуйте через минуту."

    def phone_not_verified(self) -> str:
        return (
            "Показать, перенести или отменить записи на этот номер я могу, только когда вы пишете с него самого. "
            "Напишите нам с этого номера или попросите передать вопрос администратору. "
            "Записать вас на новое время могу и здесь."
        )

    def your_booking(self, booking: str) -> str:
        return f"Вы записаны {booking}."

    def your_bookings(self, bookings: Sequence[str]) -> str:
        return "Ваши записи: " + "; ".join(bookings) + "."

    def which_booking(self, bookings: Sequence[str]) -> str:
        numbered = "; ".join(f"{n}) {b}" for n, b in enumerate(bookings, start=1))
        return f"У вас несколько записей: {numbered}. Какую именно?"

    def not_found(self, bookings: Sequence[str]) -> str:
        if len(bookings) == 1:
            return f"Такой записи среди ваших не нашёл. Ваша запись: {bookings[0]}. Вы о ней?"
        return "Такой записи среди ваших не нашёл. " + self.which_booking(bookings)

    def cancel_confirm(self, booking: str) -> str:
        return f"Вы записаны {booking}. Отменить эту запись?"

    def cancelled(self, booking: str) -> str:
        return f"Готово, запись {booking} отменена."

    def move_ask_when(self, booking: str) -> str:
        return f"Вы записаны {booking}. На какой день и время перенести?"

    def move_confirm(self, booking: str, moment: str, master: str | None) -> str:
        who = f" к {dative(master)}" if master else ""
        return f"Перенести вашу запись {booking} на новое время — {moment}{who}?"

    def moved(self, booking: str) -> str:
        return f"Готово, перенёс: ваша запись теперь {booking}."

    def add_confirm(self, added: str, booking: str, until: datetime) -> str:
        return f"Добавить {added} к вашей записи {booking}? Визит продлится до {clock(until)}."

    def added(self, booking: str, until: datetime) -> str:
        return f"Готово, добавил: ваша запись теперь {booking}, до {clock(until)}."

    def add_does_not_fit(self, added: str) -> str:
        return f"К этой записи {added} не поместится: у мастера следующая запись. Подберу отдельное время."

    def change_taken(self) -> str:
        return "Это время уже заняли. Подобрать другое?"

    def change_failed(self, act: str) -> str:
        verb = {"cancel": "отменить", "move": "перенести", "confirm": "подтвердить", "add": "изменить"}[act]
        return f"Не получилось {verb} запись: система салона не ответила. Попробуйте, пожалуйста, через минуту."

    def visit_confirmed(self, moment: str) -> str:
        return f"Спасибо, что подтвердили! Ждём вас {moment}."

    def reminder_declined(self) -> str:
        return "Жаль! Отменить запись или перенести на другое время?"

    def cancel_or_move(self, record_id: int | None) -> list[ReplyButton]:
        raw = str(record_id or "")
        return [ReplyButton(f"visit_cancel:{raw}", "Отменить"), ReplyButton(f"visit_move:{raw}", "Перенести")]

    def late(self, minutes: int | None, moment: str | None) -> str:
        when = f" Ваша запись {moment}." if moment else ""
        return f"Спасибо, что предупредили!{when} Передам мастеру — ждём вас."

    # --- other acts -------------------------------------------------------------------------------

    def opted_out(self) -> str:
        return (
            "Хорошо, больше не буду присылать напоминания и уведомления. "
            "Записаться и задать вопрос можно здесь в любое время."
        )

    def ask_opt_out(self) -> str:
        return "Отключить напоминания о визитах?"

    def yes_or_no(self) -> str:
        return "Подтвердите, пожалуйста: да или нет?"

    def handed_off(self, outcome: HandoffOutcome, salon_phone: str) -> str:
        return handoff_said(outcome, salon_phone)

    def complaint(self, outcome: HandoffOutcome, salon_phone: str) -> str:
        return "Очень жаль, что так получилось, простите нас. " + self.handed_off(outcome, salon_phone)

    def failed_turn(self) -> str:
        return TURN_FAILED

    def kept(self) -> str:
        return "Хорошо, оставляю всё как есть. Чем ещё могу помочь?"

    def not_booked(self) -> str:
        return "Хорошо, не записываю. Если понадобится — пишите."

    def fine(self) -> str:
        return "Хорошо. Если понадобится — пишите, я на связи."

    def ok(self) -> str:
        return "Отлично! Если понадобится что-то ещё — пишите."

    def thanks(self) -> str:
        return "Пожалуйста! Будем рады вас видеть."

    def bye(self) -> str:
        return "До встречи! Если понадобится — пишите."

    def greeting_reply(self) -> str:
        return "Чем могу помочь?"

    def help(self) -> str:
        return (
            "Я могу записать вас на услугу, подсказать цены и свободное время, показать, перенести или отменить "
            "вашу запись. Что вас интересует?"
        )

    def nice_to_meet(self, name: str) -> str:
        return f"Приятно познакомиться, {name}!"

    # --- facts ------------------------------------------------------------------------------------

    def prices(self, lines: Sequence[str]) -> str:
        return "; ".join(lines) + "."

    def price_list(self, lines: Sequence[str], more: int) -> str:
        tail = f"\nИ ещё {more} — спросите, если нужна другая услуга." if more > 0 else ""
        return "Наши цены:\n" + "\n".join(lines) + tail

    def explain(self, service: ServiceInfo, masters: Sequence[str]) -> str:
        about = f" {service.description.strip()}" if service.description.strip() else ""
        who = f" Выполняют: {', '.join(masters)}." if masters else ""
        length = minutes_text(service.minutes)
        return f"{service.title}: {length}, {rubles(service.price, service.price_max)}.{about}{who}"

    def address(self, address: str, title: str) -> str:
        return f"Мы находимся по адресу: {address}." if address else f"Точный адрес {title} подскажет администратор."

    def hours_on(self, day: str, hours: TimeWindow | None) -> str:
        if hours is None:
            return self.salon_closed(day)
        return f"{day[:1].upper()}{day[1:]}, работаем {self.span(hours)}."

    def hours_week(self, lines: Sequence[tuple[str, TimeWindow | None]]) -> str:
        parts = [f"{day} — {self.span(hours) if hours else 'выходной'}" for day, hours in lines]
        return "Часы работы: " + "; ".join(parts) + "."

    def hours_daily(self, hours: TimeWindow) -> str:
        return f"Мы работаем каждый день {self.span(hours)}."

    def weekday(self, day: date) -> str:
        return weekday_name(day)

    def staff_all(self, lines: Sequence[str]) -> str:
        return "У нас работают: " + "; ".join(lines) + "."

    def who_does(self, titles: str, names: Sequence[str]) -> str:
        return (
            f"{titles} делает {either(list(names), 'и')}."
            if len(names) == 1
            else f"{titles} делают: {', '.join(names)}."
        )

    def works_on(self, master: str, day: str, hours: TimeWindow | None) -> str:
        if hours is None:
            return self.day_off(master, day)
        span = f" {self.span(hours)}" if hours.start or hours.end else ""
        return f"{master} работает {day}{span}."

    def works_days(self, master: str, days: Sequence[date]) -> str:
        if not days:
            return f"{master} в ближайшую неделю не работает."
        return f"{master} работает: " + ", ".join(day_month(d) for d in days) + "."


class EnglishPhrases(RussianPhrases):
    language: Language = "en"
    yes = ReplyButton("answer_yes", "Yes")
    no = ReplyButton("answer_no", "No")

    def day(self, day: date, today: date) -> str:
        delta = (day - today).days
        named = f"{_MONTHS_EN[day.month - 1]} {day.day}"
        if delta == 0:
            return f"today, {named}"
        if delta == 1:
            return f"tomorrow, {named}"
        return f"on {_WEEKDAYS_EN[day.weekday()]}, {named}"

    def moment(self, moment: datetime, today: date) -> str:
        return f"{self.day(moment.date(), today)}, at {clock(moment)}"

    def services(self, services: Sequence[ServiceInfo]) -> str:
        return " + ".join(s.title for s in services)

    def what(self, services: Sequence[ServiceInfo], master: str | None) -> str:
        return f"for {self.services(services)}" + (f" with {master}" if master else "")

    def at_master(self, master: str) -> str:
        return f"with {master}"

    def part(self, part: PartOfDay) -> str:
        return _PARTS_EN[part]

    def times(self, times: Sequence[datetime]) -> str:
        return grouped_times(
            times, {PartOfDay.MORNING: "morning", PartOfDay.AFTERNOON: "afternoon", PartOfDay.EVENING: "evening"}
        )

    def price(self, service: ServiceInfo) -> str:
        return f"{service.title} — {_rub_en(service.price, service.price_max)}"

    def booked(self, booking: str) -> str:
        return f"Done! You are booked {booking}."

    def offer_one(self, moment: str, master: str, what: str) -> str:
        return f"{master} is free {moment}. Shall I book you {what}?"

    def ask_name(self, moment: str, master: str) -> str:
        return f"{master} is free {moment}. What name should I put on the booking?"

    def free_times(self, day: str, part: PartOfDay | None, what: str, times: str) -> str:
        when = f"{day}, {self.part(part)}" if part else day
        return f"Free times {what} {when}: {times}. Which time suits you?"

    def free_days(self, what: str, days: Sequence[tuple[str, str]]) -> str:
        listed = "; ".join(f"{day}: {times}" for day, times in days)
        return f"Free times {what}: {listed}. Which time suits you?"

    def masters_free(self, names: Sequence[str]) -> str:
        return f"Free masters: {', '.join(names)}. If you prefer someone, just say so."

    def all_with(self, name: str) -> str:
        return f"These times are with {name}."

    def nothing_free(self, day: str, part: PartOfDay | None) -> str:
        when = f"{day}, {self.part(part)}" if part else day
        return f"There are no free times {when}."

    def nothing_in_two_weeks(self) -> str:
        return "There are no free times in the next two weeks. Shall I pass your request to the administrator?"

    def alternatives(self, listed: str) -> str:
        return f"I can offer: {listed}. Which time suits you?"

    def which_time(self, times: str, *, moving: bool = False) -> str:
        return f"Which time shall I {'move it to' if moving else 'book'}: {times}?"

    def slot_list(self, parts: Sequence[tuple[str, Sequence[datetime], str | None]]) -> str:
        return "; ".join(
            f"{day}, at {either([clock(t) for t in times], 'or')}" + (f" with {master}" if master else "")
            for day, times, master in parts
        )

    def taken(self, day: str, at: time, master: str | None) -> str:
        if master:
            return f"{master} is busy {day} at {clock(at)}."
        return f"No master is free {day} at {clock(at)}."

    def past(self) -> str:
        return "That time has already passed."

    def past_day(self, day: date) -> str:
        return f"{_MONTHS_EN[day.month - 1]} {day.day} has already passed."

    def closed(self, day: str, hours: TimeWindow) -> str:
        return f"{day[:1].upper()}{day[1:]} we are open {self.span(hours)}."

    def too_late_to_finish(self, day: str, at: time, hours: TimeWindow) -> str:
        assert hours.end is not None
        return f"{day[:1].upper()}{day[1:]}, {clock(at)} is too late to finish: we close at {clock(hours.end)}."

    def span(self, hours: TimeWindow) -> str:
        start = f"from {clock(hours.start)}" if hours.start else ""
        end = f"to {clock(hours.end)}" if hours.end else ""
        return " ".join(p for p in (start, end) if p)

    def salon_closed(self, day: str) -> str:
        return f"The salon is closed {day}."

    def day_off(self, master: str, day: str) -> str:
        return f"{master} does not work {day.split(',', maxsplit=1)[0]}."

    def ask_service(self, listed: str) -> str:
        return f"Which service would you like? We have: {listed}."

    def ask_day(self) -> str:
        return "Which day would you like?"

    def unknown_service(self, words: str, area: str | None, listed: str) -> str:
        have = f"In {area} we have: {listed}." if area else f"We have: {listed}."
        return f"We don't offer «{words}». {have}"

    def unknown_staff(self, name: str, names: Sequence[str]) -> str:
        return f"We have no master called «{name}». Our masters: {', '.join(names)}."

    def staff_cannot(self, master: str, titles: str, names: Sequence[str]) -> str:
        who = f" It is done by: {', '.join(names)}." if names else ""
        return f"{master} does not do «{titles}».{who}"

    def nobody_does(self, titles: str) -> str:
        return f"Nobody does «{titles}» at the moment."

    def just_taken(self) -> str:
        return "That time has just been taken."

    def booking_unknown(self, outcome: HandoffOutcome, salon_phone: str) -> str:
        return "I could not get a confirmation from the salon's system. " + self.handed_off(outcome, salon_phone)

    def booking_unavailable(self) -> str:
        return "I could not book: the salon's system is not answering. Please try again in a minute."

    def one_at_a_time(self) -> str:
        return "Let's make the second booking in the next message."

    def usual(self, what: str) -> str:
        return f"As usual, {what}? Shall I find a time?"

    def no_bookings(self) -> str:
        return "You have no upcoming bookings. Would you like to book?"

    def others_private(self) -> str:
        return "I can't share other clients' bookings."

    def first_free(self, master: str, day: str, at: str) -> str:
        return f"{master}'s first free time {day} is {at}."

    def bookings_unreadable(self) -> str:
        return "I could not open your bookings: the salon's system is not answering. Please try in a minute."

    def free_times_unreadable(self) -> str:
        return "I could not check the free times: the salon's system is not answering. Please try in a minute."

    def phone_not_verified(self) -> str:
        return (
            "I can show, move or cancel the bookings of this number only when you write from it. Please write "
            "from that number or ask for the administrator. I can book a new visit here, though."
        )

    def your_booking(self, booking: str) -> str:
        return f"You are booked {booking}."

    def your_bookings(self, bookings: Sequence[str]) -> str:
        return "Your bookings: " + "; ".join(bookings) + "."

    def which_booking(self, bookings: Sequence[str]) -> str:
        numbered = "; ".join(f"{n}) {b}" for n, b in enumerate(bookings, start=1))
        return f"You have several bookings: {numbered}. Which one?"

    def not_found(self, bookings: Sequence[str]) -> str:
        if len(bookings) == 1:
            return f"I did not find such a booking. Your booking: {bookings[0]}. Do you mean it?"
        return "I did not find such a booking. " + self.which_booking(bookings)

    def cancel_confirm(self, booking: str) -> str:
        return f"You are booked {booking}. Cancel this booking?"

    def cancelled(self, booking: str) -> str:
        return f"Done, your booking {booking} is cancelled."

    def move_ask_when(self, booking: str) -> str:
        return f"You are booked {booking}. Which day and time should I move it to?"

    def move_confirm(self, booking: str, moment: str, master: str | None) -> str:
        who = f" with {master}" if master else ""
        return f"Move your booking {booking} to a new time — {moment}{who}?"

    def moved(self, booking: str) -> str:
        return f"Done, moved: your booking is now {booking}."

    def add_confirm(self, added: str, booking: str, until: datetime) -> str:
        return f"Add {added} to your booking {booking}? The visit would last until {clock(until)}."

    def added(self, booking: str, until: datetime) -> str:
        return f"Done, added: your booking is now {booking}, until {clock(until)}."

    def add_does_not_fit(self, added: str) -> str:
        return f"{added} will not fit into that booking: the master has the next client. Let me find a separate time."

    def change_taken(self) -> str:
        return "That time has already been taken. Shall I find another?"

    def change_failed(self, act: str) -> str:
        verb = {"add": "change"}.get(act, act)
        return f"I could not {verb} the booking: the salon's system did not answer. Please try again in a minute."

    def visit_confirmed(self, moment: str) -> str:
        return f"Thank you for confirming! See you {moment}."

    def reminder_declined(self) -> str:
        return "What a pity! Shall I cancel the booking or move it?"

    def cancel_or_move(self, record_id: int | None) -> list[ReplyButton]:
        raw = str(record_id or "")
        return [ReplyButton(f"visit_cancel:{raw}", "Cancel"), ReplyButton(f"visit_move:{raw}", "Move")]

    def late(self, minutes: int | None, moment: str | None) -> str:
        when = f" Your booking is {moment}." if moment else ""
        return f"Thanks for letting us know!{when} I will tell the master — see you soon."

    def opted_out(self) -> str:
        return "Fine, no more reminders or notices. You can still book and ask here any time."

    def ask_opt_out(self) -> str:
        return "Turn off visit reminders?"

    def yes_or_no(self) -> str:
        return "Please confirm: yes or no?"

    def handed_off(self, outcome: HandoffOutcome, salon_phone: str) -> str:
        if outcome is HandoffOutcome.NOTIFIED:
            return "I passed your question to the administrator, who will contact you shortly."
        if outcome is HandoffOutcome.ALREADY_NOTIFIED:
            return "The administrator already knows about your question and will contact you."
        call = f"please call the salon: {salon_phone}" if salon_phone else "please call the salon"
        return f"I could not reach the administrator right away — {call}."

    def complaint(self, outcome: HandoffOutcome, salon_phone: str) -> str:
        return "I am very sorry about that. " + self.handed_off(outcome, salon_phone)

    def failed_turn(self) -> str:
        return "Sorry, I could not process your message."

    def kept(self) -> str:
        return "Fine, I leave everything as it is. Anything else I can help with?"

    def not_booked(self) -> str:
        return "Fine, I won't book. Write any time."

    def fine(self) -> str:
        return "Fine. Write any time, I am here."

    def ok(self) -> str:
        return "Great! Write if you need anything else."

    def thanks(self) -> str:
        return "You are welcome! We look forward to seeing you."

    def bye(self) -> str:
        return "See you! Write any time."

    def greeting_reply(self) -> str:
        return "How can I help?"

    def help(self) -> str:
        return (
            "I can book you for a service, tell you prices and free times, and show, move or cancel your "
            "booking. What would you like?"
        )

    def nice_to_meet(self, name: str) -> str:
        return f"Nice to meet you, {name}!"

    def prices(self, lines: Sequence[str]) -> str:
        return "; ".join(lines) + "."

    def price_list(self, lines: Sequence[str], more: int) -> str:
        tail = f"\nAnd {more} more — ask about any other service." if more > 0 else ""
        return "Our prices:\n" + "\n".join(lines) + tail

    def explain(self, service: ServiceInfo, masters: Sequence[str]) -> str:
        about = f" {service.description.strip()}" if service.description.strip() else ""
        who = f" Done by: {', '.join(masters)}." if masters else ""
        return f"{service.title}: {service.minutes} min, {_rub_en(service.price, service.price_max)}.{about}{who}"

    def address(self, address: str, title: str) -> str:
        return f"Our address: {address}." if address else "The administrator will tell you the exact address."

    def hours_on(self, day: str, hours: TimeWindow | None) -> str:
        if hours is None:
            return self.salon_closed(day)
        return f"{day[:1].upper()}{day[1:]} we are open {self.span(hours)}."

    def hours_week(self, lines: Sequence[tuple[str, TimeWindow | None]]) -> str:
        parts = [f"{day}: {self.span(hours) if hours else 'closed'}" for day, hours in lines]
        return "Opening hours: " + "; ".join(parts) + "."

    def hours_daily(self, hours: TimeWindow) -> str:
        return f"We are open every day {self.span(hours)}."

    def weekday(self, day: date) -> str:
        return _WEEKDAYS_EN[day.weekday()]

    def staff_all(self, lines: Sequence[str]) -> str:
        return "Our masters: " + "; ".join(lines) + "."

    def who_does(self, titles: str, names: Sequence[str]) -> str:
        return f"{titles}: {', '.join(names)}."

    def works_on(self, master: str, day: str, hours: TimeWindow | None) -> str:
        if hours is None:
            return self.day_off(master, day)
        span = f" {self.span(hours)}" if hours.start or hours.end else ""
        return f"{master} works {day}{span}."

    def works_days(self, master: str, days: Sequence[date]) -> str:
        if not days:
            return f"{master} does not work in the coming week."
        return f"{master} works: " + ", ".join(f"{_MONTHS_EN[d.month - 1]} {d.day}" for d in days) + "."


def _rub_en(amount: float | None, upper: float | None) -> str:
    if amount is None:
        return "price on request"
    if upper is not None and int(upper) > int(amount):
        return f"{int(amount)}-{int(upper)} ₽"
    return f"{int(amount)} ₽"


def phrases(language: Language) -> RussianPhrases:
    return EnglishPhrases() if language == "en" else RussianPhrases()
