"""The Cloud API sender against the fake Graph API: request shapes, long texts, throttling backoff and
the template fallback outside the 24-hour window."""

from __future__ import annotations

import httpx
import pytest

from ai_admin.adapters.httpx_whatsapp_messenger import WhatsAppCloudMessenger
from ai_admin.domain.errors import MessageRejected, MessengerThrottled
from ai_admin.domain.messages import (
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    Recipient,
    ReplyButton,
    TemplateReply,
    TextReply,
)
from ai_admin.local.fake_whatsapp import FakeWhatsApp
from ai_admin.local.stack import LOCAL_PHONE_NUMBER_ID, LOCAL_SECRETS
from ai_admin.settings import WhatsAppSettings
from ai_admin.whatsapp.send_replies import send_replies

TO = Recipient("79990000010")
FALLBACK = TemplateReply("service_followup", "ru")


@pytest.fixture
def messenger(fake_whatsapp: FakeWhatsApp) -> WhatsAppCloudMessenger:
    config = WhatsAppSettings(
        app_secret=LOCAL_SECRETS["WHATSAPP_APP_SECRET"],
        verify_token=LOCAL_SECRETS["WHATSAPP_VERIFY_TOKEN"],
        access_token=LOCAL_SECRETS["WHATSAPP_ACCESS_TOKEN"],
        graph_base_url=fake_whatsapp.url,
        graph_api_version="v24.0",
        send_max_retries=3,
        send_backoff_base_s=0.01,
        send_backoff_cap_s=0.02,
    )
    return WhatsAppCloudMessenger(config, httpx.Client(timeout=5))


def test_every_kind_is_accepted_by_the_graph_api_checks(
    messenger: WhatsAppCloudMessenger, fake_whatsapp: FakeWhatsApp
) -> None:
    replies = [
        TextReply("Добрый день!", reply_to="wamid.S-TEXT-1"),
        ButtonsReply("Подходит время?", (ReplyButton("yes", "Да"), ReplyButton("no", "Другое время"))),
        ListReply(
            "Выберите услугу",
            "Услуги",
            (ListSection("Стрижки", (ListRow("s:1", "Мужская стрижка", "60 мин"), ListRow("s:2", "Борода"))),),
        ),
        TemplateReply("appointment_reminder", "ru", ("Анна", "18:00"), ("CONFIRM:1", "CANCEL:1")),
    ]
    wamids = [messenger.send(LOCAL_PHONE_NUMBER_ID, TO, reply) for reply in replies]
    sent = fake_whatsapp.sent_to("79990000010")
    assert [m.wamid for m in sent] == wamids
    assert [m.type for m in sent] == ["text", "interactive", "interactive", "template"]
    assert {m.version for m in sent} == {"v24.0"}
    assert sent[0].body["context"] == {"message_id": "wamid.S-TEXT-1"}
    assert sent[3].body["template"]["components"][1]["parameters"][0]["payload"] == "CONFIRM:1"


def test_a_long_reply_is_split_at_sentence_boundaries(
    messenger: WhatsAppCloudMessenger, fake_whatsapp: FakeWhatsApp
) -> None:
    sentence = "Мы работаем ежедневно с десяти до двадцати двух часов. "
    text = sentence * 200  # about 11,000 characters
    result = send_replies(messenger, LOCAL_PHONE_NUMBER_ID, TO, [TextReply(text)], FALLBACK)
    sent = fake_whatsapp.sent_to("79990000010")
    assert len(sent) == len(result) == 3
    assert all(len(m.text) <= 4096 and m.text.endswith(".") for m in sent)
    assert " ".join(m.text for m in sent) == text.strip()


@pytest.mark.parametrize("code", [130429, 131056])
def test_throttling_backs_off_and_retries(
    messenger: WhatsAppCloudMessenger, fake_whatsapp: FakeWhatsApp, code: int
) -> None:
    fake_whatsapp.fail_next(code, times=2)
    wamid = messenger.send(LOCAL_PHONE_NUMBER_ID, TO, TextReply("Привет"))
    assert fake_whatsapp.attempts() == 3
    assert [m.wamid for m in fake_whatsapp.sent()] == [wamid]


def test_throttling_that_does_not_end_is_a_typed_error(
    messenger: WhatsAppCloudMessenger, fake_whatsapp: FakeWhatsApp
) -> None:
    fake_whatsapp.fail_next(130429, times=10)
    with pytest.raises(MessengerThrottled):
        messenger.send(LOCAL_PHONE_NUMBER_ID, TO, TextReply("Привет"))
    assert fake_whatsapp.attempts() == 4


def test_outside_the_service_window_the_fallback_template_goes_instead(
    messenger: WhatsAppCloudMessenger, fake_whatsapp: FakeWhatsApp
) -> None:
    fake_whatsapp.fail_next(131047)
    result = send_replies(
        messenger, LOCAL_PHONE_NUMBER_ID, TO, [TextReply("Ваша запись"), TextReply("Ждём вас")], FALLBACK
    )
    assert [m.text for m in fake_whatsapp.sent()] == ["template:service_followup"]
    assert result[0].wamid is None
    assert result[0].error == {"code": 131047, "detail": "Re-engagement message"}
    assert result[1].message == FALLBACK
    assert result[1].wamid == fake_whatsapp.sent()[0].wamid


def test_an_undeliverable_recipient_is_rejected_without_retry(
    messenger: WhatsAppCloudMessenger, fake_whatsapp: FakeWhatsApp
) -> None:
    fake_whatsapp.fail_next(131026)
    with pytest.raises(MessageRejected) as caught:
        messenger.send(LOCAL_PHONE_NUMBER_ID, TO, TextReply("Привет"))
    assert caught.value.code == 131026
    assert fake_whatsapp.attempts() == 1


def test_the_fake_rejects_bodies_meta_would_reject(fake_whatsapp: FakeWhatsApp) -> None:
    url = f"{fake_whatsapp.url}/v24.0/{LOCAL_PHONE_NUMBER_ID}/messages"
    auth = {"Authorization": f"Bearer {LOCAL_SECRETS['WHATSAPP_ACCESS_TOKEN']}"}
    too_long = {"messaging_product": "whatsapp", "to": "7999", "type": "text", "text": {"body": "x" * 4097}}
    four_buttons = {
        "messaging_product": "whatsapp",
        "to": "7999",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "?"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": str(i), "title": str(i)}} for i in range(4)]},
        },
    }
    for body in (too_long, four_buttons):
        response = httpx.post(url, json=body, headers=auth, timeout=5)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 100
    assert httpx.post(url, json=too_long, timeout=5).status_code == 401
    assert fake_whatsapp.sent() == []
