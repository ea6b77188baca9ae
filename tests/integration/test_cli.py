"""The console command as an engineer runs it: real subprocesses, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ai_admin.local.stack import Stack

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ai_admin.local.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_twice_is_a_no_op(local_stack: Stack) -> None:
    result = run("db", "migrate", env={"DATABASE_URL": local_stack.env["DATABASE_URL"]})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "schema up to date"


def test_missing_setting_fails_with_one_line_naming_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(  # no running stack in that state folder either
        [sys.executable, "-m", "ai_admin.local.cli", "--state-dir", str(tmp_path), "db", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "ai-admin: setting error: DATABASE_URL is not set"


def test_invalid_setting_fails_naming_it() -> None:
    result = run("db", "migrate", "--database-url", "mysql://nope")
    assert result.returncode == 2
    assert "DATABASE_URL is invalid" in result.stderr


def test_unknown_function_is_a_clear_error() -> None:
    result = run("invoke", "NoSuchFunction")
    assert result.returncode == 2
    assert "no function 'NoSuchFunction'" in result.stderr
    assert "HealthFunction" in result.stderr


def test_unreadable_and_non_json_event_files(tmp_path: Path) -> None:
    missing = run("invoke", "HealthFunction", "--event", str(tmp_path / "absent.json"))
    assert missing.returncode == 2
    assert "cannot read event file" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    bad = run("invoke", "HealthFunction", "--event", str(broken))
    assert bad.returncode == 2
    assert "is not JSON" in bad.stderr


def test_invoke_prints_the_handler_result_as_json(local_stack: Stack, tmp_path: Path) -> None:
    env = {"DATABASE_URL": local_stack.env["DATABASE_URL"], "REDIS_URL": local_stack.env["REDIS_URL"]}
    state = ["--state-dir", str(tmp_path)]  # its own stack for the call, away from the project's .local
    result = run(*state, "invoke", "HealthFunction", "--event", "events/HealthFunction/get.json", env=env)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout.strip().splitlines()[-1])
    assert output["statusCode"] == 200
