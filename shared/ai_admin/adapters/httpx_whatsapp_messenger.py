"""Sends messages through the WhatsApp Cloud API (``POST /{version}/{phone_number_id}/messages``).

Throughput (130429) and pair-rate (131056) limits are waited out here with capped exponential backoff;
131047 (outside the 24-hour window) becomes OutsideServiceWindow so the caller can send a template.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from ai_admin.domain import deadlines
from ai_admin.domain.errors import (
    MessageRejected,
    MessengerThrottled,
    MessengerUnavailable,
    OutsideServiceWindow,
)
from ai_admin.domain.messages import (
    ButtonsReply,
    ListReply,
    OutboundMessage,
    Recipient,
    TemplateReply,
    TextReply,
)
from ai_admin.settings import WhatsAppSettings, secret

THROTTLED = frozenset({130429, 131056})
OUTSIDE_WINDOW = 131047
TRANSIENT = frozenset({131000, 1, 2})


def request_body(to: Recipient, message: OutboundMessage) -> dict[str, Any]:
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    if to.wa_id:
        body["to"] = to.wa_id
    else:
        body["recipient"] = to.user_id
    if isinstance(message, TextReply):
        body.update(type="text", text={"body": message.body, "preview_url": False})
        if message.reply_to:
            body["context"] = {"message_id": message.reply_to}
    elif isinstance(message, ButtonsReply):
        interactive: dict[str, Any] = {
            "type": "button",
            "body": {"text": message.body},
            "action": {
                "buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in message.buttons]
            },
        }
        if message.header:
            interactive["header"] = {"type": "text", "text": message.header}
        if message.footer:
            interactive["footer"] = {"text": message.footer}
        body.update(type="interactive", interactive=interactive)
    elif isinstance(message, ListReply):
        sections = [
            {
                **({"title": s.title} if s.title else {}),
                "rows": [
                    {
                        "id": r.id,
                        "title": r.title,
                        **({"description": r.description} if r.description else {}),
                    }
                    for r in s.rows
                ],
            }
            for s in message.sections
        ]
        body.update(
            type="interactive",
            interactive={
                "type": "list",
                "body": {"text": message.body},
                "action": {"button": message.button, "sections": sections},
            },
        )
    else:
        body.update(type="template", template=_template(message))
    return body


def _template(message: TemplateReply) -> dict[str, Any]:
    components: list[dict[str, Any]] = []
    if message.body_params:
        components.append({"type": "body", "parameters": [{"type": "text", "text": p} for p in message.body_params]})
    for index, payload in enumerate(message.quick_reply_payloads):
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    template: dict[str, Any] = {
        "name": message.name,
        "language": {"code": message.language, "policy": "deterministic"},
    }
    if components:
        template["components"] = components
    return template


class WhatsAppCloudMessenger:
    def __init__(
        self,
        config: WhatsAppSettings,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._client = client or httpx.Client(timeout=config.send_timeout_s)
        self._sleep = sleep

    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        base = self._config.graph_base_url.rstrip("/")
        url = f"{base}/{self._config.graph_api_version}/{phone_number_id}/messages"
        headers = {"Authorization": f"Bearer {secret(self._config.access_token)}"}
        body = request_body(to, message)
        attempts = self._config.send_max_retries + 1
        for attempt in range(attempts):
            timeout = deadlines.cap(self._config.send_timeout_s)  # the turn's send budget, when there is one
            if timeout <= 0:
                raise MessengerUnavailable("no time left to send")
            try:
                response = self._client.post(url, json=body, headers=headers, timeout=timeout)
            except httpx.HTTPError as error:
                raise MessengerUnavailable(f"WhatsApp unreachable: {type(error).__name__}") from error
            if response.status_code < 300:
                return _wamid(response)
            code, detail = _error(response)
            backoff = self._backoff(attempt)
            if code in THROTTLED and attempt + 1 < attempts and deadlines.cap(backoff) == backoff:
                self._sleep(backoff)
                continue
            if code in THROTTLED:
                raise MessengerThrottled(f"WhatsApp throttled us ({code}) {attempts} times")
            if code == OUTSIDE_WINDOW:
                raise OutsideServiceWindow(code, detail)
            if response.status_code >= 500 or code in TRANSIENT:
                raise MessengerUnavailable(f"WhatsApp failed: HTTP {response.status_code}, code {code}")
            raise MessageRejected(code, detail)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        ceiling: float = min(self._config.send_backoff_cap_s, self._config.send_backoff_base_s * 2**attempt)
        return ceiling / 2 + float(random.uniform(0, ceiling / 2))  # noqa: S311 - jitter, not security


def _wamid(response: httpx.Response) -> str:
    try:
        return str(response.json()["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise MessengerUnavailable("WhatsApp answered without a message id") from error


def _error(response: httpx.Response) -> tuple[int, str]:
    try:
        error = response.json()["error"]
        details = (error.get("error_data") or {}).get("details") or error.get("message") or ""
        return int(error.get("code", 0)), str(details)
    except (ValueError, KeyError, TypeError):
        return 0, f"HTTP {response.status_code}"
