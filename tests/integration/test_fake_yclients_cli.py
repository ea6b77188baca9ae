"""``ai-admin fake-yclients`` as an engineer runs it, and the fake inside the local stack."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

from ai_admin.local.stack import Stack, free_port

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {
    "Accept": "application/vnd.yclients.v2+json",
    "Authorization": "Bearer local-partner-token, User local-user-token",
}


def test_the_command_serves_a_generated_salon_until_stopped() -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "ai_admin.local.cli",
        "fake-yclients",
        "--port",
        str(port),
        "--clients",
        "300",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/api/v1" in banner and "300 clients" in banner
        reply = httpx.get(f"http://127.0.0.1:{port}/api/v1/company/1/staff", headers=HEADERS)
        assert reply.status_code == 200 and len(reply.json()["data"]) == 8
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_an_unreadable_scenario_is_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("salon:\n  staff: []\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ai_admin.local.cli", "fake-yclients", "--scenario", str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"ai-admin: cannot seed from {broken}: salon: 'services' is required"


def test_the_local_stack_points_yclients_at_its_fake(local_stack: Stack) -> None:
    base = local_stack.env["YCLIENTS_BASE_URL"]
    assert base == local_stack.yclients.base_url
    reply = httpx.get(f"{base}/company/1/", headers=HEADERS)
    assert reply.status_code == 200 and reply.json()["data"]["timezone_name"] == "Europe/Moscow"
