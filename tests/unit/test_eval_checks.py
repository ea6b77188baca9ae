"""Step expectations, the outcome against the CRM's net changes, and reading what the bot sent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ai_admin.local.eval.checks import check_expect, check_outcome
from ai_admin.local.eval.model import Expect, Outcome
from ai_admin.local.eval.replies import BotMessage, Choice, Reply, bot_message
from ai_admin.local.eval.snapshots import Diff, RecordView, diff, rebase

TZ = ZoneInfo("Europe/Moscow")
CLIENT = "+79990000001"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TZ)


def view(record_id: int, day: int, hour: int, **changes: object) -> RecordView:
    base = RecordView(record_id, CLIENT, 201, (101,), at(day, hour))
    return RecordView(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=TZ)


def name(staff_id: int) -> str:
    return {201: "Сергей", 202: "Бари"}.get(staff_id, str(staff_id))


def reply(*texts: str, buttons: tuple[str, ...] = ()) -> Reply:
    messages = [BotMessage(f"w{n}", "text", text) for n, text in enumerate(texts)]
    if buttons:
        choices = tuple(Choice(b, b.upper()[:20], "interactive") for b in buttons)
        messages.append(BotMessage("wb", "interactive", "Выберите", choices))
    return Reply(tuple(messages))


# --- expect -----------------------------------------------------------------------------------------


def test_expect_passes_when_every_key_holds() -> None:
    expect = Expect(contains=["15:00"], contains_any=["бари", "СЕРГЕ"], not_contains=["записал"], buttons=["yes"])
    assert check_expect(expect, reply("Свободно в 15:00 у Сергея.", buttons=("yes", "no"))) == []


def test_each_expect_key_reports_its_own_failure() -> None:
    got = reply("Записал вас на 16:00 к Бари.")
    failures = check_expect(
        Expect(contains=["15:00"], contains_any=["Сергей"], not_contains=["ЗАПИСАЛ"], buttons=["yes"]), got
    )
    assert [f.split(" ", 1)[0] for f in failures] == ["missing", "none", "must", "buttons"]
    assert "'15:00'" in failures[0] and "Записал вас на 16:00" in failures[0]
    assert check_expect(Expect(no_reply=True), got) == [f"expected no reply, got {got.text!r}"]
    assert check_expect(Expect(no_reply=False), Reply()) == ["expected a reply, got none"]
    assert check_expect(Expect(no_reply=True), Reply()) == []


def test_contains_any_groups_each_need_one_match() -> None:
    expect = Expect.model_validate({"contains_any": [["извин", "простите"], ["администратор", "менеджер"]]})
    assert check_expect(expect, reply("Простите, пожалуйста! Передам администратору.")) == []
    [failure] = check_expect(expect, reply("Извините, такого больше не повторится."))
    assert failure.startswith("none of 'администратор', 'менеджер' in ")
    assert Expect.model_validate({"contains_any": "ждём"}).contains_any == [["ждём"]]


def test_max_times_counts_every_clock_time_in_the_whole_reply() -> None:
    seven = reply("Завтра на стрижку: 10:00, 10:30, 11:00", "вечером 18:00, 18:30 и 9:15", buttons=("19:00",))
    assert check_expect(Expect(max_times=7), seven) == []
    [failure] = check_expect(Expect(max_times=6), seven)
    assert failure.startswith("7 times (10:00, 10:30, 11:00, 18:00, 18:30, 09:15, 19:00), more than 6, in ")
    per_master = reply("Артём: 10:00, 12:00; Тимур: 10:00, 12:00; Руслан: 10:00, 12:00.")
    assert check_expect(Expect(max_times=6), per_master) == []
    assert len(check_expect(Expect(max_times=5), per_master)) == 1  # the same times for three masters count thrice


def test_button_titles_and_template_parameters_are_readable() -> None:
    interactive = bot_message(
        "w1",
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Подтвердите визит"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "confirm:1", "title": "Приду"}}]},
            },
        },
    )
    assert interactive.readable == "Подтвердите визит\nПриду"
    assert interactive.choices == (Choice("confirm:1", "Приду", "interactive"),)
    template = bot_message(
        "w2",
        {
            "type": "template",
            "template": {
                "name": "appointment_reminder",
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": "завтра в 18:00"}]},
                    {"type": "button", "sub_type": "quick_reply", "parameters": [{"type": "payload", "payload": "ok"}]},
                ],
            },
        },
    )
    assert template.text == "[template appointment_reminder] завтра в 18:00"
    assert [c.id for c in template.choices] == ["ok"]


# --- outcome ----------------------------------------------------------------------------------------


def test_the_expected_outcome_matches() -> None:
    changes = Diff(
        created=(view(5, 11, 16),),
        cancelled=(view(1, 12, 18),),
        moved=((view(2, 12, 10), view(2, 13, 10)),),
        confirmed=(view(3, 12, 12),),
    )
    outcome = Outcome.model_validate(
        {
            "created": [{"staff": 201, "services": [101], "start": "2026-03-11T16:00", "phone": CLIENT}],
            "cancelled": [1],
            "moved": [{"id": 2, "start": "2026-03-13T10:00"}],
            "confirmed": [3],
        }
    )
    assert check_outcome(outcome, changes, local, name) == []


def test_every_difference_from_the_outcome_is_reported() -> None:
    changes = Diff(
        created=(view(5, 11, 17),),
        moved=((view(2, 12, 10), view(2, 13, 11)),),
        confirmed=(view(4, 12, 12),),
        other=("record 7: attendance 0 -> -1",),
    )
    outcome = Outcome.model_validate(
        {
            "created": [{"staff": 201, "services": [101], "start": "2026-03-11T16:00", "phone": CLIENT}],
            "cancelled": [1],
            "moved": [{"id": 2, "start": "2026-03-13T10:00"}],
        }
    )
    failures = check_outcome(outcome, changes, local, name)
    assert failures == [
        f"expected a booking 2026-03-11T16:00 Сергей services 101 for {CLIENT}; it was not created",
        f"unexpected booking created: 2026-03-11T17:00 Сергей services 101 for {CLIENT}",
        "record 1 was expected to be cancelled; it was not",
        "record 2 moved to 2026-03-13T11:00 Сергей, expected 2026-03-13T10:00",
        "record 4 was confirmed unexpectedly",
        "unexpected change: record 7: attendance 0 -> -1",
    ]


def test_a_named_outcome_checks_the_crm_clients_name() -> None:
    outcome = Outcome.model_validate(
        {"created": [{"staff": 201, "services": [101], "start": "2026-03-11T16:00", "phone": CLIENT, "name": "Алёна"}]}
    )
    assert check_outcome(outcome, Diff(created=(view(5, 11, 16, client_name="алена "),)), local, name) == []
    wrong = check_outcome(outcome, Diff(created=(view(5, 11, 16, client_name="Сколько"),)), local, name)
    assert wrong == [
        "the booking 2026-03-11T16:00 for +79990000001 is under the name 'Сколько' in the CRM, expected 'Алёна'"
    ]
    assert check_outcome(outcome, Diff(created=(view(5, 11, 16),)), local, name) == [
        "the booking 2026-03-11T16:00 for +79990000001 is under the name None in the CRM, expected 'Алёна'"
    ]


def test_no_outcome_means_nothing_may_change() -> None:
    assert check_outcome(None, Diff(), local, name) == []
    assert check_outcome(None, Diff(cancelled=(view(1, 12, 18),)), local, name) == [
        "record 1 was cancelled unexpectedly"
    ]


# --- diffs ------------------------------------------------------------------------------------------


def test_diffs_are_net() -> None:
    before = {1: view(1, 12, 18), 2: view(2, 12, 19)}
    after = {
        1: view(1, 12, 18),  # moved and moved back: unchanged
        2: view(2, 12, 19, attendance=2),
        3: view(3, 12, 20, deleted=True),  # created and cancelled within the dialog
        4: view(4, 13, 10),
    }
    changes = diff(before, after)
    assert [r.id for r in changes.created] == [4]
    assert [r.id for r in changes.confirmed] == [2]
    assert changes.cancelled == () and changes.moved == () and changes.other == ()


def test_staff_changes_are_taken_out_by_rebasing() -> None:
    initial = {1: view(1, 12, 18), 2: view(2, 12, 19)}
    bot_moved = {1: view(1, 13, 18), 2: view(2, 12, 19)}  # the product moved record 1
    staff_cancelled = {1: view(1, 13, 18), 2: view(2, 12, 19, deleted=True), 9: view(9, 14, 10)}
    baseline = rebase(initial, bot_moved, staff_cancelled)
    changes = diff(baseline, staff_cancelled)
    assert [(a.id, b.start) for a, b in changes.moved] == [(1, at(13, 18))]
    assert changes.cancelled == () and changes.created == ()
