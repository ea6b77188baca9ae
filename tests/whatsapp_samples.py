"""Our own WhatsApp webhook bodies, one per documented kind (values invented here), used by the tests
and written to events/WebhookFunction/ as signed API Gateway events by running this module:

    .venv/bin/python -m tests.whatsapp_samples
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from ai_admin.local.inbound import contact, encode, envelope, messages_value
from ai_admin.local.stack import LOCAL_PHONE_NUMBER_ID, LOCAL_SECRETS
from ai_admin.whatsapp.signature import sign

__all__ = ["sign"]

APP_SECRET = LOCAL_SECRETS["WHATSAPP_APP_SECRET"]
CLIENT = "79990001122"
BSUID = "RU.4419028811200931"
TS = "1795500000"


def _message(kind: str, wamid: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"from": CLIENT, "id": wamid, "timestamp": TS, "type": kind, kind: body, **extra}


def _media(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"88{len(kind)}0012",
        "mime_type": "application/octet-stream",
        "sha256": "c2FtcGxl",
        **extra,
    }


MESSAGES: dict[str, dict[str, Any]] = {
    "text": _message("text", "wamid.S-TEXT-1", {"body": "Здравствуйте! Можно записаться на стрижку?"}),
    "interactive_button": _message(
        "interactive",
        "wamid.S-IBTN-1",
        {"type": "button_reply", "button_reply": {"id": "slot:2026-12-01T18:00", "title": "18:00"}},
        context={"from": "74950000001", "id": "wamid.S-OUR-1"},
    ),
    "interactive_list": _message(
        "interactive",
        "wamid.S-ILIST-1",
        {
            "type": "list_reply",
            "list_reply": {"id": "service:42", "title": "Мужская стрижка", "description": "60 мин"},
        },
        context={"from": "74950000001", "id": "wamid.S-OUR-2"},
    ),
    "template_button": _message(
        "button",
        "wamid.S-TBTN-1",
        {"payload": "CONFIRM:9001", "text": "Подтверждаю"},
        context={"from": "74950000001", "id": "wamid.S-OUR-3"},
    ),
    "image": _message("image", "wamid.S-IMG-1", _media("image", mime_type="image/jpeg")),
    "image_with_caption": _message(
        "image", "wamid.S-IMG-2", _media("image", mime_type="image/jpeg", caption="Хочу такую стрижку")
    ),
    "audio": _message("audio", "wamid.S-AUD-1", _media("audio", mime_type="audio/mpeg", voice=False)),
    "voice": _message("audio", "wamid.S-VOI-1", _media("audio", mime_type="audio/ogg; codecs=opus", voice=True)),
    "video": _message("video", "wamid.S-VID-1", _media("video", mime_type="video/mp4")),
    "document": _message(
        "document", "wamid.S-DOC-1", _media("document", mime_type="application/pdf", filename="price.pdf")
    ),
    "sticker": _message("sticker", "wamid.S-STK-1", _media("sticker", mime_type="image/webp", animated=False)),
    "location": _message(
        "location",
        "wamid.S-LOC-1",
        {"latitude": 55.7512, "longitude": 37.6184, "name": "Салон", "address": "ул. Примерная, 1"},
    ),
    "contacts": {
        "from": CLIENT,
        "id": "wamid.S-CON-1",
        "timestamp": TS,
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Ольга", "first_name": "Ольга"}, "phones": []}],
    },
    "reaction": _message("reaction", "wamid.S-REA-1", {"message_id": "wamid.S-OUR-1", "emoji": "👍"}),
    "unsupported": {
        "from": CLIENT,
        "id": "wamid.S-UNS-1",
        "timestamp": TS,
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown"}],
        "unsupported": {"type": "poll"},
    },
    "system": _message("system", "wamid.S-SYS-1", {"body": "Клиент сменил номер", "type": "user_changed_number"}),
}


def delivery(*messages: dict[str, Any], wa_id: str | None = CLIENT, user_id: str | None = None) -> dict[str, Any]:
    return envelope([messages_value(list(messages), [contact(wa_id, "Анна", user_id)])])


def bsuid_only_text() -> dict[str, Any]:
    message = {
        "from_user_id": BSUID,
        "id": "wamid.S-BSU-1",
        "timestamp": TS,
        "type": "text",
        "text": {"body": "Хочу записаться"},
    }
    return envelope([messages_value([message], [{"profile": {"name": "Гость"}, "user_id": BSUID}])])


def statuses(*items: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "74950000001", "phone_number_id": LOCAL_PHONE_NUMBER_ID},
        "statuses": list(items),
    }
    return envelope([value])


def status(wamid: str, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": state,
        "timestamp": TS,
        "recipient_id": CLIENT,
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "service", "type": "regular"},
        **extra,
    }


FAILED_ERRORS = [
    {
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {"details": "Receiver is incapable of receiving this message"},
    }
]


def several() -> dict[str, Any]:
    """Two entries, one with two changes: messages of two clients and a status in one POST."""
    first = messages_value(
        [MESSAGES["text"], _message("text", "wamid.S-TEXT-2", {"body": "на завтра"})],
        [contact(CLIENT, "Анна")],
    )
    other = messages_value(
        [{**MESSAGES["text"], "from": "79990003344", "id": "wamid.S-TEXT-3"}],
        [contact("79990003344", "Пётр")],
    )
    body = envelope([first, other])
    body["entry"].append(statuses(status("wamid.S-OUR-1", "read"))["entry"][0])
    return body


def http_event(
    method: str,
    body: bytes | None = None,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    raw_query = "&".join(f"{k}={v}" for k, v in (query or {}).items())
    text = None
    if body is not None:
        text = base64.b64encode(body).decode() if base64_body else body.decode("utf-8")
    return {
        "version": "2.0",
        "routeKey": f"{method} /webhook",
        "rawPath": "/webhook",
        "rawQueryString": raw_query,
        "headers": {"content-type": "application/json", "host": "localhost", **(headers or {})},
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "localhost",
            "http": {"method": method, "path": "/webhook", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": f"sample-{method.lower()}",
            "routeKey": f"{method} /webhook",
            "stage": "$default",
            "time": "01/Dec/2026:09:00:00 +0000",
            "timeEpoch": 1795500000000,
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }


def signed_event(payload: dict[str, Any], *, base64_body: bool = False) -> dict[str, Any]:
    body = encode(payload)
    return http_event("POST", body, headers={"x-hub-signature-256": sign(body, APP_SECRET)}, base64_body=base64_body)


def sample_events() -> dict[str, dict[str, Any]]:
    events = {f"message_{name}": signed_event(delivery(m)) for name, m in MESSAGES.items()}
    events["message_text_base64_body"] = signed_event(delivery(MESSAGES["text"]), base64_body=True)
    events["message_without_phone_bsuid"] = signed_event(bsuid_only_text())
    events["several_entries_changes_messages"] = signed_event(several())
    events["status_sent"] = signed_event(statuses(status("wamid.S-OUR-1", "sent")))
    events["status_delivered"] = signed_event(statuses(status("wamid.S-OUR-1", "delivered")))
    events["status_read"] = signed_event(statuses(status("wamid.S-OUR-1", "read")))
    events["status_failed"] = signed_event(statuses(status("wamid.S-OUR-1", "failed", errors=FAILED_ERRORS)))
    unknown = delivery(MESSAGES["text"])
    unknown["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999999999"
    events["unknown_phone_number_id"] = signed_event(unknown)
    body = encode(delivery(MESSAGES["text"]))
    events["bad_signature.401"] = http_event(
        "POST", body, headers={"x-hub-signature-256": sign(body, "not-the-app-secret")}
    )
    events["missing_signature.401"] = http_event("POST", body)
    junk = b'{"object": "whatsapp_business_account", "entry": ['  # signed, so acknowledged and dead-lettered
    events["malformed_json_dead_lettered"] = http_event(
        "POST", junk, headers={"x-hub-signature-256": sign(junk, APP_SECRET)}
    )
    verify = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": "local-verify-token",
    }
    events["verify"] = http_event("GET", query=verify)
    events["verify_wrong_token.403"] = http_event("GET", query={**verify, "hub.verify_token": "guess"})
    return events


def worker_event() -> dict[str, Any]:
    body = json.dumps({"company_id": 1, "client_key": CLIENT, "wamid": "wamid.S-TEXT-1"})
    return {
        "Records": [
            {
                "messageId": "5d1b7f0e-0000-4000-8000-000000000001",
                "receiptHandle": "sample-receipt-handle",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795500000000",
                    "SequenceNumber": "18849496460467696128",
                    "MessageGroupId": f"1:{CLIENT}",
                    "SenderId": "AIDAEXAMPLE",
                    "MessageDeduplicationId": "wamid.S-TEXT-1",
                    "ApproximateFirstReceiveTimestamp": "1795500000001",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-central-1:000000000000:ConversationQueue.fifo",
                "awsRegion": "eu-central-1",
            }
        ]
    }


def write(root: Path) -> None:
    folder = root / "events" / "WebhookFunction"
    folder.mkdir(parents=True, exist_ok=True)
    for name, event in sample_events().items():
        (folder / f"{name}.json").write_text(json.dumps(event, ensure_ascii=False, indent=2) + "\n", "utf-8")
    worker = root / "events" / "ConversationWorkerFunction"
    worker.mkdir(parents=True, exist_ok=True)
    (worker / "turn_already_answered.json").write_text(json.dumps(worker_event(), indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    write(Path(__file__).resolve().parents[1])
