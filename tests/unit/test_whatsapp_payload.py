"""Every documented webhook kind parses into what the worker needs; what cannot be read is set aside,
never raised, and never costs the rest of the delivery."""

from __future__ import annotations

import json

import pytest

from ai_admin.domain.errors import InvalidSignature
from ai_admin.domain.messages import (
    NEEDS_TEXT_KINDS,
    SILENT_KINDS,
    ButtonsReply,
    InvalidOutboundMessage,
    ListReply,
    ListRow,
    ListSection,
    ReplyButton,
)
from ai_admin.local.inbound import encode
from ai_admin.whatsapp import signature
from ai_admin.whatsapp.split_text import split_text
from ai_admin.whatsapp.webhook_payload import parse
from tests import whatsapp_samples as samples

EXPECTED = {
    "text": ("text", "Здравствуйте! Можно записаться на стрижку?", None),
    "interactive_button": ("interactive", "18:00", "slot:2026-12-01T18:00"),
    "interactive_list": ("interactive", "Мужская стрижка", "service:42"),
    "template_button": ("button", "Подтверждаю", "CONFIRM:9001"),
    "image": ("image", "", None),
    "image_with_caption": ("image", "Хочу такую стрижку", None),
    "audio": ("audio", "", None),
    "voice": ("voice", "", None),
    "video": ("video", "", None),
    "document": ("document", "", None),
    "sticker": ("sticker", "", None),
    "location": ("location", "", None),
    "contacts": ("contacts", "", None),
    "reaction": ("reaction", "", "wamid.S-OUR-1"),
    "unsupported": ("unsupported", "", None),
    "system": ("system", "", None),
}


@pytest.mark.parametrize("name", sorted(samples.MESSAGES))
def test_every_message_kind_parses(name: str) -> None:
    delivery = parse(encode(samples.delivery(samples.MESSAGES[name])))
    [item] = delivery.messages
    kind, text, reply_id = EXPECTED[name]
    assert (item.message.kind, item.message.text, item.message.reply_id) == (kind, text, reply_id)
    assert item.phone_number_id == "100000000000001"
    assert item.client.key == samples.CLIENT
    assert item.client.phone == "+79990001122"
    assert item.client.name == "Анна"
    assert "from" not in item.message.raw
    assert item.message.kind in NEEDS_TEXT_KINDS | SILENT_KINDS | {"text", "interactive", "button"}


def test_a_username_only_client_is_keyed_by_bsuid_and_has_no_phone() -> None:
    [item] = parse(encode(samples.bsuid_only_text())).messages
    assert item.client.key == samples.BSUID
    assert item.client.wa_id is None
    assert item.client.phone is None


def test_several_entries_changes_messages_and_statuses() -> None:
    delivery = parse(encode(samples.several()))
    assert [m.message.wamid for m in delivery.messages] == [
        "wamid.S-TEXT-1",
        "wamid.S-TEXT-2",
        "wamid.S-TEXT-3",
    ]
    assert [m.client.key for m in delivery.messages] == [samples.CLIENT, samples.CLIENT, "79990003344"]
    assert [(s.wamid, s.status) for _, s in delivery.statuses] == [("wamid.S-OUR-1", "read")]


def test_a_failed_status_keeps_its_errors() -> None:
    payload = samples.statuses(samples.status("wamid.X", "failed", errors=samples.FAILED_ERRORS))
    [(_, update)] = parse(encode(payload)).statuses
    assert update.errors[0]["code"] == 131026


def test_other_fields_are_ignored() -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}]}],
    }
    delivery = parse(json.dumps(payload).encode())
    assert (delivery.messages, delivery.statuses) == ((), ())


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
        b"\xff",
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "deep": [[[[[[[[]]]]]]]] * 5}]})
        .replace("[]", "[" * 40 + "]" * 40)
        .encode(),
    ],
)
def test_an_unreadable_body_is_rejected_whole_not_raised(body: bytes) -> None:
    delivery = parse(body)
    assert (delivery.messages, delivery.statuses) == ((), ())
    [rejected] = delivery.rejected
    assert rejected.reason


def test_one_bad_message_or_status_costs_nothing_else() -> None:
    good = {**samples.MESSAGES["text"], "id": "wamid.GOOD"}
    no_id = {k: v for k, v in samples.MESSAGES["text"].items() if k != "id"}
    far_future = {**samples.MESSAGES["text"], "id": "wamid.FUTURE", "timestamp": str(10**30)}
    nobody = {"id": "wamid.NOBODY", "timestamp": "1760000000", "type": "text", "text": {"body": "кто я?"}}
    payload = samples.delivery(good)
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] += [no_id, far_future]
    value["statuses"] = [{"id": "wamid.S", "status": "read"}, samples.status("wamid.S-OUR-1", "read")]
    payload["entry"][0]["changes"].append({"field": "messages", "value": {"messages": [good]}})  # no metadata
    payload["entry"].append(
        {"id": "2", "changes": [{"field": "messages", "value": {**value, "contacts": [], "messages": [nobody]}}]}
    )
    delivery = parse(encode(payload))
    assert [m.message.wamid for m in delivery.messages] == ["wamid.GOOD"]
    assert [s.wamid for _, s in delivery.statuses] == ["wamid.S-OUR-1", "wamid.S-OUR-1"]
    reasons = [r.reason.split(":")[0] for r in delivery.rejected]
    assert sorted(reasons) == ["change", "message", "message", "message", "status", "status"]
    assert "кто я?" not in " ".join(r.reason for r in delivery.rejected)  # reasons never quote the client


def test_nul_characters_are_removed_from_text_and_names() -> None:
    """PostgreSQL refuses NUL in text and jsonb: a NUL in a message or a name once poisoned every turn."""
    payload = samples.delivery({**samples.MESSAGES["text"], "text": {"body": "запишите\x00 меня"}})
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "Ан\x00на"
    body = encode(payload)
    assert b"\\u0000" in body
    [item] = parse(body).messages
    assert item.message.text == "запишите меня"
    assert item.client.name == "Анна"
    assert "\\u0000" not in json.dumps(item.to_dict())


def test_lone_surrogates_are_removed() -> None:
    """JSON may escape half a surrogate pair; Python reads it, but no UTF-8 encoder (Redis, PostgreSQL) takes it."""
    body = encode(samples.delivery(samples.MESSAGES["text"])).replace(b'"body":"', b'"body":"\\ud800', 1)
    assert b"\\ud800" in body
    [item] = parse(body).messages
    item.message.text.encode()
    json.dumps(item.to_dict(), ensure_ascii=False).encode()


def test_signature_checks() -> None:
    body = encode(samples.delivery(samples.MESSAGES["text"]))
    signature.verify(body, signature.sign(body, "s3"), "s3")
    for header in (None, "", "sha1=abc", signature.sign(body, "other"), signature.sign(body + b" ", "s3")):
        with pytest.raises(InvalidSignature):
            signature.verify(body, header, "s3")


def test_split_text_keeps_every_word_within_the_limit() -> None:
    text = "Первое предложение. Второе, подлиннее! А третье? " * 30
    parts = split_text(text, 100)
    assert all(0 < len(p) <= 100 for p in parts)
    assert " ".join(parts).split() == text.split()
    assert all(p.endswith((".", "!", "?")) for p in parts)
    assert split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]
    assert split_text("коротко") == ["коротко"]


def test_outbound_limits_are_enforced() -> None:
    with pytest.raises(InvalidOutboundMessage):
        ButtonsReply("?", tuple(ReplyButton(str(i), f"b{i}") for i in range(4)))
    with pytest.raises(InvalidOutboundMessage):
        ButtonsReply("?", (ReplyButton("a", "Да"), ReplyButton("b", "Да")))
    with pytest.raises(InvalidOutboundMessage):
        ReplyButton("a", "x" * 21)
    rows = tuple(ListRow(str(i), f"r{i}") for i in range(11))
    with pytest.raises(InvalidOutboundMessage):
        ListReply("?", "Выбрать", (ListSection("", rows),))
