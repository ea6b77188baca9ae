"""Webhook latency over 2,000 signed deliveries (real Redis, PostgreSQL and the moto SQS FIFO queue),
and the cold import time of the webhook module beside `import boto3`, measured in the same run.

    .venv/bin/python bench/webhook/run.py [--deliveries 2000]

The last line printed is one JSON object: {"p50_ms", "p99_ms", "import_s", "boto3_import_s"}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from ai_admin import settings  # noqa: E402
from ai_admin.local import stack as stack_module  # noqa: E402
from ai_admin.local.gateway import http_event  # noqa: E402
from ai_admin.local.inbound import contact, envelope, messages_value, signed, text_message  # noqa: E402
from ai_admin.local.invoke import LocalContext, resolve_handler  # noqa: E402

IMPORT_PROBE = """
import sys, time
sys.path[:0] = [{shared!r}, {fn!r}]
t = time.perf_counter()
{statement}
elapsed = time.perf_counter() - t
heavy = sorted({{m.split('.')[0] if m.startswith('openai') else m for m in sys.modules
          if m.startswith(('openai', 'ai_admin.conversation', 'alembic'))}})
print(elapsed, ','.join(heavy))
"""


def import_time(statement: str, runs: int = 5) -> tuple[float, str]:
    times, heavy = [], ""
    code = IMPORT_PROBE.format(shared=str(ROOT / "shared"), fn=str(ROOT / "functions" / "webhook"), statement=statement)
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        value, _, heavy = out.stdout.strip().partition(" ")
        times.append(float(value))
    return statistics.median(times), heavy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=2000)
    args = parser.parse_args()

    boto3_s, _ = import_time("import boto3")
    webhook_s, heavy = import_time("import app; import ai_admin.bootstrap.webhook")
    print(f"cold import: webhook {webhook_s * 1000:.0f} ms, boto3 {boto3_s * 1000:.0f} ms")
    print(f"heavy modules imported by the webhook: {heavy or 'none'}")

    with (
        tempfile.TemporaryDirectory() as state,
        stack_module.running(ROOT, state_dir=Path(state), scratch_database=True) as stack,
    ):
        os.environ.update(stack.env)
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        settings.reset()
        function = stack.template.function("WebhookFunction")
        handler = resolve_handler(function)
        secret = stack.env["WHATSAPP_APP_SECRET"]
        events = []
        for i in range(args.deliveries + 50):
            wa_id = f"7999{i % 50:07d}"
            payload = envelope([messages_value([text_message(f"сообщение {i}", wa_id)], [contact(wa_id)])])
            body, headers = signed(payload, secret)
            events.append(
                http_event(
                    "POST",
                    target="/webhook",
                    headers=headers,
                    body=body,
                    route_key="POST /webhook",
                    path_params={},
                )
            )
        context = LocalContext(function_name="WebhookFunction", timeout_s=function.timeout)
        for event in events[:50]:  # warm: connections, boto3 client, caches
            assert handler(event, context)["statusCode"] == 200
        latencies = []
        for event in events[50:]:
            started = time.perf_counter()
            result = handler(event, context)
            latencies.append((time.perf_counter() - started) * 1000)
            assert result["statusCode"] == 200, result
        sqs = stack.sqs()
        url = stack.queue_urls["ConversationQueue"]
        queued = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        print(f"queued on the FIFO queue: {queued['Attributes']['ApproximateNumberOfMessages']}")
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"{len(latencies)} signed deliveries: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms")
    print(
        f"targets: p99 <= 25 ms ({'met' if p99 <= 25 else 'MISSED'}); import <= 1.5x boto3 "
        f"({'met' if webhook_s <= 1.5 * boto3_s else 'MISSED'}: {webhook_s / boto3_s:.2f}x)"
    )
    print(
        json.dumps(
            {
                "p50_ms": round(p50, 3),
                "p99_ms": round(p99, 3),
                "import_s": round(webhook_s, 4),
                "boto3_import_s": round(boto3_s, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
