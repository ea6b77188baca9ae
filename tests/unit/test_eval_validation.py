"""Scenario files that cannot be played are refused with the file, the field and the reason."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from ai_admin.local.eval.command import EvalOptions, run_eval
from ai_admin.local.eval.loading import load
from ai_admin.local.eval.model import Problem

ROOT = Path(__file__).resolve().parents[2]

VALID: dict[str, Any] = {
    "id": "move-to-friday",
    "description": "A client moves her booking after the bot states the new time.",
    "now": "2026-03-10T12:00",  # a Tuesday
    "salon": {
        "title": "Студия Ромашка",
        "timezone": "Europe/Moscow",
        "hours": {"open": "10:00", "close": "20:00"},
        "services": [
            {"id": 11, "title": "Маникюр", "price": 1800, "minutes": 90},
            {"id": 12, "title": "Педикюр", "price": 2200, "minutes": 60},
        ],
        "staff": [
            {"id": 21, "name": "Ольга", "services": [11, 12]},
            {"id": 22, "name": "Вера", "services": [11], "days_off": ["sat", "sun"]},
        ],
        "records": [
            {"id": 501, "phone": "+79991112233", "staff": 21, "services": [11], "start": "2026-03-12T14:00"},
        ],
    },
    "client": {
        "phone": "+79991112233",
        "name": "Ирина",
        "history": [{"staff": 22, "services": [11], "start": "2026-02-20T11:00"}],
    },
    "steps": [
        {"user": "Можно перенести запись на пятницу в 15:00?", "expect": {"contains": ["15:00"]}},
        {"user": ["да", "переносите"]},
        {"wait_until": "2026-03-10T18:00"},
        {
            "crm": {
                "create": {
                    "id": 502,
                    "phone": "+79995556677",
                    "staff": 22,
                    "services": [11],
                    "start": "2026-03-13T10:00",
                }
            }
        },
        {"crm": {"cancel": 502}},
        {"button": "confirm:501"},
    ],
    "outcome": {"moved": [{"id": 501, "start": "2026-03-13T15:00"}]},
}


def write(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_for(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[Problem]:
    document = copy.deepcopy(VALID)
    change(document)
    path = write(tmp_path, "scenario.yaml", document)
    scenarios, problems = load([str(path)])
    assert not scenarios
    return problems


def test_the_valid_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "scenario.yaml", VALID)
    scenarios, problems = load([str(path)])
    assert problems == []
    [scenario] = scenarios
    assert scenario.spec.id == "move-to-friday"
    assert [type(s).__name__ for s in scenario.spec.steps] == [
        "UserStep",
        "UserStep",
        "WaitStep",
        "CrmStep",
        "CrmStep",
        "ButtonStep",
    ]


def test_the_team_examples_and_our_scenarios_load() -> None:
    paths = [str(ROOT / "scenarios")]
    examples = Path("/work/shared/scenarios/examples")
    if examples.is_dir():
        paths.append(str(examples))
    scenarios, problems = load(paths)
    assert problems == []
    assert len(scenarios) >= 3


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets ``value`` at a dotted path with [n] indexes, e.g. ``salon.records[0].staff``."""

    def change(document: dict[str, Any]) -> None:
        parts = path.replace("[", ".").replace("]", "").split(".")
        target: Any = document
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


CASES = [
    ("salon.records[0].staff", 29, "salon.records[0].staff", "unknown staff id 29"),
    ("salon.records[0].services", [11, 19], "salon.records[0].services", "unknown service id 19"),
    ("client.history[0].staff", 30, "client.history[0].staff", "unknown staff id 30"),
    ("steps[3].crm.create.services", [13], "steps[3].crm.create.services", "unknown service id 13"),
    (
        "outcome.created",
        [{"staff": 21, "services": [99], "start": "2026-03-13T15:00", "phone": "+79991112233"}],
        "outcome.created[0].services",
        "unknown service id 99",
    ),
    ("salon.staff[1].services", [11, 77], "salon.staff[1].services", "unknown service id 77"),
    ("steps[3].crm.create.services", [12], "steps[3].crm.create.services", "Вера (22) does not provide service 12"),
    ("salon.records[0].start", "2026-03-12T19:00", "salon.records[0].start", "outside working hours 10:00-20:00"),
    ("salon.records[0].start", "2026-03-12T08:30", "salon.records[0].start", "08:30-10:00 is outside working hours"),
    ("steps[3].crm.create.start", "2026-03-14T12:00", "steps[3].crm.create.start", "a sat, Вера's day off"),
    ("client.history[0].start", "2026-03-11T11:00", "client.history[0].start", "a past visit must be before now"),
    ("salon.hours.open", "25:00", "salon.hours.open", "'25:00' is not a time HH:MM"),
    ("salon.hours.open", 600, "salon.hours.open", 'write it in quotes, e.g. "10:00"'),
    ("salon.hours.close", "09:00", "salon.hours", "close 09:00 must be later than open 10:00"),
    ("now", "завтра в полдень", "now", "is not a salon-local date-time like 2026-03-10T12:00"),
    ("now", "2026-02-30T12:00", "now", "is not a real date and time"),
    ("now", "2026-03-10T12:00+03:00", "now", "has an offset"),
    ("salon.records[0].start", "2026-03-12", "salon.records[0].start", "has no time"),
    ("steps[2].wait_until", "2026-03-10T11:00", "steps[2].wait_until", "the clock only moves forward"),
    ("client.phone", "12", "client.phone", "is not a phone number"),
    ("salon.timezone", "Mars/Olympus", "salon.timezone", "is not a time zone"),
    ("steps[4].crm.cancel", 777, "steps[4].crm.cancel.id", "unknown record id 777"),
    (
        "steps[4].crm",
        {"move": {"id": 888, "start": "2026-03-13T12:00"}},
        "steps[4].crm.move.id",
        "unknown record id 888",
    ),
    (
        "steps[4].crm",
        {"cancel": 502, "move": {"id": 501, "start": "2026-03-13T12:00"}},
        "steps[4].crm",
        "exactly one of create, cancel, move",
    ),
    ("outcome.cancelled", [404], "outcome.cancelled[0]", "unknown record id 404"),
    ("outcome.moved", [{"id": 405, "start": "2026-03-13T15:00"}], "outcome.moved[0].id", "unknown record id 405"),
    ("steps[0]", {"say": "привет"}, "steps[0]", "unknown step kind (keys: 'say')"),
    ("steps[0]", {"user": "привет", "button": "yes"}, "steps[0]", "a step has exactly one kind, found user, button"),
    ("steps[0].expect", {"contain": ["15:00"]}, "steps[0].expect", "unknown key 'contain' (allowed: contains,"),
    ("steps[0].expect", {"no_reply": True, "contains": ["x"]}, "steps[0].expect", "no_reply: true cannot be combined"),
    ("steps[0].user", [], "steps[0].user", "at least 1 item"),
    ("outcome", {"booked": []}, "outcome", "unknown key 'booked'"),
    ("id", "Move To Friday", "id", "is not kebab-case"),
    ("salon.staff[1].days_off", ["saturday", "someday"], "salon.staff[1].days_off[1]", "'someday' is not a weekday"),
    (
        "script",
        [{"tool_calls": [{"name": "book_now", "arguments": {}}]}],
        "script[0].tool_calls[0].name",
        "unknown tool 'book_now'",
    ),
    (
        "script",
        [{"tool_calls": [{"name": "book", "arguments": {"when": 5}}]}],
        "script[0].tool_calls[0].arguments.when",
        "valid string",
    ),
    ("script", [{}], "script[0]", "a model turn needs content or tool_calls"),
    (
        "salon.weekday_hours",
        {"thu": {"open": "15:00", "close": "20:00"}},
        "salon.records[0].start",
        "14:00-15:30 is outside working hours 15:00-20:00 on thu",
    ),
    (
        "salon.weekday_hours",
        {"someday": {"open": "12:00", "close": "20:00"}},
        "salon.weekday_hours.someday",
        "not a weekday",
    ),
    ("salon.weekday_hours", {"sun": {"open": "18:00", "close": "12:00"}}, "salon.weekday_hours.sun", "must be later"),
    ("steps[0].expect", {"contains_any": [["a"], "b"]}, "steps[0].expect.contains_any", "not both"),
    ("steps[0].expect", {"contains_any": [["a"], []]}, "steps[0].expect.contains_any[1]", "at least 1 item"),
    ("steps[0].expect", {"max_times": 0}, "steps[0].expect.max_times", "greater than or equal to 1"),
    ("steps[0].expect", {"no_reply": True, "max_times": 6}, "steps[0].expect", "no_reply: true cannot be combined"),
    (
        "outcome.created",
        [{"staff": 21, "services": [11], "start": "2026-03-13T15:00", "phone": "+79991112233", "name": ""}],
        "outcome.created[0].name",
        "at least 1 character",
    ),
]


@pytest.mark.parametrize(("path", "value", "field", "reason"), CASES, ids=[f"{c[2]}:{c[3][:30]}" for c in CASES])
def test_bad_input_names_file_field_and_reason(tmp_path: Path, path: str, value: Any, field: str, reason: str) -> None:
    problems = problems_for(tmp_path, _set(path, value))
    assert any(p.file.endswith("scenario.yaml") and p.field == field and reason in p.reason for p in problems), problems


def test_the_extras_load(tmp_path: Path) -> None:
    document = copy.deepcopy(VALID)
    document["salon"]["weekday_hours"] = {"saturday": {"open": "11:00", "close": "18:00"}}
    document["client"]["whatsapp_name"] = "Ира 🌸"
    document["steps"][0]["expect"]["max_times"] = 6
    document["outcome"]["created"] = [
        {"staff": 21, "services": [11], "start": "2026-03-14T11:00", "phone": "+79991112233", "name": "Ирина"}
    ]
    [scenario], problems = load([str(write(tmp_path, "extras.yaml", document))])
    assert problems == []
    spec = scenario.spec
    assert spec.client.profile_name == "Ира 🌸"
    assert spec.salon.hours_on(date(2026, 3, 14)).close == time(18) and spec.salon.hours_on(
        date(2026, 3, 13)
    ).close == time(20)
    assert spec.outcome is not None and spec.outcome.created[0].name == "Ирина"
    without = copy.deepcopy(VALID)
    [plain], _ = load([str(write(tmp_path, "plain.yaml", without))])
    assert plain.spec.client.profile_name == "Ирина"  # by default WhatsApp shows the CRM name


def test_a_booking_outside_the_weekday_hours_is_refused(tmp_path: Path) -> None:
    def sunday_short(document: dict[str, Any]) -> None:
        document["salon"]["weekday_hours"] = {"sun": {"open": "11:00", "close": "16:00"}}
        document["outcome"] = {
            "created": [{"staff": 21, "services": [12], "start": "2026-03-15T15:30", "phone": "+79991112233"}]
        }

    problems = problems_for(tmp_path, sunday_short)
    assert [(p.field, p.reason) for p in problems] == [
        ("outcome.created[0].start", "15:30-16:30 is outside working hours 11:00-16:00 on sun")
    ]


def test_past_visits_need_a_known_client(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, lambda d: d["client"].pop("name"))
    assert [(p.field, p.reason) for p in problems] == [
        ("client.history", "past visits need client.name: a client the CRM does not know has none")
    ]


def test_missing_fields_are_required(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, lambda d: d.pop("now"))
    assert [(p.field, p.reason) for p in problems] == [("now", "is required")]


def test_duplicate_record_ids_within_a_file(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, _set("steps[3].crm.create.id", 501))
    assert ("steps[3].crm.create.id", "duplicate record id 501 (also salon.records[0].id)") in [
        (p.field, p.reason) for p in problems
    ]


def test_duplicate_scenario_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", VALID)
    write(tmp_path, "b.yaml", VALID)
    scenarios, problems = load([str(tmp_path)])
    assert len(scenarios) == 1
    [problem] = problems
    assert problem.file.endswith("b.yaml") and problem.field == "id"
    assert "duplicate scenario id 'move-to-friday' (also in" in problem.reason and "a.yaml" in problem.reason


def test_files_that_are_not_scenarios(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\nsteps: [\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    _, problems = load([str(tmp_path / "broken.yaml"), str(tmp_path / "list.yaml"), str(empty), str(tmp_path / "nope")])
    reasons = {Path(p.file).name: p for p in problems}
    assert reasons["broken.yaml"].field.startswith("line ") and "not valid YAML" in reasons["broken.yaml"].reason
    assert "holds one mapping" in reasons["list.yaml"].reason
    assert "no scenario files" in reasons["empty"].reason
    assert reasons["nope"].reason == "no such file or folder"


def test_every_problem_is_listed_and_nothing_is_played(tmp_path: Path) -> None:
    bad = copy.deepcopy(VALID)
    bad["salon"]["records"][0]["staff"] = 29
    bad["steps"][2]["wait_until"] = "2026-03-09T10:00"
    write(tmp_path, "bad.yaml", bad)
    other = copy.deepcopy(VALID)
    other["id"] = "other"
    other["steps"][0]["expect"] = {"contanis": "x"}
    write(tmp_path, "other.yaml", other)
    out = io.StringIO()
    # no stack is started: validation fails first (a stack start here would break pytest-socket)
    code = run_eval(EvalOptions(paths=[str(tmp_path)]), root=ROOT, out=out)
    printed = out.getvalue()
    assert code == 2
    assert "3 problem(s)" in printed
    assert "bad.yaml: salon.records[0].staff: unknown staff id 29" in printed
    assert "bad.yaml: steps[2].wait_until: the clock only moves forward" in printed
    assert "other.yaml: steps[0].expect: unknown key 'contanis'" in printed
