"""What faults cost the clients, on the local product (real PostgreSQL, real Redis servers, moto SQS,
the fake YClients, WhatsApp Graph API and LLM servers; the worker as the SQS poller runs it).

    .venv/bin/python bench/durability/run.py [--quick] [--runs 3] [--clients 6] [--messages 5]

1. Redis killed mid-burst: ``--clients`` clients write ``--messages`` messages each through the signed
   webhook, every delivery retried until it is acknowledged (as Meta does); once 40% are acknowledged the
   product's Redis is killed (SIGKILL, nothing saved) and started again empty a second later. Per run and
   in total: acknowledged messages no turn answered (lost), replies per acknowledged message, turns,
   records dead-lettered.
2. Worst turn time with a hanging LLM: one record handled by the worker (``TurnAnswerer.answer``, what
   the SQS record handler calls) with the template's budgets and the default 3 s debounce, while
   (a) both providers never answer, (b) the primary answers every call just inside its timeout with tool
   calls, so the brains' whole budget is spent. Printed beside the template's bound: BatchSize x (worst
   turn + bookkeeping) must fit the worker's Timeout.

The last line printed is one JSON object: {"acknowledged", "lost", "replies_per_message", "replies_per_turn",
"dead_lettered", "worst_turn_s", "turn_bound_s", "batch_size", "worker_timeout_s"}.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from ai_admin import settings  # noqa: E402
from ai_admin.bootstrap import conversation_worker  # noqa: E402
from ai_admin.conversation.answer_turn import worst_turn_s  # noqa: E402
from ai_admin.local import stack as stack_module  # noqa: E402
from ai_admin.local.eval import loading  # noqa: E402
from ai_admin.local.eval.stage import Stage  # noqa: E402
from ai_admin.local.fake_llm import FakeLlm  # noqa: E402
from ai_admin.local.fault_drills import BurstReport, queued_turn, redis_kill_burst  # noqa: E402
from ai_admin.local.services import RedisProcess  # noqa: E402
from ai_admin.settings import LlmSettings, WhatsAppSettings, load  # noqa: E402

BOOKKEEPING_S = 10.0  # as tests/unit/test_template.py allows beside the budgets
OUT = sys.stdout  # the figures; the product's own log lines (also on stdout) are discarded
SALON: dict[str, Any] = {
    "id": "durability-bench",
    "description": "One master, one service, one booking.",
    "now": "2026-03-10T12:00",
    "salon": {
        "title": "Барбершоп Стойкий",
        "timezone": "Europe/Moscow",
        "address": "ул. Прочная, 1",
        "hours": {"open": "10:00", "close": "21:00"},
        "services": [{"id": 301, "title": "Мужская стрижка", "price": 1600, "minutes": 60, "category": "Стрижки"}],
        "staff": [{"id": 401, "name": "Сергей", "services": [301]}],
        "records": [
            {"id": 9301, "phone": "+79991110001", "staff": 401, "services": [301], "start": "2026-03-12T18:00"}
        ],
    },
    "client": {"phone": "+79991110001", "name": "Игорь"},
    "steps": [{"user": "Здравствуйте"}],
}


def scenario() -> loading.LoadedScenario:
    return loading.from_document(SALON, "durability-bench.yaml")


def redis_kills(stack: stack_module.Stack, runs: int, clients: int, messages: int) -> list[BurstReport]:
    reports = []
    for run in range(runs):
        server = RedisProcess().start()
        env = {"AI_ADMIN_BRAIN": "offline", "REDIS_URL": server.url, "AI_ADMIN_CLOCK": "system"}
        try:
            with Stage.on(stack, worker_env=env, drop_prefixes=("LLM_",)) as stage:
                salon = stage.prepare(scenario())
                report = redis_kill_burst(stage, salon, server, clients=clients, messages=messages)
        finally:
            server.kill()
        reports.append(report)
        print(
            f"redis kill run {run + 1}: {report.acknowledged}/{report.sent} acknowledged"
            f" ({report.redeliveries} redeliveries while down {report.redis_down_s:.2f} s), lost {report.lost},"
            f" {report.turns} turns, {report.replies} replies = {report.replies_per_message} per message,"
            f" dead-lettered {report.dead_lettered}, {report.seconds:.1f} s",
            file=OUT,
            flush=True,
        )
    return reports


def hanging_turns(stack: stack_module.Stack, turns: int) -> dict[str, list[float]]:
    hang = {"delay_s": 600}
    slow = {"delay_s": 7.5, "tool_calls": [{"name": "show_prices", "arguments": {}}] * 2}
    cases = {"both providers hang": (hang, hang), "primary slow, uses every round": (slow, hang)}
    seconds: dict[str, list[float]] = {}
    for label, (primary_turn, secondary_turn) in cases.items():
        primary = FakeLlm(default=primary_turn, api_key="bench-key").start()
        secondary = FakeLlm(default=secondary_turn, api_key="bench-key").start()
        env = {
            "AI_ADMIN_BRAIN": "llm",
            "AI_ADMIN_CLOCK": "system",
            "WHATSAPP_DEBOUNCE_S": "3.0",
            "LLM_PRIMARY_BASE_URL": primary.url,
            "LLM_PRIMARY_API_KEY": "bench-key",
            "LLM_SECONDARY_BASE_URL": secondary.url,
            "LLM_SECONDARY_API_KEY": "bench-key",
        }
        try:
            with Stage.on(stack, worker_env=env, drop_prefixes=("LLM_",)) as stage:
                salon = stage.prepare(scenario())
                answerer = conversation_worker.answerer()
                seconds[label] = []
                for index in range(turns):
                    record = queued_turn(salon, f"7999700{index:04d}", "Клиент", "Сколько стоит стрижка?")
                    started = time.monotonic()
                    outcome = answerer.answer(record)
                    seconds[label].append(time.monotonic() - started)
                    assert outcome.answered and outcome.sent, outcome
        finally:
            primary.stop()
            secondary.stop()
        print(f"{label}: turns of {', '.join(f'{s:.2f}' for s in seconds[label])} s", file=OUT, flush=True)
    return seconds


def template_bound(stack: stack_module.Stack) -> tuple[float, int, int]:
    worker = stack.template.function("ConversationWorkerFunction")
    [source] = worker.sqs_sources
    secrets = {k: "unused" for k in ("WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN")}
    values = {k: str(v) for k, v in worker.environment.items() if isinstance(v, str | int | float)}
    saved = dict(os.environ)
    os.environ.update({**values, **secrets})
    settings.reset()
    try:
        whatsapp, llm = load(WhatsAppSettings), load(LlmSettings)
        bound = worst_turn_s(
            whatsapp.debounce_max_wait_s, llm.turn_budget_s, whatsapp.send_budget_s, whatsapp.handoff_budget_s
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.reset()
    return bound, source.batch_size, worker.timeout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one Redis kill run and one turn per LLM case")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--turns", type=int, default=2, help="records per hanging-LLM case")
    args = parser.parse_args()
    runs, turns = (1, 1) if args.quick else (args.runs, args.turns)
    with (
        tempfile.TemporaryDirectory(prefix="bench-durability-") as tmp,
        contextlib.redirect_stdout(io.StringIO()),
        stack_module.running(ROOT, state_dir=Path(tmp), scratch_database=True) as stack,
    ):
        reports = redis_kills(stack, runs, args.clients, args.messages)
        seconds = hanging_turns(stack, turns)
        bound, batch_size, timeout = template_bound(stack)
    acknowledged = sum(r.acknowledged for r in reports)
    replies = sum(r.replies for r in reports)
    worst = max(s for values in seconds.values() for s in values)
    print(
        f"redis kills: {runs} runs, {acknowledged} acknowledged, lost {sum(r.lost for r in reports)},"
        f" {replies / acknowledged:.3f} replies per message, dead-lettered {sum(r.dead_lettered for r in reports)}"
    )
    print(
        f"worst turn {worst:.2f} s with a hanging LLM; bound {bound:g} s + {BOOKKEEPING_S:g} s bookkeeping,"
        f" x BatchSize {batch_size} = {batch_size * (bound + BOOKKEEPING_S):g} s <= Timeout {timeout} s"
    )
    print(
        json.dumps(
            {
                "acknowledged": acknowledged,
                "lost": sum(r.lost for r in reports),
                "replies_per_message": round(replies / acknowledged, 3),
                "replies_per_turn": round(replies / max(1, sum(r.turns for r in reports)), 3),
                "dead_lettered": sum(r.dead_lettered for r in reports),
                "worst_turn_s": round(worst, 2),
                "turn_bound_s": bound,
                "batch_size": batch_size,
                "worker_timeout_s": timeout,
            }
        )
    )


if __name__ == "__main__":
    main()
