"""Reminder and booking-notification wording: declined names, salon-clock times, several phrasings,
one message each, and the reply-button ids the conversation reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ai_admin.domain.booking_changes import BookingChange, ChangeKind
from ai_admin.domain.notification_texts import (
    change_template,
    change_text,
    parse_visit_reply,
    reminder_message,
    reminder_template,
    reminder_text,
    visit_reply_ids,
    what_phrase,
    when_phrase,
)
from ai_admin.domain.reminder_rules import ReminderKind, Visit
from ai_admin.local.eval.guards import opens_with_greeting

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 10, 19, 30, tzinfo=MSK)  # a Tuesday
TOMORROW_15 = datetime(2026, 3, 11, 15, 0, tzinfo=MSK)
ADDRESS = "ул. Примерная, 1"


def visit(record_id: int = 4, start: datetime = TOMORROW_15, **fields: object) -> Visit:
    values: dict[str, object] = {
        "record_id": record_id,
        "start_at": start,
        "client_phone": "+79990000001",
        "services": ("Мужская стрижка",),
        "staff_name": "Сергей",
        **fields,
    }
    return Visit(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime(2026, 3, 10, 21, 0, tzinfo=MSK), "сегодня в 21:00"),
        (datetime(2026, 3, 11, 9, 5, tzinfo=MSK), "завтра в 09:05"),
        (datetime(2026, 3, 12, 15, 0, tzinfo=MSK), "в четверг, 12 марта, в 15:00"),
        (datetime(2026, 3, 16, 11, 30, tzinfo=MSK), "в понедельник, 16 марта, в 11:30"),
        (datetime(2026, 3, 17, 11, 30, tzinfo=MSK), "17 марта в 11:30"),  # a week ahead: the date, not "вторник"
        (datetime(2027, 1, 5, 10, 0, tzinfo=MSK), "5 января 2027 года в 10:00"),
        (datetime(2026, 3, 11, 12, 0, tzinfo=UTC), "завтра в 15:00"),  # stored in UTC, read on the salon clock
    ],
)
def test_when_is_said_on_the_salon_clock(start: datetime, expected: str) -> None:
    assert when_phrase(start, NOW, MSK) == expected


def test_weekday_prepositions() -> None:
    assert when_phrase(datetime(2026, 3, 17, 11, 30, tzinfo=MSK), NOW + timedelta(days=1), MSK).startswith("во вторник")
    assert when_phrase(datetime(2026, 3, 13, 11, 30, tzinfo=MSK), NOW, MSK).startswith("в пятницу")


@pytest.mark.parametrize(
    ("services", "staff", "expected"),
    [
        (("Мужская стрижка",), "Сергей", "на мужскую стрижку к Сергею"),
        (
            ("Мужская стрижка", "Стрижка бороды"),
            "Сергей Иванов",
            "на мужскую стрижку и стрижку бороды к Сергею Иванову",
        ),
        (("Укладка", "Маникюр", "Педикюр"), "Анна", "на укладку, маникюр и педикюр к Анне"),
        (("SPA-уход",), None, "на SPA-уход"),
        ((), "Ольга", "к Ольге"),
        ((), None, "на приём"),
        (("  Детская   стрижка ",), "Илья", "на детскую стрижку к Илье"),
    ],
)
def test_what_declines_services_and_the_master(services: tuple[str, ...], staff: str | None, expected: str) -> None:
    assert what_phrase(visit(services=services, staff_name=staff)) == expected


def test_the_example_reminder_reads_naturally() -> None:
    text = reminder_text(visit(record_id=4), ReminderKind.DAY_BEFORE, NOW, MSK)
    assert text.splitlines()[0] == "Напоминаем: завтра в 15:00 вы записаны на мужскую стрижку к Сергею."


@pytest.mark.parametrize("kind", list(ReminderKind))
def test_phrasings_vary_by_record_and_stay_fixed_per_record(kind: ReminderKind) -> None:
    now = NOW if kind is ReminderKind.DAY_BEFORE else TOMORROW_15 - timedelta(hours=2)
    texts = [reminder_text(visit(record_id=i), kind, now, MSK, ADDRESS) for i in range(12)]
    assert len({t.splitlines()[0] for t in texts}) == 4
    assert texts == [reminder_text(visit(record_id=i), kind, now, MSK, ADDRESS) for i in range(12)]
    day = "завтра" if kind is ReminderKind.DAY_BEFORE else "сегодня"
    for text in texts:
        first, ask = text.split("\n")
        assert "15:00" in first and day in first.lower(), text
        assert first[0].isupper() and first[-1] in ".!", text
        assert "  " not in text and ask, text
        assert any(form in first for form in ("Сергею", "Сергея", "Сергей")), text
        assert not opens_with_greeting(text), text  # the bot may have greeted this client today already


def test_genitive_and_nominative_phrasings() -> None:
    texts = {reminder_text(visit(record_id=i), ReminderKind.DAY_BEFORE, NOW, MSK) for i in range(4)}
    assert any("Завтра в 15:00 у вас мужская стрижка у Сергея." in t for t in texts)
    hours = TOMORROW_15 - timedelta(hours=2)
    texts = {reminder_text(visit(record_id=i), ReminderKind.TWO_HOURS, hours, MSK, ADDRESS) for i in range(4)}
    assert any("Ваша запись сегодня в 15:00: мужская стрижка, мастер Сергей. До встречи!" in t for t in texts)
    assert any(f"Адрес: {ADDRESS}." in t for t in texts)


@pytest.mark.parametrize("record_id", range(4))
def test_phrasings_survive_a_record_without_names(record_id: int) -> None:
    bare = visit(record_id=record_id, services=(), staff_name=None)
    for kind in ReminderKind:
        text = reminder_text(bare, kind, NOW, MSK)
        assert "15:00" in text and " ." not in text and "  " not in text and ": ," not in text, text


def test_a_reminder_is_one_message_with_confirm_and_decline_buttons() -> None:
    message = reminder_message(visit(record_id=12345), ReminderKind.DAY_BEFORE, NOW, MSK)
    assert [b.id for b in message.buttons] == ["visit_confirm:12345", "visit_decline:12345"]
    assert [b.title for b in message.buttons] == ["Подтверждаю", "Не смогу прийти"]
    assert len(message.body) <= 1024


def test_the_template_carries_when_what_salon_and_the_same_button_ids() -> None:
    template = reminder_template(visit(record_id=7), NOW, MSK, name="reminder", language="ru", salon="Лидер")
    assert template.body_params == ("завтра в 15:00", "на мужскую стрижку к Сергею", "Лидер")
    assert template.quick_reply_payloads == visit_reply_ids(7) == ("visit_confirm:7", "visit_decline:7")
    bare = reminder_template(visit(services=(), staff_name=None), NOW, MSK, name="r", language="ru", salon=" ")
    assert all(p.strip() and "\n" not in p for p in bare.body_params)


@pytest.mark.parametrize(
    ("reply_id", "parsed"),
    [
        ("visit_confirm:12345", ("confirm", 12345)),
        ("visit_decline:7", ("decline", 7)),
        ("visit_confirm:", None),
        ("visit_confirm:12a", None),
        ("slot:1", None),
        (None, None),
    ],
)
def test_button_ids_parse_back(reply_id: str | None, parsed: tuple[str, int] | None) -> None:
    reply = parse_visit_reply(reply_id)
    assert (reply.action, reply.record_id) == parsed if reply else parsed is None


def change(kind: ChangeKind, record_id: int = 2, previous: datetime | None = None) -> BookingChange:
    return BookingChange(kind, visit(record_id=record_id, start=datetime(2026, 3, 12, 16, 0, tzinfo=MSK)), previous)


def test_booking_change_texts() -> None:
    assert change_text(change(ChangeKind.CREATED), NOW, MSK, ADDRESS) == (
        f"Вы записаны на мужскую стрижку к Сергею в четверг, 12 марта, в 16:00. Ждём вас! Адрес: {ADDRESS}."
    )
    same_day = change(ChangeKind.MOVED, previous=datetime(2026, 3, 12, 15, 0, tzinfo=MSK))
    assert change_text(same_day, NOW, MSK).startswith(
        "Ваша запись на мужскую стрижку к Сергею перенесена: теперь в четверг, 12 марта, в 16:00 вместо 15:00."
    )
    other_day = change(ChangeKind.MOVED, record_id=3, previous=TOMORROW_15)
    assert "теперь в четверг, 12 марта, в 16:00 (было завтра в 15:00)." in change_text(other_day, NOW, MSK)
    assert change_text(change(ChangeKind.CANCELLED, previous=TOMORROW_15), NOW, MSK) == (
        "Ваша запись на мужскую стрижку к Сергею в четверг, 12 марта, в 16:00 отменена."
        " Если хотите записаться снова, напишите нам."
    )


def test_booking_change_templates() -> None:
    names = {ChangeKind.CREATED: "booking_created", ChangeKind.MOVED: "booking_moved", ChangeKind.CANCELLED: "bc"}
    moved = change_template(
        change(ChangeKind.MOVED, previous=TOMORROW_15), NOW, MSK, names=names, language="ru", salon="Лидер"
    )
    assert moved.name == "booking_moved"
    assert moved.body_params == ("на мужскую стрижку к Сергею", "в четверг, 12 марта, в 16:00", "завтра в 15:00")
    created = change_template(change(ChangeKind.CREATED), NOW, MSK, names=names, language="ru", salon="Лидер")
    assert created.body_params == ("в четверг, 12 марта, в 16:00", "на мужскую стрижку к Сергею", "Лидер")
    assert not created.quick_reply_payloads
