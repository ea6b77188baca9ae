"""What the client is told about a hand-off is what really happened, whichever path handed them off."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ai_admin.conversation.model import ClientProfile
from ai_admin.conversation.ports import HandoffOutcome
from ai_admin.conversation.reader import ReaderUnavailable
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Understanding
from ai_admin.domain import handoff_texts as texts
from ai_admin.domain.handoff_texts import Alert, DoneRequest, Said
from tests.unit.salon_fakes import dialog

TOLD = "Передал ваш вопрос администратору"
NOT_TOLD = "Не получилось сразу передать ваш вопрос администратору"


@pytest.mark.parametrize(
    ("outcome", "said", "not_said"),
    [
        (HandoffOutcome.NOTIFIED, TOLD, NOT_TOLD),
        (HandoffOutcome.ALREADY_NOTIFIED, "Администратор уже знает", TOLD),
        (HandoffOutcome.NO_ADMIN, NOT_TOLD, TOLD),
        (HandoffOutcome.FAILED, NOT_TOLD, TOLD),
    ],
)
def test_an_explicit_request_is_answered_with_the_outcome(outcome: HandoffOutcome, said: str, not_said: str) -> None:
    d = dialog()
    d.memory.handoff_outcome = outcome
    d.memory.profiles["+79990000001"] = ClientProfile("+79990000001", client_id=1, name="Анна Петрова")
    reply = d.say("Позовите администратора, пожалуйста")
    assert said in reply and not_said not in reply
    [request] = d.memory.handed_off
    assert (request.company_id, request.conversation_id, request.client_phone) == (1, 1, "+79990000001")
    assert request.client_name == "Анна Петрова" and request.reason


@dataclass
class _Failing:
    name: str = "failing"

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        raise ReaderUnavailable("every provider is down")


@dataclass
class _Boasting:
    """A model that claims a booking in its own text and calls no function."""

    name: str = "boasting"

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        return Understanding((), reply="Готово, записал вас на завтра в 15:00!", reader=self.name)


@pytest.mark.parametrize("outcome", [HandoffOutcome.NOTIFIED, HandoffOutcome.NO_ADMIN])
def test_a_turn_no_reader_could_read_is_handed_off_truthfully(outcome: HandoffOutcome) -> None:
    d = dialog()
    d.memory.handoff_outcome = outcome
    d.responder.reader = _Failing()
    reply = d.say("Что-то непонятное")
    assert "не получилось обработать" in reply
    assert (TOLD in reply) is (outcome is HandoffOutcome.NOTIFIED)
    assert len(d.memory.handed_off) == 1


def test_a_caught_false_claim_is_handed_off_and_never_reaches_the_client() -> None:
    d = dialog()
    d.responder.reader = _Boasting()
    reply = d.say("Запишите меня завтра в 15:00")
    assert "записал" not in reply.lower() and TOLD in reply
    [request] = d.memory.handed_off
    assert "не было" in request.reason
    assert d.memory.records == {}


def test_the_alert_keeps_the_newest_messages_within_the_button_body_limit() -> None:
    recent = tuple(Said("in" if i % 2 else "out", f"сообщение {i} " + "слово " * 40) for i in range(12))
    alert = Alert(7, "Анна", "+79990000001", "клиент просит администратора", recent, bot_pauses=True)
    text = texts.alert_text(alert)
    assert len(text) <= texts.MAX_BODY
    assert "Анна, +79990000001" in text and "сообщение 11" in text and "сообщение 0 " not in text
    assert "Бот не отвечает клиенту" in text


def test_template_parameters_are_single_lines_and_never_empty() -> None:
    alert = Alert(7, None, None, "  ", (Said("in", "первая\nвторая   строка"),), bot_pauses=False)
    params = texts.alert_params(alert)
    assert all(p and "\n" not in p and "    " not in p for p in params)
    assert params[2] == "Клиент: первая вторая строка"
    assert alert.done_id == "handoff_done:7"


@pytest.mark.parametrize(
    ("text", "reply_ids", "expected"),
    [
        ("Готово", [], DoneRequest()),
        ("готово!", [], DoneRequest()),
        ("Готово, 0022", [], DoneRequest(phone_ending="0022")),
        ("ГОТОВО +7 999", [], DoneRequest()),
        ("Готово", ["handoff_done:41"], DoneRequest(handoff_id=41)),
        ("не готово", [], None),
        ("Спасибо", [], None),
        ("", ["visit_confirm:5"], None),
    ],
)
def test_an_admins_done_is_read(text: str, reply_ids: list[str], expected: DoneRequest | None) -> None:
    assert texts.done_request(text, reply_ids) == expected
