"""Running ``ai-admin`` the way an engineer does: a subprocess from the project folder, in a terminal
that has none of our settings unless the test gives them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_OURS = ("DATABASE_", "REDIS_", "YCLIENTS_", "WHATSAPP_", "LLM_", "SYNC_", "REMINDERS_", "AI_ADMIN_", "AWS_")


def cli(*args: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ai_admin.local.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def terminal(**extra: str) -> dict[str, str]:
    """This shell without its database, Redis, AWS and our settings (a new engineer's terminal), plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(_OURS)}, **extra}
