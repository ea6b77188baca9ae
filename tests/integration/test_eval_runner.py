"""The scenario runner against the real local product: signed deliveries through the webhook, the
FIFO queue and the conversation worker (the offline brain), the fake WhatsApp capturing
replies, a per-run fake YClients synced into PostgreSQL, the frozen clock, ``wait_until`` running the
scheduled jobs and ``crm:`` steps changing the fake."""

from __future__ import annotations

import copy
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from ai_admin import settings
from ai_admin.adapters.httpx_whatsapp_messenger import WhatsAppCloudMessenger
from ai_admin.domain.messages import Recipient, TextReply
from ai_admin.local.eval import scheduled
from ai_admin.local.eval.command import EvalOptions, run_eval
from ai_admin.local.eval.judging import judge
from ai_admin.local.eval.loading import LoadedScenario, load
from ai_admin.local.eval.runner import play
from ai_admin.local.eval.stage import CLOCK_KEY, Stage
from ai_admin.local.stack import Stack
from tests.integration.conftest import rows

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Moscow")

SALON: dict[str, Any] = {
    "id": "prices-then-follow-up",
    "description": "A price question, then two quick messages answered once, together.",
    "now": "2026-03-10T12:00",
    "salon": {
        "title": "Барбершоп Бритва",
        "timezone": "Europe/Moscow",
        "address": "ул. Садовая, 5",
        "hours": {"open": "10:00", "close": "21:00"},
        "services": [
            {"id": 101, "title": "Мужская стрижка", "price": 1500, "minutes": 60, "category": "Стрижки"},
            {"id": 102, "title": "Стрижка бороды", "price": 800, "minutes": 30, "category": "Борода"},
        ],
        "staff": [
            {"id": 201, "name": "Сергей", "services": [101, 102]},
            {"id": 202, "name": "Бари", "services": [101]},
        ],
        "records": [
            {
                "id": 9001,
                "phone": "+79990000002",
                "name": "Олег",
                "staff": 201,
                "services": [101],
                "start": "2026-03-11T15:00",
            }
        ],
    },
    "client": {
        "phone": "+79990000001",
        "name": "Анна",
        "history": [{"id": 8001, "staff": 202, "services": [101], "start": "2026-02-10T18:00"}],
    },
    "steps": [
        {"user": "Здравствуйте, сколько стоит мужская стрижка?", "expect": {"contains": ["1500"]}},
        {"user": ["И ещё вопрос", "про бороду"], "expect": {"contains": ["800"], "not_contains": ["здравствуйте"]}},
    ],
}


def scenario(tmp_path: Path, **changes: Any) -> LoadedScenario:
    document = copy.deepcopy(SALON)
    document.update(changes)
    path = tmp_path / f"{document['id']}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    [loaded], problems = load([str(path)])
    assert problems == []
    return loaded


def test_a_scenario_plays_end_to_end_through_the_product(stage: Stage, tmp_path: Path) -> None:
    trace = play(stage, scenario(tmp_path), run=1, rng=None)
    result = judge(trace)
    assert result.passed, result.failures + [str(v) for v in result.violations]
    first, second = trace.steps
    assert ["1500" in m.text for m in first.reply.messages] == [True]
    assert len(second.reply.messages) == 1 and second.delivered == 2
    assert result.turns == 2 and result.messages_to_outcome is None

    company = stage.fake.state.company.id
    stack = stage.stack
    # the salon was registered and synced into PostgreSQL before the dialog
    [[phone_id, settings]] = rows(
        stack, "SELECT whatsapp_phone_number_id, settings FROM companies WHERE company_id = :c", c=company
    )
    assert phone_id == str(200_000_000_000_000 + company)
    assert settings == {"hours": {"open": "10:00", "close": "21:00"}}
    assert sorted(r[0] for r in rows(stack, "SELECT yclients_id FROM services WHERE company_id = :c", c=company)) == [
        101,
        102,
    ]
    assert sorted(r[0] for r in rows(stack, "SELECT yclients_id FROM staff WHERE company_id = :c", c=company)) == [
        201,
        202,
    ]
    assert sorted(r[0] for r in rows(stack, "SELECT yclients_id FROM records WHERE company_id = :c", c=company)) == [
        8001,
        9001,
    ]
    assert rows(stack, "SELECT count(*) FROM staff_schedules WHERE company_id = :c AND is_working", c=company)[0][0] > 0
    # every delivery went through the worker: three messages in, one answer per turn out
    transcript = rows(
        stack,
        "SELECT m.direction, m.body FROM messages m JOIN conversations c USING (conversation_id)"
        " WHERE c.company_id = :c ORDER BY m.message_id",
        c=company,
    )
    assert [d for d, _ in transcript] == ["in", "out", "in", "in", "out"]
    assert [b for d, b in transcript if d == "in"][1:] == ["И ещё вопрос", "про бороду"]
    assert stage.redis.get(CLOCK_KEY) == b"2026-03-10T12:00:00+03:00"


def test_failing_expectations_are_reported_with_the_step(stage: Stage, tmp_path: Path) -> None:
    booking = scenario(
        tmp_path,
        id="book-with-hand-off",
        steps=[
            {"user": "Сколько стоит мужская стрижка?", "expect": {"contains": ["бронь №"]}},
            {"user": "Алло?", "expect": {"no_reply": True}},
        ],
        outcome={"created": [{"staff": 201, "services": [101], "start": "2026-03-11T16:00", "phone": "+79990000001"}]},
    )
    result = judge(play(stage, booking, run=1, rng=None))
    assert not result.passed
    assert result.failures[0].startswith("step 1 (user 'Сколько стоит мужская стрижка?'): missing 'бронь №' in ")
    assert result.failures[1].startswith("step 2 (user 'Алло?'): expected no reply, got ")
    assert result.failures[2] == (
        "outcome: expected a booking 2026-03-11T16:00 Сергей services 101 for +79990000001; it was not created"
    )
    assert result.violations == []


def test_a_hand_off_outcome_is_read_from_what_the_product_opened(stage: Stage, tmp_path: Path) -> None:
    asks_a_person = scenario(
        tmp_path,
        id="asks-a-person",
        steps=[{"user": "позовите администратора пожалуйста"}],
        outcome={"handed_off": True},
    )
    assert judge(play(stage, asks_a_person, run=1, rng=None)).passed
    price = scenario(
        tmp_path,
        id="price-no-hand-off",
        steps=[{"user": "Сколько стоит мужская стрижка?"}],
        outcome={"handed_off": True},
    )
    result = judge(play(stage, price, run=1, rng=None))
    assert result.failures == ["outcome: no hand-off to a person was opened"]


def test_wait_until_moves_the_clock_and_runs_the_scheduled_jobs(
    stage: Stage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, datetime, datetime]] = []
    monkeypatch.setattr(
        scheduled, "SCHEDULED", [*scheduled.SCHEDULED, lambda c, since, until: calls.append((c, since, until))]
    )
    staff_booking = {"id": 9002, "phone": "+79990000003", "staff": 202, "services": [101], "start": "2026-03-12T11:00"}
    loaded = scenario(
        tmp_path,
        id="bookings-sync-on-clock-move",
        steps=[{"crm": {"create": staff_booking}}, {"wait_until": "2026-03-10T19:30", "expect": {"no_reply": True}}],
    )
    trace = play(stage, loaded, run=1, rng=None)
    company = stage.fake.state.company.id
    assert calls == [(company, datetime(2026, 3, 10, 12, 0, tzinfo=TZ), datetime(2026, 3, 10, 19, 30, tzinfo=TZ))]
    assert stage.fake.state.now() == datetime(2026, 3, 10, 19, 30, tzinfo=TZ)
    assert stage.redis.get(CLOCK_KEY) == b"2026-03-10T19:30:00+03:00"
    # the bookings sync (the registry's first job) brought the staff's new booking into PostgreSQL
    [[start]] = rows(
        stage.stack, "SELECT start_at FROM records WHERE company_id = :c AND yclients_id = 9002", c=company
    )
    assert start.astimezone(TZ) == datetime(2026, 3, 12, 11, 0, tzinfo=TZ)
    result = judge(trace)
    assert result.passed, result.failures  # staff changes are not the product's outcome


def test_crm_steps_change_the_fake_like_the_admin_ui(stage: Stage, tmp_path: Path) -> None:
    loaded = scenario(
        tmp_path,
        id="staff-edit-the-crm",
        steps=[
            {
                "crm": {
                    "create": {"phone": "+79990000004", "staff": 201, "services": [102], "start": "2026-03-11T10:00"}
                }
            },
            {"crm": {"move": {"id": 9001, "start": "2026-03-11T17:00", "staff": 202}}},
            {"crm": {"cancel": 8001}},
        ],
    )
    trace = play(stage, loaded, run=1, rng=None)
    state = stage.fake.state
    created = [r for r in state.records.values() if r.id not in (8001, 9001)]
    assert [(r.staff_id, r.service_ids, r.start) for r in created] == [
        (201, [102], datetime(2026, 3, 11, 10, tzinfo=TZ))
    ]
    assert (state.records[9001].staff_id, state.records[9001].start) == (202, datetime(2026, 3, 11, 17, tzinfo=TZ))
    assert state.records[8001].deleted
    assert {c.source for c in state.changes} == {"admin"}
    assert [s.reply.messages for s in trace.steps] == [(), (), ()]
    assert judge(trace).passed


def test_the_whatsapp_profile_name_is_delivered_and_crm_names_are_read(stage: Stage, tmp_path: Path) -> None:
    booking = {"id": 9003, "phone": "+79990000005", "name": "Тамара", "staff": 201, "services": [101]}
    loaded = scenario(
        tmp_path,
        id="profile-name",
        client={"phone": "+79990000001", "whatsapp_name": "Лена 🌸"},  # the CRM does not know her
        steps=[{"user": "Привет"}, {"crm": {"create": {**booking, "start": "2026-03-12T12:00"}}}],
    )
    trace = play(stage, loaded, run=1, rng=None)
    company = stage.fake.state.company.id
    [[state]] = rows(stage.stack, "SELECT state FROM conversations WHERE company_id = :c", c=company)
    assert state["name"] == "Лена 🌸"  # the webhook read it from contacts[].profile.name
    assert trace.steps[1].after[9003].client_name == "Тамара"
    assert trace.steps[1].after[9001].client_name == "Олег"


def test_button_taps_arrive_as_interactive_or_template_replies(stage: Stage, tmp_path: Path) -> None:
    loaded = scenario(
        tmp_path,
        id="taps",
        steps=[{"button": "confirm:9001"}, {"button": {"id": "reminder:ok", "title": "Приду", "via": "template"}}],
    )
    trace = play(stage, loaded, run=1, rng=None)
    company = stage.fake.state.company.id
    inbound = rows(
        stage.stack,
        "SELECT m.kind, m.body FROM messages m JOIN conversations c USING (conversation_id)"
        " WHERE c.company_id = :c AND m.direction = 'in' ORDER BY m.message_id",
        c=company,
    )
    assert inbound == [["interactive", "confirm:9001"], ["button", "Приду"]]
    assert trace.steps[0].client_texts == ["confirm:9001 confirm:9001"]


def test_the_command_replays_with_variation_and_writes_the_scorecard(
    local_stack: Stack, clean_state: None, tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    scenario(folder)
    out, target = io.StringIO(), tmp_path / "card.json"
    options = EvalOptions(paths=[str(folder)], runs=2, json_out=target, seed=3)
    assert run_eval(options, root=ROOT, stack=local_stack, out=out) == 0
    card = json.loads(target.read_text(encoding="utf-8"))
    assert (card["scenarios"], card["passed"], card["task_success"]) == (1, 1, 1.0)
    assert card["pass_k"] == {"1": 1.0, "2": 1.0}
    assert card["per_scenario"] == [
        {
            "id": "prices-then-follow-up",
            "file": card["per_scenario"][0]["file"],
            "passed": True,
            "runs": 2,
            "passed_runs": 2,
            "failures": [],
            "violations": dict.fromkeys(card["violations"], 0),
            "seconds": card["per_scenario"][0]["seconds"],
        }
    ]
    printed = out.getvalue()
    assert "variation seed 3" in printed and "prices-then-follow-up run 2" in printed


def test_a_misbehaving_product_is_caught_by_the_guards(
    stage: Stage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rogue scheduled job (the registry is open to any job) stands in for a product that greets
    again, repeats itself, offers a taken time, claims a booking it did not make, and then cancels
    another client's booking: the runner's verdict must name each of them."""

    def rogue(company_id: int, since: datetime, until: datetime) -> None:
        if until.hour == 13:
            text = (
                "Здравствуйте! Завтра у Сергея свободно 15:30. Записала вас на завтра на 15:30. "
                "Завтра у Сергея свободно 15:30."
            )
            messenger = WhatsAppCloudMessenger(settings.load(settings.WhatsAppSettings))
            messenger.send("200000000000001", Recipient("79990000001"), TextReply(text))
        else:
            stage.fake.state.cancel_record(9001)  # through "the API": the product did it

    monkeypatch.setattr(scheduled, "SCHEDULED", [rogue])
    loaded = scenario(
        tmp_path,
        id="rogue",
        steps=[{"user": "Привет"}, {"wait_until": "2026-03-10T13:00"}, {"wait_until": "2026-03-10T14:00"}],
    )
    result = judge(play(stage, loaded, run=1, rng=None))
    kinds = sorted({v.kind for v in result.violations})
    assert kinds == [
        "duplicated_sentence",
        "false_success",
        "foreign_record",
        "invalid_alternative",
        "repeated_greeting",
        "unconfirmed_destructive",
    ], [str(v) for v in result.violations]
    assert {v.step for v in result.violations if v.kind in ("foreign_record", "unconfirmed_destructive")} == {2}
    assert "outcome: record 9001 was cancelled unexpectedly" in result.failures
    assert not result.passed
