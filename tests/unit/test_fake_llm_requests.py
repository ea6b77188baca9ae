"""The fake LLM rejects what the chat-completions API rejects, and only plays turns it understands."""

from __future__ import annotations

from typing import Any

import pytest

from ai_admin.local.fake_llm import RequestError, ScriptError, check_turn, load_script, validate

CALL = {"id": "call_1", "type": "function", "function": {"name": "search_slots", "arguments": "{}"}}
TOOLS = [{"type": "function", "function": {"name": "search_slots", "parameters": {"type": "object"}}}]


def _body(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": list(messages) or [{"role": "user", "content": "привет"}], **extra}


def test_a_full_tool_exchange_is_valid() -> None:
    validate(
        _body(
            {"role": "system", "content": "rules"},
            {"role": "user", "content": "есть окна завтра?"},
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "call_1", "content": '{"ok": true}'},
            tools=TOOLS,
            tool_choice="none",
        )
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "m", "messages": []}, "non-empty"),
        (_body({"role": "robot", "content": "x"}), "role"),
        (_body({"role": "user"}), "content is required"),
        (_body(tool_choice="auto"), "only allowed when 'tools'"),
        (_body(tools=TOOLS, tool_choice="sometimes"), "invalid tool_choice"),
        (_body(tools=[{"type": "function", "function": {}}]), "function name"),
        (
            _body({"role": "assistant", "tool_calls": [CALL]}, {"role": "user", "content": "ну?"}),
            "must be followed by tool messages",
        ),
        (_body({"role": "assistant", "tool_calls": [CALL]}), "have no tool messages"),
        (_body({"role": "tool", "tool_call_id": "call_9", "content": "{}"}), "preceding 'tool_calls'"),
        (_body({"role": "assistant", "content": ""}), "content or tool_calls"),
    ],
)
def test_invalid_requests_are_rejected_like_the_api(body: Any, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        validate(body)


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        ("text", "must be an object"),
        ({"txt": "опечатка"}, "unknown turn keys: txt"),
        ({"usage": False}, "needs text"),
        ({"tool_calls": []}, "non-empty list"),
        ({"tool_calls": [{"arguments": {}}]}, "needs a name"),
        ({"status": 200}, "HTTP error code"),
        ({"delay_s": -1}, "delay_s"),
    ],
)
def test_unplayable_turns_are_refused(turn: Any, message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        check_turn(turn)


def test_a_script_is_a_list_or_turns_with_a_default() -> None:
    assert load_script([{"text": "да"}]) == ([{"text": "да"}], None)
    assert load_script({"turns": [{"status": 429}], "default": {"text": "ок"}}) == ([{"status": 429}], {"text": "ок"})
    with pytest.raises(ScriptError):
        load_script("text: да")
