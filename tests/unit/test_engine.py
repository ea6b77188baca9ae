"""The dialog engine given what the client meant: acts, dialog state and the sentences it writes.

Each test states the meaning of a turn as an ``Understanding`` (what a reader would produce) and
plays it through the real responder, engine and tools against the in-memory salon of salon_fakes.
"""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from ai_admin.conversation.model import ClientProfile
from ai_admin.conversation.understanding import Intent, IntentKind, RecordHint, Understanding, WhenSpec
from ai_admin.domain.day_parts import PartOfDay
from tests.unit.salon_fakes import GivenReader, at, dialog

K = IntentKind
TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, d) for d in (10, 11, 12, 13, 14, 15))
ME = "+79990000001"


def u(*intents: Intent, language: str = "ru", reply: str | None = None) -> Understanding:
    return Understanding(tuple(intents), language=language, reply=reply)  # type: ignore[arg-type]


def when(day: date | None = None, hour: int | None = None, minute: int = 0, **extra: object) -> WhenSpec:
    return WhenSpec(day=day, time=time(hour, minute) if hour is not None else None, **extra)  # type: ignore[arg-type]


def book(*services: int, staff: int | None = None, firm: bool = True, **extra: object) -> Intent:
    return Intent(K.BOOK, services=services, staff=staff, firm=firm, **extra)  # type: ignore[arg-type]


def known(d) -> None:  # type: ignore[no-untyped-def]
    d.memory.profiles[ME] = ClientProfile(ME, client_id=1, name="Анна")


def mine(d) -> list:  # type: ignore[no-untyped-def]
    return sorted(
        (r.staff_id, r.service_ids, r.start) for r in d.memory.records.values() if r.phone == ME and not r.deleted
    )


def times_in(text: str) -> list[str]:
    return re.findall(r"\b\d{2}:\d{2}\b", text)


def test_a_named_free_time_is_booked_at_once_and_noted_as_the_bots() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    reply = d.say("...", meaning=u(book(101, staff=201, when=when(WED, 15))))
    assert "Записал" in reply and "15:00" in reply and "Сергею" in reply
    assert mine(d) == [(201, (101,), at("2026-03-11T15:00"))]
    assert d.memory.notes == [(5001, "created")]


def test_without_a_name_the_bot_asks_and_books_on_the_answer() -> None:
    d = dialog(reader=GivenReader())
    asked = d.say("...", meaning=u(book(101, staff=201, when=when(WED, 15))))
    assert "Как вас зовут" in asked and not d.memory.records
    done = d.say("Никита", meaning=u(Intent(K.NAME, name="Никита")))
    assert "Записал" in done and mine(d) == [(201, (101,), at("2026-03-11T15:00"))]
    assert d.memory.names[ME] == "Никита"


def test_booking_and_name_in_one_message() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(book(101, when=when(WED, 19)), Intent(K.NAME, name="Никита")))
    assert "Записал" in reply and "19:00" in reply
    assert d.memory.names[ME] == "Никита"


def test_price_and_booking_in_one_message() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    reply = d.say("...", meaning=u(Intent(K.PRICE, services=(101,)), book(101, firm=False, when=when(WED, 19))))
    assert "1500" in reply and "19:00" in reply and "Записать вас" in reply
    assert not d.memory.records


def test_address_and_hours_in_one_message() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(Intent(K.ADDRESS), Intent(K.HOURS)))
    assert "ул. Лесная, 1" in reply and "10:00" in reply and "21:00" in reply


def test_hours_of_a_day_nobody_works_say_closed() -> None:
    d = dialog(reader=GivenReader())
    d.memory.catalogue = d.memory.catalogue.__class__(
        d.memory.catalogue.salon,
        d.memory.catalogue.services,
        tuple(
            m.__class__(m.id, m.name, service_ids=m.service_ids, days_off=frozenset({6}))
            for m in d.memory.catalogue.staff
        ),
    )
    reply = d.say("...", meaning=u(Intent(K.HOURS, when=when(SUN))))
    assert "не работает" in reply


def test_two_services_are_one_record_of_their_summed_length() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    d.memory.add_record(9001, "+79990000002", 201, (101,), at("2026-03-11T16:00"))
    taken = d.say("...", meaning=u(book(101, 102, staff=201, when=when(WED, 15))))
    assert "занято" in taken and not mine(d)  # 15:00-16:30 runs into the 16:00 record
    reply = d.say("...", meaning=u(book(when=when(WED, 17))))
    assert "Записал" in reply
    assert mine(d) == [(201, (101, 102), at("2026-03-11T17:00"))]


def test_an_excluded_master_is_never_offered() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(book(101, firm=False, when=when(WED), staff_excluded=(201,))))
    offer = d.memory.states[1].offer
    assert offer is not None and {s.staff_id for s in offer.slots} == {202}
    assert "Сергей" not in reply


def test_free_times_fit_whatsapp_and_name_the_service() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(book(101, firm=False, when=when(WED))))
    assert len(set(times_in(reply))) <= 6 and "мужскую стрижку" in reply
    assert "Свободны мастера" in reply  # two masters are free: the client may say whom


def test_a_span_of_days_gives_free_times_not_a_schedule() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(book(101, firm=False, when=WhenSpec(day=SAT, day_until=SUN))))
    assert "суббот" in reply and len(set(times_in(reply))) <= 6
    assert "работает:" not in reply


def test_a_closed_hour_is_said_as_closed_not_taken() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    reply = d.say("...", meaning=u(book(101, when=when(WED, 22))))
    assert "до 21:00" in reply and "занято" not in reply and not d.memory.records


def test_a_past_time_is_said_as_past() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    reply = d.say("...", meaning=u(book(101, when=when(TUE, 10))))
    assert "уже прошло" in reply and "занято" not in reply and not d.memory.records


def test_a_move_by_an_hour_keeps_the_day_and_master_and_waits_for_yes() -> None:
    d = dialog(reader=GivenReader())
    d.memory.add_record(9101, ME, 202, (101,), at("2026-03-12T15:00"))
    stated = d.say("...", meaning=u(Intent(K.MOVE, when=WhenSpec(shift_minutes=60))))
    assert "16:00" in stated and "Перенести" in stated
    assert d.memory.records[9101].start == at("2026-03-12T15:00")
    done = d.say("да", meaning=u(Intent(K.YES)))
    assert "перенёс" in done
    assert (d.memory.records[9101].staff_id, d.memory.records[9101].start) == (202, at("2026-03-12T16:00"))
    assert len(d.memory.records) == 1


def test_with_two_bookings_the_bot_asks_which_and_remembers_the_choice() -> None:
    d = dialog(reader=GivenReader())
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    d.memory.add_record(9102, ME, 201, (103,), at("2026-03-14T11:00"))
    asked = d.say("...", meaning=u(Intent(K.MOVE, when=WhenSpec(shift_minutes=60))))
    assert "Какую именно" in asked and "15:00" in asked and "11:00" in asked
    stated = d.say("...", meaning=u(book(103, firm=False, when=when(SAT))))  # "детскую, которая в субботу"
    assert "12:00" in stated and "Перенести" in stated
    done = d.say("да", meaning=u(Intent(K.YES)))
    assert "перенёс" in done
    assert d.memory.records[9102].start == at("2026-03-14T12:00")
    assert d.memory.records[9101].start == at("2026-03-12T15:00") and len(d.memory.records) == 2


def test_a_time_named_while_moving_is_the_new_time_not_a_second_booking() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    d.say("...", meaning=u(Intent(K.MOVE)))
    stated = d.say("...", meaning=u(book(when=when(FRI, 14))))
    assert "Перенести" in stated and "14:00" in stated
    d.say("да", meaning=u(Intent(K.YES)))
    assert d.memory.records[9101].start == at("2026-03-13T14:00") and len(d.memory.records) == 1


def test_cancel_during_a_pending_move_states_the_cancel() -> None:
    d = dialog(reader=GivenReader())
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    d.say("...", meaning=u(Intent(K.MOVE, when=when(FRI, 14))))
    stated = d.say("...", meaning=u(Intent(K.CANCEL)))
    assert "Отменить эту запись" in stated
    d.say("да", meaning=u(Intent(K.YES)))
    assert d.memory.records[9101].deleted and d.memory.records[9101].start == at("2026-03-12T15:00")


def test_cancel_and_new_booking_together_are_a_move() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    stated = d.say("...", meaning=u(Intent(K.CANCEL), book(101, when=when(FRI, 14))))
    assert "Перенести" in stated and len(d.memory.records) == 1


def test_earlier_is_relative_to_the_times_just_offered() -> None:
    d = dialog(reader=GivenReader())
    d.say("...", meaning=u(book(101, staff=201, firm=False, when=when(WED, part_of_day=PartOfDay.EVENING))))
    offered = min(s.start for s in d.memory.states[1].offer.slots)
    reply = d.say("...", meaning=u(book(when=WhenSpec(nudge="earlier"), firm=False)))
    assert times_in(reply) and all(t < f"{offered:%H:%M}" for t in times_in(reply))


def test_a_complaint_gets_an_apology_and_a_person_not_free_times() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(Intent(K.COMPLAINT), book(101, firm=False)))
    assert "жаль" in reply.lower() and "администратор" in reply and not times_in(reply)
    assert [r.conversation_id for r in d.memory.handed_off] == [1]


def test_english_gets_english_and_can_book() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    reply = d.say("book a haircut tomorrow at 3pm", meaning=u(book(101, when=when(WED, 15)), language="en"))
    assert "booked" in reply and "15:00" in reply and not re.search("[а-яё]{4,}", reply.split("Мужская")[0])
    assert mine(d) == [(201, (101,), at("2026-03-11T15:00"))]


def test_running_late_is_acknowledged_not_read_as_a_time() -> None:
    d = dialog(reader=GivenReader())
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-10T15:00"))
    reply = d.say("опоздаю на 10 минут", meaning=u(Intent(K.LATE, minutes_late=10)))
    assert "предупредили" in reply and "10:00" not in reply and len(d.memory.records) == 1


def test_the_whatsapp_profile_name_books_when_the_crm_has_none() -> None:
    d = dialog(reader=GivenReader(), profile_name="Лена 🌸")
    reply = d.say("...", meaning=u(book(101, when=when(WED, 15))))
    assert "Записал" in reply and d.memory.names[ME] == "Лена"


def test_a_second_booking_in_one_message_is_said_to_wait() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    reply = d.say("...", meaning=u(book(101, when=when(WED, 15)), book(103, when=when(WED, 16))))
    assert "Записал" in reply and "следующим" in reply and len(d.memory.records) == 1


def test_model_text_claiming_a_booking_is_not_sent() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(reply="Отлично, записал вас на завтра в 15:00!"))
    assert "записал" not in reply.lower() and "15:00" not in reply and not d.memory.records


@pytest.mark.parametrize(
    "text",
    [
        "Ждём вас завтра в 10:00!",  # the opening hour is a salon figure, but not a time of a visit
        "Бронь на завтра сделана",
        "Your appointment is set for tomorrow at 10:00",
        "Конечно, в пятницу у мастера будет окно",
        "Ваша запись в силе 👍",
    ],
)
def test_model_text_stating_a_time_day_or_booking_is_not_sent(text: str) -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(reply=text))
    assert text not in reply and not d.memory.records


def test_model_small_talk_with_true_figures_is_sent() -> None:
    d = dialog(reader=GivenReader())
    reply = d.say("...", meaning=u(reply="Да, стрижка бороды у нас стоит 800 ₽, приходите!"))
    assert "800" in reply


def test_yes_to_a_single_stated_time_books_it() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    d.say("...", meaning=u(book(101, staff=201, firm=False, when=when(WED, 15))))
    assert not d.memory.records
    assert "Записал" in d.say("да", meaning=u(Intent(K.YES)))
    assert mine(d) == [(201, (101,), at("2026-03-11T15:00"))]


def test_the_record_named_by_a_button_is_the_one_cancelled() -> None:
    d = dialog(reader=GivenReader())
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    d.memory.add_record(9102, ME, 201, (103,), at("2026-03-14T11:00"))
    stated = d.say(button="visit_cancel:9102")
    assert "11:00" in stated and "Отменить" in stated
    d.say("да", meaning=u(Intent(K.YES)))
    assert d.memory.records[9102].deleted and not d.memory.records[9101].deleted


@pytest.mark.parametrize("loose", [False, True], ids=["crm-filters", "crm-matches-loosely"])
def test_another_clients_record_id_is_never_acted_on(loose: bool) -> None:
    d = dialog(reader=GivenReader())
    d.memory.loose_phone_search = loose  # then only the bookings tool's own check keeps the record out
    d.memory.add_record(9102, "+79990000005", 201, (101,), at("2026-03-12T19:00"))
    assert "нет предстоящих" in d.say("...", meaning=u(Intent(K.MY_BOOKINGS)))
    reply = d.say("...", meaning=u(Intent(K.CANCEL, record=RecordHint(record_id=9102))))
    assert "нет предстоящих" in reply and "19:00" not in reply
    d.say("да", meaning=u(Intent(K.YES)))
    assert not d.memory.records[9102].deleted


def test_a_crm_error_while_reading_free_times_is_said_and_nothing_is_claimed() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    d.memory.free_times_down = True
    reply = d.say("...", meaning=u(Intent(K.PRICE, services=(101,)), book(101, when=when(WED, 15))))
    assert "1500" in reply and "не отвечает" in reply and "Записал" not in reply
    assert not d.memory.records
    d.memory.free_times_down = False
    assert "Записал" in d.say("...", meaning=u(book(101, when=when(WED, 15))))


def test_a_move_said_while_a_new_booking_is_arranged_is_that_booking_s_new_time() -> None:
    d = dialog(reader=GivenReader())
    known(d)
    d.memory.add_record(9101, ME, 201, (103,), at("2026-03-20T12:00"))  # an unrelated booking of hers
    d.say("...", meaning=u(book(101, staff=201, firm=False, when=when(WED, 15))))
    stated = d.say("...", meaning=u(Intent(K.MOVE, when=when(FRI, 15))))  # "завтра не получится, давайте на пятницу"
    assert "Перенести" not in stated and "15:00" in stated
    d.say("да", meaning=u(Intent(K.YES)))
    assert (201, (101,), at("2026-03-13T15:00")) in mine(d)
    assert d.memory.records[9101].start == at("2026-03-20T12:00")


def test_earlier_shows_the_times_just_before_the_offer() -> None:
    d = dialog(reader=GivenReader())
    d.say("...", meaning=u(book(102, staff=201, firm=False, when=when(THU, part_of_day=PartOfDay.EVENING))))
    reply = d.say("...", meaning=u(book(when=WhenSpec(nudge="earlier"), firm=False)))
    assert times_in(reply) == ["16:00", "16:30", "17:00", "17:30"]


def test_a_day_and_master_that_fit_no_booking_are_where_the_move_goes() -> None:
    d = dialog(reader=GivenReader())
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    listed = d.say("...", meaning=u(Intent(K.MOVE, record=RecordHint(day=SAT, staff_id=202))))  # "на субботу к бари"
    assert "Бари" in listed and "не нашёл" not in listed
    d.say("...", meaning=u(book(when=when(SAT, 14))))
    d.say("да", meaning=u(Intent(K.YES)))
    moved = d.memory.records[9101]
    assert (moved.staff_id, moved.start) == (202, at("2026-03-14T14:00")) and len(d.memory.records) == 1
