"""Signed deliveries through the whole local product: HTTP API -> webhook -> Redis + FIFO queue (moto)
-> conversation worker -> fake WhatsApp Graph API, with the transcript in PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from ai_admin.adapters.postgres_connection import connect
from ai_admin.conversation.replies import ASK_PHONE, PLEASE_WRITE_TEXT
from ai_admin.local.inbound import contact, envelope, messages_value, new_wamid, signed, text_message
from tests import whatsapp_samples as samples
from tests.conftest import RunningProduct

SECRET = samples.APP_SECRET


def post(product: RunningProduct, payload: dict[str, Any]) -> httpx.Response:
    body, headers = signed(payload, SECRET)
    return httpx.post(f"{product.api_url}/webhook", content=body, headers=headers, timeout=10)


def text_from(wa_id: str, text: str, wamid: str | None = None, ts: int | None = None) -> dict[str, Any]:
    return envelope([messages_value([text_message(text, wa_id, wamid=wamid, timestamp=ts)], [contact(wa_id)])])


def settle(product: RunningProduct, seconds: float = 1.5) -> None:
    """Let the worker drain the queue (debounce 0.3 s) before asserting that nothing else arrives."""
    time.sleep(seconds)


def rows(product: RunningProduct, sql: str, **params: Any) -> list[list[Any]]:
    conn = connect(product.stack.env["DATABASE_URL"])
    try:
        return list(conn.run(sql, **params) or [])
    finally:
        conn.close()


def test_a_text_is_answered_once_per_turn_and_greeted_only_first(running_product: RunningProduct) -> None:
    fake = running_product.fake
    assert post(running_product, text_from("79990000001", "Сколько стоит стрижка?")).status_code == 200
    assert fake.wait_for(lambda sent: len(sent) >= 1)
    settle(running_product, 0.5)
    [reply] = fake.sent_to("79990000001")
    assert reply.text.startswith(("Доброе утро", "Добрый день", "Добрый вечер", "Доброй ночи"))
    [[state, phone]] = rows(running_product, "SELECT state, phone FROM conversations")
    assert state["dialog"]["last_reply"] == reply.text
    assert phone == "+79990000001"
    transcript = rows(running_product, "SELECT direction, body, wa_message_id FROM messages ORDER BY message_id")
    assert [r[0] for r in transcript] == ["in", "out"]
    assert transcript[1][2] == reply.wamid

    # The next turn is answered too, without a second greeting.
    assert post(running_product, text_from("79990000001", "Спасибо")).status_code == 200
    assert fake.wait_for(lambda sent: len(sent) >= 2)
    settle(running_product)
    second = fake.sent_to("79990000001")[1].text
    assert len(fake.sent_to("79990000001")) == 2
    assert not second.startswith(("Доброе", "Добрый", "Доброй", "Здравствуйте"))
    assert len(rows(running_product, "SELECT 1 FROM messages WHERE direction = 'in'")) == 2


def test_the_same_message_delivered_five_times_gets_exactly_one_reply(
    running_product: RunningProduct,
) -> None:
    payload = text_from("79990000002", "Здравствуйте", wamid=new_wamid())
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda _: post(running_product, payload).status_code, range(5)))
    assert statuses == [200] * 5
    assert running_product.fake.wait_for(lambda sent: len(sent) >= 1)
    settle(running_product)
    assert len(running_product.fake.sent_to("79990000002")) == 1
    assert len(rows(running_product, "SELECT 1 FROM messages WHERE direction = 'in'")) == 1


def test_a_rapid_burst_is_answered_once_as_one_turn(running_product: RunningProduct) -> None:
    now = int(time.time())
    parts = ["Запишите на стрижку", "на завтра", "в 18:00", "к Бари"]
    payloads = [text_from("79990000003", p, ts=now + i) for i, p in enumerate(parts)]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda p: post(running_product, p).status_code, payloads)) == [200] * 4
    assert running_product.fake.wait_for(lambda sent: len(sent) >= 1)
    settle(running_product)
    assert len(running_product.fake.sent_to("79990000003")) == 1
    inbound = rows(running_product, "SELECT body FROM messages WHERE direction = 'in' ORDER BY created_at")
    assert [r[0] for r in inbound] == parts


def test_two_clients_are_answered_independently_and_in_order(running_product: RunningProduct) -> None:
    now = int(time.time())
    for i in range(3):
        assert post(running_product, text_from("79990000004", f"первый {i}", ts=now + i)).status_code == 200
        assert post(running_product, text_from("79990000005", f"второй {i}", ts=now + i)).status_code == 200
    fake = running_product.fake
    assert fake.wait_for(lambda sent: {m.to for m in sent} >= {"79990000004", "79990000005"})
    settle(running_product)
    # Each client's messages form their own turns (one or more, depending on how fast they arrived).
    assert 1 <= len(fake.sent_to("79990000004")) <= 3
    assert 1 <= len(fake.sent_to("79990000005")) <= 3
    for wa_id, prefix in (("79990000004", "первый"), ("79990000005", "второй")):
        bodies = rows(
            running_product,
            "SELECT m.body FROM messages m JOIN conversations c USING (conversation_id)"
            " WHERE c.client_key = :key AND m.direction = 'in' ORDER BY m.message_id",
            key=wa_id,
        )
        assert [b[0] for b in bodies] == [f"{prefix} {i}" for i in range(3)]


@pytest.mark.parametrize("kind", ["voice", "image", "sticker", "location", "contacts", "unsupported", "video"])
def test_non_text_gets_a_request_for_text(running_product: RunningProduct, kind: str) -> None:
    message = {**samples.MESSAGES[kind], "id": new_wamid(), "from": "79990000006"}
    assert post(running_product, samples.delivery(message, wa_id="79990000006")).status_code == 200
    assert running_product.fake.wait_for(lambda sent: len(sent) >= 1)
    assert [m.text for m in running_product.fake.sent_to("79990000006")] == [PLEASE_WRITE_TEXT]


def test_reactions_and_system_notices_get_no_reply(running_product: RunningProduct) -> None:
    for kind in ("reaction", "system"):
        message = {**samples.MESSAGES[kind], "id": new_wamid()}
        assert post(running_product, samples.delivery(message)).status_code == 200
    settle(running_product)
    assert running_product.fake.sent() == []
    kinds = rows(running_product, "SELECT kind FROM messages WHERE direction = 'in' ORDER BY kind")
    assert [k[0] for k in kinds] == ["reaction", "system"]


def test_a_client_without_a_phone_is_asked_for_one_then_answered(running_product: RunningProduct) -> None:
    fake = running_product.fake
    assert post(running_product, samples.bsuid_only_text()).status_code == 200
    assert fake.wait_for(lambda sent: len(sent) >= 1)
    [ask] = fake.sent_to(samples.BSUID)
    assert ask.text == ASK_PHONE
    assert "to" not in ask.body
    answer = {
        "from_user_id": samples.BSUID,
        "id": new_wamid(),
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "мой номер 8 (999) 000-11-22"},
    }
    value = messages_value([answer], [{"profile": {"name": "Гость"}, "user_id": samples.BSUID}])
    assert post(running_product, envelope([value])).status_code == 200
    assert fake.wait_for(lambda sent: len(sent) >= 2)
    assert fake.sent_to(samples.BSUID)[1].text not in {ASK_PHONE, ""}
    assert rows(running_product, "SELECT phone FROM conversations") == [["+79990001122"]]


def test_statuses_update_our_messages_and_unknown_ones_are_ignored(running_product: RunningProduct) -> None:
    fake = running_product.fake
    assert post(running_product, text_from("79990000007", "Привет")).status_code == 200
    assert fake.wait_for(lambda sent: len(sent) >= 1)
    settle(running_product, 0.5)
    wamid = fake.sent()[0].wamid
    for state in ("delivered", "read", "delivered"):  # a late "delivered" must not undo "read"
        assert post(running_product, samples.statuses(samples.status(wamid, state))).status_code == 200
    assert rows(running_product, "SELECT status FROM messages WHERE wa_message_id = :w", w=wamid) == [["read"]]
    failed = samples.status(wamid, "failed", errors=samples.FAILED_ERRORS)
    assert post(running_product, samples.statuses(failed)).status_code == 200
    [[status, error]] = rows(running_product, "SELECT status, error FROM messages WHERE wa_message_id = :w", w=wamid)
    assert status == "failed"
    assert error[0]["code"] == 131026
    unknown = samples.statuses(samples.status("wamid.NOT-OURS", "read"))
    assert post(running_product, unknown).status_code == 200


def test_unknown_phone_number_id_is_acknowledged_and_nothing_is_enqueued(
    running_product: RunningProduct, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = text_from("79990000008", "Привет")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999000999000999"
    assert post(running_product, payload).status_code == 200
    settle(running_product)
    assert running_product.fake.sent() == []
    assert rows(running_product, "SELECT 1 FROM conversations") == []
    assert "79990000008" not in capsys.readouterr().out


def test_unsigned_or_oversized_bodies_are_refused_and_store_nothing(running_product: RunningProduct) -> None:
    url = f"{running_product.api_url}/webhook"
    body, headers = signed(text_from("79990000009", "Привет"), SECRET)
    assert httpx.post(url, content=body, timeout=10).status_code == 401
    bad = {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert httpx.post(url, content=body, headers=bad, timeout=10).status_code == 401
    big = b" " * 1_000_001
    big_headers = {"X-Hub-Signature-256": samples.sign(big, SECRET)}
    assert httpx.post(url, content=big, headers=big_headers, timeout=10).status_code == 413
    settle(running_product, 0.8)
    assert running_product.fake.sent() == []
    assert rows(running_product, "SELECT 1 FROM messages") == []
    assert rows(running_product, "SELECT 1 FROM dead_letters") == []


def _signed_raw(product: RunningProduct, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": samples.sign(body, SECRET)}
    return httpx.post(f"{product.api_url}/webhook", content=body, headers=headers, timeout=10)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[" * 50_000 + b"]" * 50_000, b'{"object": "page", "entry": []}'],
    ids=["not-json", "nested-50000-deep", "not-whatsapp"],
)
def test_a_signed_body_we_cannot_read_is_acknowledged_and_dead_lettered_once(
    running_product: RunningProduct, body: bytes
) -> None:
    """Meta re-sends what we refuse for days; a body it signed is kept for an operator instead."""
    assert _signed_raw(running_product, body).status_code == 200
    assert _signed_raw(running_product, body).status_code == 200  # Meta's redelivery adds nothing
    [[source, reason]] = rows(running_product, "SELECT source, reason FROM dead_letters")
    assert source == "whatsapp"
    assert reason.startswith(("body", "not a WhatsApp webhook"))
    settle(running_product, 0.5)
    assert running_product.fake.sent() == []


def test_one_unreadable_message_does_not_hold_back_the_others(running_product: RunningProduct) -> None:
    payload = text_from("79990000010", "Сколько стоит стрижка?")
    broken = {"id": new_wamid(), "from": "79990000010", "type": "text", "text": {"body": "без времени"}}
    payload["entry"][0]["changes"][0]["value"]["messages"].append(broken)
    assert post(running_product, payload).status_code == 200
    assert running_product.fake.wait_for(lambda sent: len(sent) >= 1)
    settle(running_product, 0.5)
    assert len(running_product.fake.sent_to("79990000010")) == 1
    assert [r[0] for r in rows(running_product, "SELECT body FROM messages WHERE direction = 'in'")] == [
        "Сколько стоит стрижка?"
    ]
    [[reason, fragment]] = rows(running_product, "SELECT reason, fragment FROM dead_letters")
    assert reason == "message: timestamp: Field required"
    assert "без времени" in fragment


def test_nul_characters_in_text_and_name_are_stored_without_them_and_answered(
    running_product: RunningProduct,
) -> None:
    payload = text_from("79990000011", "Сколько\x00 стоит стрижка?")
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"] = {"name": "Ан\x00на"}
    assert post(running_product, payload).status_code == 200
    assert running_product.fake.wait_for(lambda sent: len(sent) >= 1)
    assert rows(running_product, "SELECT body FROM messages WHERE direction = 'in'") == [["Сколько стоит стрижка?"]]
    assert rows(running_product, "SELECT state->>'name' FROM conversations") == [["Анна"]]


def test_meta_verification(running_product: RunningProduct) -> None:
    url = f"{running_product.api_url}/webhook"
    good = {"hub.mode": "subscribe", "hub.verify_token": "local-verify-token", "hub.challenge": "42424242"}
    response = httpx.get(url, params=good, timeout=10)
    assert (response.status_code, response.text) == (200, "42424242")
    assert response.headers["content-type"].startswith("text/plain")
    assert httpx.get(url, params={**good, "hub.verify_token": "x"}, timeout=10).status_code == 403
    assert httpx.get(url, params={**good, "hub.mode": "unsubscribe"}, timeout=10).status_code == 403
