"""Which readers the conversation worker reads with, decided and logged once per cold start."""

from __future__ import annotations

import json

import pytest

from ai_admin.bootstrap import conversation_worker
from ai_admin.settings import SettingsError, reset


def _logged(capsys: pytest.CaptureFixture[str], message: str) -> dict[str, object]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return next(line for line in lines if line["message"] == message)


def test_a_required_llm_without_its_key_fails_naming_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_ADMIN_BRAIN", "llm")
    monkeypatch.setenv("LLM_PRIMARY_BASE_URL", "https://api.openai.com/v1")
    reset()
    with pytest.raises(SettingsError, match=r"LLM_PRIMARY_API_KEY is not set \(LLM_PRIMARY_BASE_URL is\)"):
        conversation_worker.reader()


def test_a_required_llm_with_nothing_configured_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_ADMIN_BRAIN", "llm")
    reset()
    with pytest.raises(SettingsError, match="LLM_PRIMARY_BASE_URL and LLM_PRIMARY_API_KEY are not set"):
        conversation_worker.reader()


def test_the_active_readers_are_logged_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AI_ADMIN_BRAIN", "llm")
    monkeypatch.setenv("LLM_PRIMARY_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("LLM_PRIMARY_API_KEY", "sk-test-not-real")
    reset()
    capsys.readouterr()
    chain = conversation_worker.reader()
    assert [r.name for r in chain.readers] == ["openai", "offline"]
    line = _logged(capsys, "conversation readers")
    assert line["readers"] == ["openai (gpt-4o-mini)", "offline"]
    assert "sk-test-not-real" not in json.dumps(line)


def test_by_default_a_half_configured_provider_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LLM_SECONDARY_API_KEY", "sk-test-not-real")
    reset()
    capsys.readouterr()
    assert [r.name for r in conversation_worker.reader().readers] == ["offline"]
    warning = _logged(capsys, "an LLM provider is half configured and unused")
    assert warning["problems"] == ["LLM_SECONDARY_BASE_URL is not set (LLM_SECONDARY_API_KEY is)"]
