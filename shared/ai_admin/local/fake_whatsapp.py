"""A fake WhatsApp Cloud API on 127.0.0.1: ``POST /{version}/{phone_number_id}/messages`` checked the
way Meta checks it (bearer token, body shape, documented limits), every accepted message recorded for
assertions, and errors (130429, 131056, 131047 ...) returned on request.

``GET /_fake/messages`` lists what was sent (the ``ai-admin send`` command polls it).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PATH = re.compile(r"^/(v\d+\.\d+)/(\d+)/messages$")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
ERROR_TITLES = {
    130429: "Rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131047: "Re-engagement message",
    131026: "Message undeliverable",
    131000: "Something went wrong",
    100: "Invalid parameter",
    190: "Invalid OAuth access token",
}


@dataclass(frozen=True)
class SentMessage:
    wamid: str
    phone_number_id: str
    version: str
    body: dict[str, Any]

    @property
    def to(self) -> str | None:
        return self.body.get("to") or self.body.get("recipient")

    @property
    def type(self) -> str:
        return str(self.body.get("type"))

    @property
    def text(self) -> str:
        """The readable text of any kind, for assertions."""
        if self.type == "text":
            return str(self.body["text"]["body"])
        if self.type == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        return f"template:{self.body['template']['name']}"


@dataclass
class _Failure:
    code: int
    times: int
    to: str | None


class BodyError(ValueError):
    pass


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise BodyError(message)


def _length(value: Any, most: int, what: str) -> None:
    _require(isinstance(value, str) and 1 <= len(value) <= most, f"{what} must be 1-{most} characters")


def validate(body: Any) -> None:
    """Raises BodyError the way the Graph API answers error 100 (Invalid parameter)."""
    _require(isinstance(body, dict), "body must be a JSON object")
    _require(body.get("messaging_product") == "whatsapp", "messaging_product must be 'whatsapp'")
    _require(("to" in body) != ("recipient" in body), "exactly one of to / recipient is required")
    kind = body.get("type", "text")
    if kind == "text":
        text = body.get("text") or {}
        _length(text.get("body"), 4096, "text.body")
    elif kind == "interactive":
        interactive = body.get("interactive") or {}
        _length((interactive.get("body") or {}).get("text"), 4096, "interactive.body.text")
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            buttons = action.get("buttons") or []
            _require(1 <= len(buttons) <= 3, "1-3 buttons are allowed")
            titles = [b.get("reply", {}).get("title") for b in buttons]
            for button in buttons:
                _require(button.get("type") == "reply", "button type must be 'reply'")
                _length(button["reply"].get("id"), 256, "button id")
                _length(button["reply"].get("title"), 20, "button title")
            _require(len(set(titles)) == len(titles), "button titles must be unique")
        elif interactive.get("type") == "list":
            _length(action.get("button"), 20, "list button")
            sections = action.get("sections") or []
            rows = [row for s in sections for row in s.get("rows") or []]
            _require(1 <= len(sections) <= 10 and 1 <= len(rows) <= 10, "1-10 sections and 1-10 rows")
            _require(len(sections) == 1 or all(s.get("title") for s in sections), "section titles needed")
            for row in rows:
                _length(row.get("id"), 200, "row id")
                _length(row.get("title"), 24, "row title")
                _require(len(row.get("description", "")) <= 72, "row description over 72 characters")
        else:
            raise BodyError("interactive.type must be button or list")
    elif kind == "template":
        template = body.get("template") or {}
        _require(bool(_TEMPLATE_NAME.match(str(template.get("name", "")))), "template.name is invalid")
        _require(bool((template.get("language") or {}).get("code")), "template.language.code is required")
    else:
        raise BodyError(f"unsupported type {kind!r}")


class FakeWhatsApp:
    def __init__(self, access_token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.access_token = access_token
        self._sent: list[SentMessage] = []
        self._failures: list[_Failure] = []
        self._delays: dict[str | None, float] = {}  # recipient (None: anyone) -> seconds before answering
        self._attempts: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        # Unique across runs: the transcript keys messages by wamid, and the local database outlives a stack.
        self._run = uuid.uuid4().hex[:8].upper()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY a keep-alive client waits
            # ~40 ms per request for the delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, payload: Any) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.split("?")[0] == "/_fake/messages":
                    self._reply(200, [{"wamid": m.wamid, "to": m.to, "body": m.body} for m in fake.sent()])
                else:
                    self._reply(404, {"error": {"message": "Unknown path", "code": 100}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, payload = fake.handle(self.path, self.headers.get("Authorization", ""), raw)
                self._reply(status, payload)

        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-whatsapp", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeWhatsApp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path: str, authorization: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        match = _PATH.match(path.split("?", maxsplit=1)[0])
        if not match:
            return 404, _error(100, "Unknown path components")
        if authorization != f"Bearer {self.access_token}":
            return 401, _error(190, "Invalid OAuth access token")
        try:
            body = json.loads(raw)
            validate(body)
        except (ValueError, BodyError) as error:
            return 400, _error(100, str(error))
        with self._lock:
            delay = self._delays.get(body.get("to"), self._delays.get(None, 0.0))
        if delay:
            time.sleep(delay)
        with self._lock:
            self._attempts.append(body)
            failure = next(
                (f for f in self._failures if f.to is None or f.to in (body.get("to"), body.get("recipient"))),
                None,
            )
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                status = 429 if failure.code in (130429, 131056) else 400
                return status, _error(failure.code, ERROR_TITLES.get(failure.code, "Error"))
            message = SentMessage(f"wamid.fake{self._run}{next(self._ids):08d}", match.group(2), match.group(1), body)
            self._sent.append(message)
            self._lock.notify_all()
        recipient = body.get("to") or body.get("recipient")
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": recipient, "wa_id": body.get("to") or ""}],
            "messages": [{"id": message.wamid}],
        }

    def fail_next(self, code: int, times: int = 1, to: str | None = None) -> None:
        """The next ``times`` sends (to ``to``, or to anyone) fail with WhatsApp error ``code``."""
        with self._lock:
            self._failures.append(_Failure(code, times, to))

    def delay(self, seconds: float, to: str | None = None) -> None:
        """Sends (to ``to``, or to anyone) are answered ``seconds`` late; 0 ends it."""
        with self._lock:
            if seconds:
                self._delays[to] = seconds
            else:
                self._delays.pop(to, None)

    def sent(self) -> list[SentMessage]:
        with self._lock:
            return list(self._sent)

    def sent_to(self, recipient: str) -> list[SentMessage]:
        return [m for m in self.sent() if m.to == recipient]

    def attempts(self) -> int:
        with self._lock:
            return len(self._attempts)

    def wait_for(self, predicate: Callable[[list[SentMessage]], bool], timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not predicate(list(self._sent)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    def reset(self) -> None:
        with self._lock:
            self._sent.clear()
            self._failures.clear()
            self._attempts.clear()


def _error(code: int, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "AfakeTraceId",
        }
    }
