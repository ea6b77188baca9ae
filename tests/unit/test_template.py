"""The template stays honest: handlers exist, queues have dead-letter queues and sane timeouts,
schedules run on Moscow time, and no secret is a plaintext environment value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ai_admin.local.invoke import load_module, resolve_handler
from ai_admin.local.template import Template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Template.load(ROOT / "template.yaml")
FUNCTIONS = TEMPLATE.functions()
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|API_KEY)$")


def test_template_has_functions() -> None:
    assert FUNCTIONS


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_handler_resolves_to_an_importable_function(logical_id: str) -> None:
    function = FUNCTIONS[logical_id]
    assert function.module_file.is_file()
    assert callable(resolve_handler(function))


def test_each_local_container_has_its_own_module_globals() -> None:
    """Local SQS pollers run a function's invocations side by side, a thread per container: two of them
    must never share a module-level Powertools batch processor."""
    worker = FUNCTIONS["SyncWorkerFunction"]
    first, again, other = (load_module(worker, container) for container in (1, 1, 2))
    assert first is again
    assert first.processor is not other.processor


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_no_secret_is_a_plaintext_environment_value(logical_id: str) -> None:
    for name in FUNCTIONS[logical_id].environment:
        assert not SECRET_NAME.search(name), f"{logical_id}: {name} must come from SSM"


def test_every_queue_has_a_dead_letter_queue() -> None:
    queues = TEMPLATE.queues()
    dead_letter_ids = {q.dead_letter_target for q in queues.values()} - {None}
    for queue in queues.values():
        if queue.logical_id in dead_letter_ids:
            continue
        target = queue.dead_letter_target
        assert target in queues, f"{queue.logical_id} has no RedrivePolicy to a queue in the template"
        assert queues[target].fifo == queue.fifo, f"{queue.logical_id}: a FIFO queue needs a FIFO DLQ"
        assert int(queue.properties["RedrivePolicy"]["maxReceiveCount"]) >= 1


def test_queue_visibility_is_at_least_six_times_the_consumer_timeout() -> None:
    queues = TEMPLATE.queues()
    for function in FUNCTIONS.values():
        for source in function.sqs_sources:
            visibility = int(queues[source.queue_logical_id].properties.get("VisibilityTimeout", 30))
            assert visibility >= 6 * function.timeout, (source.queue_logical_id, function.logical_id)


def test_queue_consumers_report_partial_batch_failures() -> None:
    for logical_id, resource in TEMPLATE.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] == "SQS":
                assert event["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], logical_id
                assert event["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency"), logical_id


def test_schedules_run_on_moscow_time() -> None:
    for function in FUNCTIONS.values():
        for schedule in function.schedules:
            assert schedule.timezone == "Europe/Moscow", (function.logical_id, schedule.name)


def test_every_function_has_an_event_sample() -> None:
    for logical_id in FUNCTIONS:
        assert list((ROOT / "events" / logical_id).glob("*.json")), f"events/{logical_id}/ has no sample"


def test_sync_schedules_match_the_timetable() -> None:
    import json

    from ai_admin.sync.jobs import TIMETABLE, Job

    planner = FUNCTIONS["SyncPlannerFunction"]
    scheduled = {
        Job(s.input["job"] if isinstance(s.input, dict) else json.loads(s.input)["job"]): s.expression
        for s in planner.schedules
    }
    assert scheduled == TIMETABLE


def test_local_invoke_environment_resolves_expressions_and_takes_our_settings() -> None:
    from ai_admin.local.invoke import function_environment

    function = FUNCTIONS["SyncWorkerFunction"]
    local = {
        "SYNC_QUEUE_URL": "http://127.0.0.1:1/queue/SyncQueue",
        "DATABASE_URL": "postgresql://x@y/z",
        "YCLIENTS_RATE_PER_SECOND": "9",
        "HOME": "/root",
    }
    env = function_environment(function, local)
    assert env["SYNC_QUEUE_URL"] == local["SYNC_QUEUE_URL"]  # a !Ref only the stack can resolve
    assert env["SYNC_MAX_RECEIVES"] == "3"  # a template literal
    assert env["YCLIENTS_RATE_PER_SECOND"] == "9"  # an engineer's setting reaches the handler
    assert "HOME" not in env and "AI_ADMIN_SSM_PATH" not in env


def test_reminders_run_every_five_minutes_within_the_interval() -> None:
    reminder = FUNCTIONS["ReminderFunction"]
    assert [s.expression for s in reminder.schedules] == ["rate(5 minutes)"]
    assert reminder.timeout < 300  # runs may overlap safely, but should not pile up


def test_the_crm_webhook_route_carries_the_secret_in_its_path() -> None:
    webhook = FUNCTIONS["CrmWebhookFunction"]
    assert [(r.method, r.path) for r in webhook.routes] == [("POST", "/yclients/{secret}")]


def _secret_variables() -> set[str]:
    from pydantic import SecretStr

    from ai_admin import settings as settings_module

    names = set()
    for group in vars(settings_module).values():
        if (
            isinstance(group, type)
            and issubclass(group, settings_module._Group)
            and group is not settings_module._Group
        ):
            prefix = str(group.model_config.get("env_prefix", "")).upper()
            for field_name, info in group.model_fields.items():
                if SecretStr in getattr(info.annotation, "__args__", (info.annotation,)):
                    names.add((info.alias or f"{prefix}{field_name}").upper())
    return names


def test_the_readme_puts_every_secret_setting_in_ssm() -> None:
    """What the deploy steps store is what the settings read: a secret missing there is a feature that
    silently never runs in AWS (the LLM keys once were)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stored = set(re.findall(r"--name /ai-admin/prod/([A-Z0-9_]+)", readme))
    assert stored == _secret_variables()


def test_the_worker_gets_its_llm_providers_from_parameters_and_requires_one() -> None:
    worker = FUNCTIONS["ConversationWorkerFunction"]
    parameters = TEMPLATE.body["Parameters"]
    for prefix, parameter in (("LLM_PRIMARY", "LlmPrimary"), ("LLM_SECONDARY", "LlmSecondary")):
        for part, suffix in (("NAME", "Name"), ("BASE_URL", "BaseUrl"), ("MODEL", "Model")):
            assert worker.environment[f"{prefix}_{part}"] == {"Ref": f"{parameter}{suffix}"}
    assert parameters["LlmPrimaryBaseUrl"]["Default"].startswith("https://")
    assert worker.environment["AI_ADMIN_BRAIN"] == {"Ref": "ConversationBrain"}
    assert parameters["ConversationBrain"]["Default"] == "llm"


BOOKKEEPING_S = 10.0  # cold start, PostgreSQL and Redis round trips of one record, beside the budgets


def test_a_conversation_batch_always_ends_inside_the_worker_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker handles a batch's records one after another: the batch's worst case (every record a
    full turn with a hanging model and CRM) must fit its timeout, or Lambda kills it mid-send and SQS
    hands the batch out again."""
    from ai_admin import settings
    from ai_admin.conversation.answer_turn import worst_turn_s
    from ai_admin.settings import LlmSettings, WhatsAppSettings, load

    worker = FUNCTIONS["ConversationWorkerFunction"]
    for name, value in worker.environment.items():  # the template's own values win over the defaults
        if isinstance(value, str | int | float):
            monkeypatch.setenv(name, str(value))
    for name in ("WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN"):
        monkeypatch.setenv(name, "unused")
    settings.reset()
    whatsapp, llm = load(WhatsAppSettings), load(LlmSettings)
    turn = worst_turn_s(
        whatsapp.debounce_max_wait_s, llm.turn_budget_s, whatsapp.send_budget_s, whatsapp.handoff_budget_s
    )
    [source] = worker.sqs_sources
    assert source.batch_size * (turn + BOOKKEEPING_S) <= worker.timeout, (source.batch_size, turn, worker.timeout)
    # the brains' budget bounds the model calls: a call cannot outlast it
    assert llm.call_timeout_s <= llm.turn_budget_s - llm.offline_reserve_s
    assert whatsapp.send_timeout_s <= whatsapp.send_budget_s
