"""The webhook answers Meta fast from a cold start: its module loads none of the heavy code other functions need."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openai", "ai_admin.conversation", "aws_xray_sdk", "phonenumbers", "boto3")

PROBE = f"""
import sys
import app, ai_admin.bootstrap.webhook
print(" ".join(sorted({{m for m in sys.modules if m.startswith({HEAVY!r})}})))
"""


def test_webhook_module_imports_no_llm_conversation_tracing_or_boto3_code() -> None:
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "shared"), str(ROOT / "functions" / "webhook")])
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    ).stdout.split()
    assert loaded == []
