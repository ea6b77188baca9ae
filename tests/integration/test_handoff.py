"""Hand-offs to a person through the whole local product: signed deliveries -> webhook -> queue ->
worker -> the fake Graph API, with the salon's administrators in ``companies.settings``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ai_admin.local.fake_whatsapp import SentMessage
from ai_admin.local.inbound import contact, envelope, messages_value, new_wamid, signed, text_message
from tests import whatsapp_samples as samples
from tests.conftest import RunningProduct
from tests.integration.conftest import rows

ADMIN = "79990000100"
SECOND_ADMIN = "79990000101"
CLIENT = "79990000011"
TOLD = "Передал ваш вопрос администратору"


def post(product: RunningProduct, payload: dict[str, Any]) -> None:
    body, headers = signed(payload, samples.APP_SECRET)
    assert httpx.post(f"{product.api_url}/webhook", content=body, headers=headers, timeout=10).status_code == 200


def write(product: RunningProduct, wa_id: str, text: str, name: str = "Анна") -> None:
    post(product, envelope([messages_value([text_message(text, wa_id)], [contact(wa_id, name)])]))


def tap(product: RunningProduct, wa_id: str, button_id: str, title: str = "Готово") -> None:
    message = {
        "from": wa_id,
        "id": new_wamid(),
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    }
    post(product, envelope([messages_value([message], [contact(wa_id, "Админ")])]))


def set_salon(product: RunningProduct, **settings: Any) -> None:
    rows(
        product.stack, "UPDATE companies SET settings = CAST(:s AS jsonb) WHERE company_id = 1", s=json.dumps(settings)
    )


def replies_to(product: RunningProduct, wa_id: str, count: int) -> list[SentMessage]:
    assert product.fake.wait_for(lambda sent: len([m for m in sent if m.to == wa_id]) >= count), (
        f"{wa_id} did not get {count} message(s): {[m.text for m in product.fake.sent()]}"
    )
    return product.fake.sent_to(wa_id)


def quiet(product: RunningProduct, seconds: float = 1.5) -> None:
    """The pipeline has drained (debounce 0.3 s) and whatever it was going to send has been sent."""
    time.sleep(seconds)


def handoffs(product: RunningProduct) -> list[dict[str, Any]]:
    columns = ["handoff_id", "client_phone", "client_name", "notice", "notified_to", "closed_by", "notice_error"]
    found = rows(product.stack, f"SELECT {', '.join(columns)} FROM handoffs ORDER BY handoff_id")
    return [dict(zip(columns, row, strict=True)) for row in found]


def test_the_admin_is_told_once_the_bot_keeps_quiet_and_done_gives_the_client_back(
    running_product: RunningProduct,
) -> None:
    set_salon(running_product, admins=["+" + ADMIN])
    write(running_product, CLIENT, "Позовите администратора, пожалуйста")
    [told] = replies_to(running_product, CLIENT, 1)
    assert TOLD in told.text
    [alert] = replies_to(running_product, ADMIN, 1)
    # The administrator never wrote to the salon: outside the 24-hour window only the template goes out.
    assert alert.type == "template"
    template = alert.body["template"]
    assert template["name"] == "admin_handoff"
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params[0] == f"Анна, +{CLIENT}"
    assert "Клиент: Позовите администратора, пожалуйста" in params[2]
    [[handoff_id]] = rows(running_product.stack, "SELECT handoff_id FROM handoffs")
    payload = template["components"][1]["parameters"][0]["payload"]
    assert payload == f"handoff_done:{handoff_id}"

    # While the administrator has the client, the bot answers nothing and tells nobody again.
    write(running_product, CLIENT, "Алло? Есть кто-нибудь?")
    write(running_product, CLIENT, "Мне нужен администратор")
    quiet(running_product)
    assert len(running_product.fake.sent_to(CLIENT)) == 1
    assert len(running_product.fake.sent_to(ADMIN)) == 1
    inbound = rows(running_product.stack, "SELECT body FROM messages WHERE direction = 'in' ORDER BY message_id")
    assert [r[0] for r in inbound[-2:]] == ["Алло? Есть кто-нибудь?", "Мне нужен администратор"]

    write(running_product, ADMIN, "Готово")
    [_, closed] = replies_to(running_product, ADMIN, 2)
    assert closed.text.startswith("Передача закрыта") and f"+{CLIENT}" in closed.text
    [row] = handoffs(running_product)
    assert (row["notice"], row["notified_to"], row["closed_by"]) == ("notified", ["+" + ADMIN], "+" + ADMIN)

    write(running_product, CLIENT, "Сколько стоит стрижка?")
    assert len(replies_to(running_product, CLIENT, 2)) == 2


def test_inside_the_window_the_alert_is_text_with_a_button_and_the_tap_closes_it(
    running_product: RunningProduct,
) -> None:
    set_salon(running_product, admins=["+" + ADMIN])
    write(running_product, ADMIN, "Привет, я администратор", name="Админ")
    [help_text] = replies_to(running_product, ADMIN, 1)
    assert "Открытых передач: 0" in help_text.text  # an administrator's message is not a client turn
    write(running_product, CLIENT, "Хочу поговорить с человеком")
    [_, alert] = replies_to(running_product, ADMIN, 2)
    assert alert.type == "interactive"
    assert "Клиент: Анна, +79990000011" in alert.text and "Клиент: Хочу поговорить с человеком" in alert.text
    [button] = alert.body["interactive"]["action"]["buttons"]
    tap(running_product, ADMIN, button["reply"]["id"])
    assert replies_to(running_product, ADMIN, 3)[2].text.startswith("Передача закрыта")
    tap(running_product, ADMIN, button["reply"]["id"])
    assert replies_to(running_product, ADMIN, 4)[3].text.startswith("Эта передача уже закрыта")


def test_without_an_admin_the_client_hears_the_truth_and_the_bot_goes_on(running_product: RunningProduct) -> None:
    write(running_product, CLIENT, "Позовите администратора")
    [reply] = replies_to(running_product, CLIENT, 1)
    assert TOLD not in reply.text and "Не получилось сразу передать" in reply.text
    assert [h["notice"] for h in handoffs(running_product)] == ["no_admin"]
    write(running_product, CLIENT, "Сколько стоит стрижка?")
    assert len(replies_to(running_product, CLIENT, 2)) == 2  # nobody is coming: the bot keeps answering


def test_a_failed_alert_is_not_claimed_and_the_next_hand_off_tries_again(running_product: RunningProduct) -> None:
    set_salon(running_product, admins=["+" + ADMIN])
    running_product.fake.fail_next(131026, to=ADMIN)  # undeliverable: final
    write(running_product, CLIENT, "Позовите администратора")
    [reply] = replies_to(running_product, CLIENT, 1)
    assert TOLD not in reply.text and "Не получилось" in reply.text
    [row] = handoffs(running_product)
    assert row["notice"] == "failed" and "131026" in row["notice_error"]
    write(running_product, CLIENT, "Позовите администратора ещё раз")
    assert TOLD in replies_to(running_product, CLIENT, 2)[1].text
    assert len(replies_to(running_product, ADMIN, 1)) == 1
    assert [h["notice"] for h in handoffs(running_product)] == ["notified"]


def test_every_admin_is_told_and_one_failure_does_not_stop_the_others(running_product: RunningProduct) -> None:
    set_salon(running_product, admins=["+" + ADMIN, "8 (999) 000-01-01"])
    running_product.fake.fail_next(131026, to=ADMIN)
    write(running_product, CLIENT, "Позовите администратора")
    assert TOLD in replies_to(running_product, CLIENT, 1)[0].text
    assert len(replies_to(running_product, SECOND_ADMIN, 1)) == 1
    [row] = handoffs(running_product)
    assert row["notified_to"] == ["+" + SECOND_ADMIN]


def test_a_salon_may_let_the_bot_answer_during_a_hand_off(running_product: RunningProduct) -> None:
    set_salon(running_product, admins=["+" + ADMIN], handoff={"pause_bot": False})
    write(running_product, CLIENT, "Позовите администратора")
    replies_to(running_product, CLIENT, 1)
    [alert] = replies_to(running_product, ADMIN, 1)
    assert alert.type == "template"
    write(running_product, CLIENT, "Сколько стоит стрижка?")
    assert len(replies_to(running_product, CLIENT, 2)) == 2
    assert [h["closed_by"] for h in handoffs(running_product)] == [None]


def test_with_two_open_done_asks_which_and_the_number_ending_picks_one(running_product: RunningProduct) -> None:
    set_salon(running_product, admins=["+" + ADMIN])
    other = "79990000022"
    write(running_product, CLIENT, "Позовите администратора")
    write(running_product, other, "Позовите администратора", name="Олег")
    replies_to(running_product, ADMIN, 2)
    write(running_product, ADMIN, "готово")
    ask = replies_to(running_product, ADMIN, 3)[2].text
    assert "Открыто передач: 2" in ask and f"+{CLIENT}" in ask and f"+{other}" in ask
    write(running_product, ADMIN, "Готово 0022")
    assert f"+{other}" in replies_to(running_product, ADMIN, 4)[3].text
    closed = {h["client_phone"]: h["closed_by"] for h in handoffs(running_product)}
    assert closed == {f"+{CLIENT}": None, f"+{other}": "+" + ADMIN}


def test_a_forgotten_hand_off_expires_and_the_bot_answers_again(running_product: RunningProduct) -> None:
    set_salon(running_product, admins=["+" + ADMIN], handoff={"pause_hours": 2})
    write(running_product, CLIENT, "Позовите администратора")
    replies_to(running_product, CLIENT, 1)
    replies_to(running_product, ADMIN, 1)
    hours_ago = datetime.now(UTC) - timedelta(hours=3)
    rows(running_product.stack, "UPDATE handoffs SET opened_at = :at", at=hours_ago)
    write(running_product, CLIENT, "Сколько стоит стрижка?")
    assert len(replies_to(running_product, CLIENT, 2)) == 2
    [row] = handoffs(running_product)
    assert row["closed_by"] == "expired"


@pytest.mark.parametrize("text", ["Спасибо", "не готово"])
def test_an_admins_other_messages_get_help_not_the_bot(running_product: RunningProduct, text: str) -> None:
    set_salon(running_product, admins=["+" + ADMIN])
    write(running_product, ADMIN, text)
    [reply] = replies_to(running_product, ADMIN, 1)
    assert reply.text.startswith("Это номер бота салона")
