"""Builds inbound WhatsApp webhook deliveries the way Meta sends them (compact JSON, non-ASCII escaped,
signed with the app secret), for the ``ai-admin send`` command, the tests and the benchmark."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

from ai_admin.local.stack import LOCAL_PHONE_NUMBER_ID
from ai_admin.whatsapp.signature import sign

_seq = itertools.count(1)


def new_wamid() -> str:
    return f"wamid.LOCAL{uuid.uuid4().hex.upper()}{next(_seq):04d}"


def envelope(values: list[dict[str, Any]], waba_id: str = "200000000000001") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": v} for v in values]}],
    }


def messages_value(
    messages: list[dict[str, Any]],
    contacts: list[dict[str, Any]],
    phone_number_id: str = LOCAL_PHONE_NUMBER_ID,
) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "74950000001", "phone_number_id": phone_number_id},
        "contacts": contacts,
        "messages": messages,
    }


def contact(wa_id: str | None, name: str | None = None, user_id: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"profile": {"name": name}} if name else {}  # a nameless profile sends none
    if wa_id:
        found["wa_id"] = wa_id
    if user_id:
        found["user_id"] = user_id
    return found


def text_message(
    body: str, wa_id: str | None, *, wamid: str | None = None, timestamp: int | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": wamid or new_wamid(),
        "timestamp": str(timestamp or int(time.time())),
        "type": "text",
        "text": {"body": body},
    }
    if wa_id:
        message["from"] = wa_id
    return message


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode("ascii")


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    body = encode(payload)
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}


def signed_text_delivery(
    text: str, *, wa_id: str, app_secret: str, name: str | None = None
) -> tuple[bytes, dict[str, str]]:
    value = messages_value([text_message(text, wa_id)], [contact(wa_id, name)])
    return signed(envelope([value]), app_secret)
