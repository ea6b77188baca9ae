"""A fake OpenAI-compatible chat-completions API on 127.0.0.1 that plays a script of model turns.

``POST /v1/chat/completions`` (or ``/chat/completions``) is checked the way the API checks it (bearer
key, model, messages, tool-call pairing: 400 otherwise) and answered with the next scripted turn as a
real chat-completion body, ``usage.prompt_tokens`` estimated from the request. A turn is one of::

    {"text": "..."}                                      an answer
    {"tool_calls": [{"name": "...", "arguments": {...} or "raw string"}]}   (parallel calls: several)
    {"tool_calls": [...], "text": "..."}                 calls with text beside them, as some models do
    {"delay_s": 3.0}                                     answers late (with the rest of the turn, if any)
    {"status": 500}                                      an API error (429, 500, 503 ...)
    {"malformed": true}                                  a 200 whose body is not valid JSON

plus ``"usage": false`` to leave usage out and ``"finish_reason": "length"`` for an answer cut off at
the token limit. A tool call may carry ``"extra_content": {...}`` as Gemini's OpenAI-compatible API
does (thought signatures); like Gemini, the fake then refuses (400) a later request that sends that
call back without it. Every accepted request is recorded for assertions; ``GET /_fake/requests``
lists them.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ai_admin.conversation.llm_prompt import estimate_request_tokens, estimate_tokens

PATHS = ("/v1/chat/completions", "/chat/completions")
_TURN_KEYS = frozenset({"text", "tool_calls", "delay_s", "status", "malformed", "usage", "finish_reason"})
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_ERROR_TYPES = {429: "rate_limit_exceeded", 401: "invalid_api_key", 400: "invalid_request_error"}
_DELAYED_TEXT = "(a late answer)"


class ScriptError(ValueError):
    """A scripted turn the fake cannot play."""


class RequestError(ValueError):
    """An invalid chat-completions request (the API's 400)."""


@dataclass(frozen=True)
class RecordedRequest:
    body: dict[str, Any]
    path: str

    @property
    def model(self) -> str:
        return str(self.body.get("model"))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def system(self) -> str:
        return "\n".join(str(m.get("content")) for m in self.messages if m.get("role") in ("system", "developer"))

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or [])

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]

    @property
    def tool_choice(self) -> Any:
        return self.body.get("tool_choice")


def check_turn(turn: Any) -> dict[str, Any]:
    if not isinstance(turn, Mapping):
        raise ScriptError(f"a turn must be an object, got {turn!r}")
    unknown = set(turn) - _TURN_KEYS
    if unknown:
        raise ScriptError(f"unknown turn keys: {', '.join(sorted(unknown))}")
    if "tool_calls" in turn:
        calls = turn["tool_calls"]
        if not isinstance(calls, list) or not calls:
            raise ScriptError("tool_calls must be a non-empty list")
        for call in calls:
            if not isinstance(call, Mapping) or not isinstance(call.get("name"), str):
                raise ScriptError(f"a tool call needs a name: {call!r}")
    if "status" in turn and not (isinstance(turn["status"], int) and 400 <= turn["status"] <= 599):
        raise ScriptError("status must be an HTTP error code (400-599)")
    if "delay_s" in turn and not (isinstance(turn["delay_s"], int | float) and turn["delay_s"] >= 0):
        raise ScriptError("delay_s must be a number >= 0")
    if turn.get("finish_reason", "stop") not in ("stop", "length", "tool_calls", "content_filter"):
        raise ScriptError("finish_reason must be stop, length, tool_calls or content_filter")
    if not _TURN_KEYS & set(turn) - {"usage", "finish_reason"}:
        raise ScriptError("a turn needs text, tool_calls, delay_s, status or malformed")
    return dict(turn)


def load_script(document: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A script file's content: a list of turns, or ``{"turns": [...], "default": {...}}`` where the
    default turn answers once the script is played out."""
    if isinstance(document, list):
        return [check_turn(t) for t in document], None
    if isinstance(document, Mapping) and isinstance(document.get("turns", []), list):
        default = document.get("default")
        return [check_turn(t) for t in document.get("turns", [])], check_turn(default) if default else None
    raise ScriptError("a script is a list of turns or an object with turns (and an optional default)")


def validate(body: Any) -> None:
    """Raises RequestError for what the chat-completions API rejects with 400."""
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise RequestError("you must provide a model parameter")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty array")
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or not tools:
            raise RequestError("'tools' must be a non-empty array when given")
        for tool in tools:
            function = tool.get("function") if isinstance(tool, dict) else None
            if tool.get("type") != "function" or not isinstance(function, dict) or not function.get("name"):
                raise RequestError("every tool needs type 'function' and a function name")
    choice = body.get("tool_choice")
    if choice is not None:
        if tools is None:
            raise RequestError("'tool_choice' is only allowed when 'tools' are specified")
        if not (choice in ("none", "auto", "required") or isinstance(choice, dict)):
            raise RequestError(f"invalid tool_choice {choice!r}")
    _validate_messages(messages)


def _validate_messages(messages: list[Any]) -> None:
    open_calls: set[str] = set()
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise RequestError(f"messages[{index}]: a role of {', '.join(sorted(_ROLES))} is required")
        role = message["role"]
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in open_calls:
                raise RequestError(f"messages[{index}]: a 'tool' message must respond to a preceding 'tool_calls' id")
            open_calls.discard(call_id)
            if not isinstance(message.get("content"), str | list):
                raise RequestError(f"messages[{index}].content is required")
            continue
        if open_calls:
            raise RequestError(
                "an assistant message with 'tool_calls' must be followed by tool messages responding to "
                f"each 'tool_call_id' (missing: {', '.join(sorted(open_calls))})"
            )
        if role == "assistant":
            calls = message.get("tool_calls") or []
            if not calls and message.get("content") in (None, ""):
                raise RequestError(f"messages[{index}]: an assistant message needs content or tool_calls")
            for call in calls:
                function = call.get("function") or {}
                if not call.get("id") or not function.get("name") or not isinstance(function.get("arguments"), str):
                    raise RequestError(f"messages[{index}]: a tool call needs id, function.name, function.arguments")
                open_calls.add(call["id"])
        elif not isinstance(message.get("content"), str | list):
            raise RequestError(f"messages[{index}].content is required")
    if open_calls:
        raise RequestError("the last assistant 'tool_calls' have no tool messages")


class FakeLlm:
    def __init__(
        self,
        script: Iterable[Mapping[str, Any]] = (),
        *,
        default: Mapping[str, Any] | None = None,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.default = check_turn(default) if default is not None else None
        self._script: deque[dict[str, Any]] = deque(check_turn(t) for t in script)
        self._requests: list[RecordedRequest] = []
        self._rejected: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._signatures: dict[str, Any] = {}  # tool call id -> the extra_content it was issued with
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: a 40 ms delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a scripted delay past its timeout)

            def do_GET(self) -> None:
                if self.path.split("?")[0] == "/_fake/requests":
                    self._reply(200, [r.body for r in fake.requests()])
                else:
                    self._reply(404, _error(404, f"Unknown path {self.path}"))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, payload, headers = fake.handle(self.path, self.headers.get("Authorization", ""), raw)
                self._reply(status, payload, headers)

        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm", daemon=True
        )

    @property
    def url(self) -> str:
        """The ``base_url`` an OpenAI client takes."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeLlm:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeLlm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def play(self, *turns: Mapping[str, Any]) -> FakeLlm:
        """Appends turns to the script."""
        checked = [check_turn(t) for t in turns]
        with self._lock:
            self._script.extend(checked)
        return self

    def load_script(self, turns: list[dict[str, Any]]) -> None:
        """Replaces the script with a scenario's ``script:`` turns (``content`` is the text answer)."""
        converted = [
            {**{k: v for k, v in t.items() if k != "content"}, **({"text": t["content"]} if "content" in t else {})}
            for t in turns
        ]
        self.reset()
        self.play(*converted)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def rejected(self) -> list[tuple[int, str]]:
        """Requests answered 400/401/404, as (status, message)."""
        with self._lock:
            return list(self._rejected)

    def remaining(self) -> int:
        with self._lock:
            return len(self._script)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self._requests.clear()
            self._rejected.clear()

    def handle(self, path: str, authorization: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        if path.split("?", maxsplit=1)[0] not in PATHS:
            return self._reject(404, f"Unknown path {path}")
        scheme, _, key = authorization.partition(" ")
        if scheme != "Bearer" or not key or (self.api_key is not None and key != self.api_key):
            return self._reject(401, "Incorrect API key provided")
        try:
            body = json.loads(raw)
            validate(body)
            self._check_signatures(body)
        except (ValueError, RequestError, AttributeError) as error:
            return self._reject(400, str(error))
        with self._lock:
            self._requests.append(RecordedRequest(body, path))
            turn = self._script.popleft() if self._script else self.default
        if turn is None:
            return 500, _error(500, "the fake LLM's script is played out"), {}
        return self._play(body, turn)

    def _play(self, body: dict[str, Any], turn: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if turn.get("delay_s"):
            self._stopping.wait(float(turn["delay_s"]))
        if "status" in turn:
            status = int(turn["status"])
            return status, _error(status, "scripted failure"), {"Retry-After": "1"} if status == 429 else {}
        if turn.get("malformed"):
            return 200, b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "mess', {}
        return 200, self._completion(body, turn), {}

    def _check_signatures(self, body: dict[str, Any]) -> None:
        for message in body["messages"]:
            for call in message.get("tool_calls") or []:
                issued = self._signatures.get(call.get("id"))
                if issued is not None and call.get("extra_content") != issued:
                    raise RequestError(f"Function call {call.get('id')} is missing its thought_signature")

    def _reject(self, status: int, message: str) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self._rejected.append((status, message))
        return status, _error(status, message), {}

    def _completion(self, body: dict[str, Any], turn: dict[str, Any]) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if "tool_calls" in turn:
            message["tool_calls"] = []
            for index, call in enumerate(turn["tool_calls"]):
                issued: dict[str, Any] = {
                    "id": f"call_fake{number:04d}_{index}",
                    "type": "function",
                    "function": {
                        "name": call["name"],
                        "arguments": call.get("arguments", {})
                        if isinstance(call.get("arguments"), str)
                        else json.dumps(call.get("arguments", {}), ensure_ascii=False),
                    },
                }
                if "extra_content" in call:
                    issued["extra_content"] = call["extra_content"]
                    with self._lock:
                        self._signatures[issued["id"]] = call["extra_content"]
                message["tool_calls"].append(issued)
            message["content"] = turn.get("text")
            finish = "tool_calls"
        else:
            message["content"] = str(turn.get("text", _DELAYED_TEXT))
            finish = "stop"
        finish = turn.get("finish_reason", finish)
        completion: dict[str, Any] = {
            "id": f"chatcmpl-fake{number:06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "system_fingerprint": "fp_fake",
        }
        if turn.get("usage", True):
            prompt = estimate_request_tokens(body["messages"], body.get("tools") or ())
            output = estimate_tokens(json.dumps(message, ensure_ascii=False))
            completion["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": output,
                "total_tokens": prompt + output,
            }
        return completion


def _error(status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}
