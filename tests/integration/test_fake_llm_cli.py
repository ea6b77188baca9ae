"""``ai-admin fake-llm`` as an engineer runs it: a script file played over real HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import openai
import pytest

from ai_admin.local.cli import main
from ai_admin.local.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_plays_a_script_file_until_stopped(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text(
        "turns:\n"
        "  - tool_calls: [{name: search_slots, arguments: {when: завтра}}]\n"
        "  - text: Завтра есть 18:00.\n"
        "default: {text: 'Чем ещё помочь?'}\n",
        encoding="utf-8",
    )
    port = free_port()
    command = [sys.executable, "-m", "ai_admin.local.cli", "fake-llm", "--port", str(port), "--script", str(script)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/v1" in banner and "2 scripted turns" in banner
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="sk-local", max_retries=0)
        ask = [{"role": "user", "content": "есть окна завтра?"}]
        first = client.chat.completions.create(model="gpt-4o-mini", messages=ask)
        call = first.choices[0].message.tool_calls[0]
        assert call.function.name == "search_slots"
        assert json.loads(call.function.arguments) == {"when": "завтра"}
        assert first.choices[0].finish_reason == "tool_calls" and first.usage and first.usage.prompt_tokens > 0
        texts = [
            client.chat.completions.create(model="gpt-4o-mini", messages=ask).choices[0].message.content
            for _ in range(2)
        ]
        assert texts == ["Завтра есть 18:00.", "Чем ещё помочь?"]
        recorded = httpx.get(f"http://127.0.0.1:{port}/_fake/requests", timeout=5).json()
        assert len(recorded) == 3 and recorded[0]["messages"] == ask
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_an_unplayable_script_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "script.json"
    script.write_text('[{"txt": "опечатка"}]', encoding="utf-8")
    assert main(["fake-llm", "--port", "0", "--script", str(script)]) == 2
    assert capsys.readouterr().err.strip() == f"ai-admin: cannot read the script {script}: unknown turn keys: txt"
