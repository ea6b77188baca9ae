"""A turn that fails, is cut short or is delivered again never costs the client an answer, never
answers twice and never acts on stale words: the worker against a synced salon (fake YClients, the
offline brain), real PostgreSQL and Redis, the fake WhatsApp Graph API."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
import redis

from ai_admin.bootstrap import conversation_worker
from ai_admin.conversation.answer_turn import TurnAnswerer, TurnOutcome, TurnRequest
from ai_admin.conversation.ports import HandoffOutcome, HandoffRequest, TurnResponder
from ai_admin.domain.messages import InboundTurn, OutboundMessage, Recipient
from ai_admin.local.eval.loading import LoadedScenario, from_document
from ai_admin.local.eval.stage import Salon, Stage
from ai_admin.local.fault_drills import queued_turn
from ai_admin.local.inbound import contact, envelope, messages_value, new_wamid, signed, text_message
from ai_admin.whatsapp.send_replies import Messenger
from tests.integration.conftest import rows

CLIENT = "79991110001"
RECORD = 9301
HANDED_OVER = "передать ваш вопрос администратору"  # the salon lists none: the client hears so

SALON: dict[str, Any] = {
    "id": "turn-safety",
    "description": "A client with one booking, and another client's booking beside it.",
    "now": "2026-03-10T12:00",
    "salon": {
        "title": "Барбершоп Северный",
        "timezone": "Europe/Moscow",
        "address": "ул. Полярная, 7",
        "hours": {"open": "10:00", "close": "21:00"},
        "services": [{"id": 301, "title": "Мужская стрижка", "price": 1600, "minutes": 60, "category": "Стрижки"}],
        "staff": [{"id": 401, "name": "Сергей", "services": [301]}],
        "records": [
            {"id": RECORD, "phone": f"+{CLIENT}", "staff": 401, "services": [301], "start": "2026-03-12T18:00"},
            {"id": 9302, "phone": "+79991110077", "staff": 401, "services": [301], "start": "2026-03-12T19:00"},
        ],
    },
    "client": {"phone": f"+{CLIENT}", "name": "Игорь"},
    "steps": [{"user": "Здравствуйте"}],
}


def scenario() -> LoadedScenario:
    return from_document(SALON, "turn-safety.yaml")


@pytest.fixture
def salon(stage: Stage) -> Salon:
    return stage.prepare(scenario())


def replies_since(stage: Stage, since: int, to: str = CLIENT) -> list[str]:
    return [m.text for m in stage.sent()[since:] if m.to == to]


def say(stage: Stage, salon: Salon, text: str) -> list[str]:
    """One client message through the webhook, the queue and the worker; the replies it got."""
    before = len(stage.sent())
    stage.deliver(salon, CLIENT, "Игорь", text_message(text, CLIENT))
    stage.wait_idle(salon, CLIENT, timeout_s=30)
    return replies_since(stage, before)


def record_deleted(salon: Salon, record_id: int = RECORD) -> bool:
    return bool(salon.state.records[record_id].deleted)


# --- the same turn, driven record by record (what SQS would hand the worker) -------------------------


def queued(salon: Salon, text: str) -> TurnRequest:
    return queued_turn(salon, CLIENT, "Игорь", text)


@dataclass
class FailsOn:
    """The real responder, except that the turn saying ``text`` hits a bug."""

    real: TurnResponder
    text: str
    seen: list[str] = field(default_factory=list)

    def respond(self, turn: InboundTurn) -> list[OutboundMessage]:
        self.seen.append(turn.text)
        if turn.text == self.text:
            raise RuntimeError("a bug somewhere in the conversation")
        return self.real.respond(turn)

    def abandon(self, turn: InboundTurn) -> None:
        self.real.abandon(turn)


@dataclass
class DiesAfterSending:
    """The real messenger; the first reply it sends is followed by the worker's death (a Lambda
    timeout or crash after WhatsApp took the message, before the turn was closed)."""

    real: Messenger
    died: bool = False

    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        wamid = self.real.send(phone_number_id, to, message)
        if not self.died:
            self.died = True
            raise SystemError("the worker died here")
        return wamid


def worker(**parts: Any) -> TurnAnswerer:
    return replace(conversation_worker.answerer(), **parts)


def test_a_crm_read_error_gets_an_honest_answer_and_the_words_never_replay(stage: Stage, salon: Salon) -> None:
    stage.fake.faults.fail_next("500", times=50, endpoint="GET /records/{company_id}")
    [reply] = say(stage, salon, "Отмените мою запись, пожалуйста")
    assert "не отвечает" in reply
    assert not record_deleted(salon)
    stage.fake.faults.clear()
    [reply] = say(stage, salon, "Напомните, когда я записан?")  # answered for itself: nothing replays
    assert "18:00" in reply and "отменить" not in reply.lower()
    assert not record_deleted(salon)


def test_a_turn_that_breaks_is_told_handed_off_and_its_yes_never_acts_later(stage: Stage, salon: Salon) -> None:
    responder = FailsOn(conversation_worker.responder(), "да")
    answerer = worker(responder=responder)
    before = len(stage.sent())
    answerer.answer(queued(salon, "Отмените мою запись, пожалуйста"))
    [question] = replies_since(stage, before)
    assert "отменить" in question.lower() and "18:00" in question

    before = len(stage.sent())
    outcome = answerer.answer(queued(salon, "да"))  # the bug: the record is done all the same
    assert outcome.answered
    [sorry] = replies_since(stage, before)
    assert HANDED_OVER in sorry
    [[notice]] = rows(stage.stack, "SELECT notice FROM handoffs WHERE company_id = :c", c=salon.company_id)
    assert notice == "no_admin"

    before = len(stage.sent())
    answerer.answer(queued(salon, "да, конечно"))  # days later, about something else
    assert not record_deleted(salon)
    assert all("отменена" not in text for text in replies_since(stage, before))
    assert responder.seen == ["Отмените мою запись, пожалуйста", "да", "да, конечно"]  # "да" ran once


class BrokenHandoffs:
    """The hand-off store fails (a database blip, an alert bug) just when a failed turn needs it."""

    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        raise RuntimeError("the database blinked")


def test_a_failed_turn_whose_hand_off_fails_too_is_still_told_and_closed(stage: Stage, salon: Salon) -> None:
    responder = FailsOn(conversation_worker.responder(), "да")
    answerer = worker(responder=responder, handoffs=BrokenHandoffs())
    answerer.answer(queued(salon, "Отмените мою запись, пожалуйста"))
    before = len(stage.sent())
    assert answerer.answer(queued(salon, "да")).answered
    [sorry] = replies_since(stage, before)
    assert "не получилось" in sorry.lower() and "позвоните" in sorry.lower()  # nobody was told, and it says so
    answerer.answer(queued(salon, "да, конечно"))
    assert not record_deleted(salon)
    assert responder.seen == ["Отмените мою запись, пожалуйста", "да", "да, конечно"]  # "да" was decided once


def test_alerting_the_admins_of_a_failed_turn_has_its_own_budget(stage: Stage, salon: Salon) -> None:
    admin = "+79160000999"
    # the salon lists an administrator whose WhatsApp answers late
    rows(
        stage.stack,
        "UPDATE companies SET settings = settings || CAST(:s AS jsonb) WHERE company_id = :c RETURNING company_id",
        s=json.dumps({"admins": [admin]}),
        c=salon.company_id,
    )
    fake = stage.stack.fake_whatsapp
    assert fake is not None
    fake.delay(8.0, to=admin.lstrip("+"))
    try:
        answerer = worker(responder=FailsOn(conversation_worker.responder(), "сломайся"), handoff_budget_s=1.0)
        before = len(stage.sent())
        started = time.monotonic()
        assert answerer.answer(queued(salon, "сломайся")).answered
        elapsed = time.monotonic() - started
    finally:
        fake.delay(0, to=admin.lstrip("+"))
    [sorry] = replies_since(stage, before)
    assert "не получилось" in sorry.lower()
    assert elapsed < 8.0, elapsed  # the alert was cut at its 1 s budget; the late send alone takes 8


def test_a_turn_cut_short_after_sending_is_finished_by_its_redelivery_without_a_second_reply(
    stage: Stage, salon: Salon
) -> None:
    messenger = DiesAfterSending(conversation_worker.answerer().messenger)
    answerer = worker(messenger=messenger)
    record = queued(salon, "Напомните, когда я записан?")
    before = len(stage.sent())
    with pytest.raises(SystemError):
        answerer.answer(record)
    assert len(replies_since(stage, before)) == 1
    outcome = answerer.answer(record)  # SQS hands the record out again
    assert outcome == TurnOutcome(answered=True, messages=1, sent=())
    assert answerer.answer(record) == TurnOutcome(answered=False)
    [reply] = replies_since(stage, before)
    assert "18:00" in reply
    assert rows(stage.stack, "SELECT status FROM turns WHERE company_id = :c", c=salon.company_id) == [["answered"]]


def test_a_message_redis_lost_is_answered_from_its_record_once(stage: Stage, salon: Salon) -> None:
    answerer = worker()
    record = queued(salon, "Напомните, когда я записан?")
    redis.Redis.from_url(stage.stack.env["REDIS_URL"]).flushdb()  # the webhook buffered it; Redis forgot
    stage.set_clock(salon, salon.state.now())  # the frozen salon clock lives in Redis too
    before = len(stage.sent())
    assert answerer.answer(record).answered
    assert answerer.answer(record) == TurnOutcome(answered=False)  # redelivered: answered already
    [reply] = replies_since(stage, before)
    assert "18:00" in reply


def test_a_hanging_crm_cannot_keep_a_turn_past_its_budget(stage: Stage, salon: Salon) -> None:
    """Each CRM call of the tools is cut at the turn's deadline (without it: two 8 s requests, retried)."""
    stage.fake.faults.latency_s = 8.0
    answerer = worker(decide_budget_s=1.0)
    before = len(stage.sent())
    started = time.monotonic()
    assert answerer.answer(queued(salon, "Напомните, когда я записан?")).answered
    elapsed = time.monotonic() - started
    stage.fake.faults.clear()
    [reply] = replies_since(stage, before)
    assert "не отвечает" in reply
    assert elapsed < 8.0, elapsed  # the budget is 1 s; a single slow request alone would take 8


# --- a username-only sender (no phone from WhatsApp) typing another client's number ------------------

ATTACKER = "US.13491208655302741918"


def say_as_username(stage: Stage, salon: Salon, text: str) -> list[str]:
    message = {
        "from_user_id": ATTACKER,
        "id": new_wamid(),
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = messages_value([message], [contact(None, "Гость", user_id=ATTACKER)], phone_number_id=salon.phone_number_id)
    body, headers = signed(envelope([value]), stage.stack.env["WHATSAPP_APP_SECRET"])
    before = len(stage.sent())
    assert httpx.post(f"{stage.api.url}/webhook", content=body, headers=headers, timeout=15).status_code == 200
    stage.wait_idle(salon, ATTACKER, timeout_s=30)
    return replies_since(stage, before, to=ATTACKER)


def test_a_typed_phone_never_reads_cancels_or_moves_that_clients_records(stage: Stage, salon: Salon) -> None:
    """The takeover: a sender WhatsApp gives no phone for types the victim's number, then asks for and
    cancels "their" booking. A typed phone books new visits only; it opens nothing that exists."""
    [ask] = say_as_username(stage, salon, "Здравствуйте")
    assert "номер телефона" in ask
    stage.fake.clear_log()
    replies = say_as_username(stage, salon, f"+{CLIENT}")
    replies += say_as_username(stage, salon, "Какие у меня записи?")
    replies += say_as_username(stage, salon, "Отмените мою запись, пожалуйста")
    replies += say_as_username(stage, salon, "да")
    replies += say_as_username(stage, salon, "Перенесите мою запись на завтра в 15:00")
    replies += say_as_username(stage, salon, "да")
    replies += say_as_username(stage, salon, "Больше не присылайте мне напоминания")
    text = "\n".join(replies)
    for disclosed in ("Игорь", "18:00", "12 марта", "послезавтра"):  # the victim's name and booking
        assert disclosed not in text, (disclosed, text)
    assert "пишете с него самого" in text
    assert not record_deleted(salon)
    assert salon.state.records[RECORD].start.astimezone(salon.tz).hour == 18
    assert "GET /records/{company_id}" not in stage.fake.requests_by_endpoint()  # nothing of theirs was read
    assert rows(stage.stack, "SELECT 1 FROM client_opt_outs WHERE phone = :p", p=f"+{CLIENT}") == []


def test_a_typed_phone_still_books_a_new_visit(stage: Stage, salon: Salon) -> None:
    say_as_username(stage, salon, "Здравствуйте")
    say_as_username(stage, salon, f"+{CLIENT}")
    replies = say_as_username(stage, salon, "Запишите на мужскую стрижку к Сергею завтра в 15:00")
    if any("зовут" in r for r in replies):
        replies = say_as_username(stage, salon, "Олег")
    assert any("Записал" in r for r in replies), replies
    [created] = salon.state.records_created()
    assert created.start.astimezone(salon.tz).hour == 15
