"""The LLM path against a fake OpenAI-compatible server on 127.0.0.1 playing what real providers do:
parallel calls, calls a client's words do not bear out, stale dates, truncated answers, markup in
text, Gemini's thought signatures, extra argument keys, outages. Each plays through the real
responder, dialog engine and tools (in-memory salon ports) and checks what the CRM holds."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import openai
import pytest

from ai_admin.adapters.openai_reader import OpenAiReader
from ai_admin.bootstrap.llm import build_readers
from ai_admin.conversation.offline_reader import OfflineReader
from ai_admin.conversation.reader import OfflineLink, ReaderChain, ReaderUnavailable
from ai_admin.conversation.state import DialogState
from ai_admin.conversation.understanding import IntentKind
from ai_admin.local.fake_llm import FakeLlm
from ai_admin.settings import LlmSettings
from tests.conversation_samples import busy_state, context, returning_client
from tests.unit.salon_fakes import Dialog, MemorySalon, at, dialog

FakeFactory = Callable[..., FakeLlm]
ME = "+79990000001"


def reader(fake: FakeLlm, name: str = "openai", call_timeout_s: float = 5.0) -> OpenAiReader:
    client = openai.OpenAI(base_url=fake.url, api_key="sk-test", max_retries=2)  # the reader turns retries off
    return OpenAiReader(name, client, "gpt-4o-mini", call_timeout_s, OfflineReader().understand)


def chat(*fakes: FakeLlm, memory: MemorySalon | None = None, named: bool = True, **chain: float) -> Dialog:
    """A dialog whose turns the LLM readers read first (the offline reader last)."""
    readers = [reader(f, f"llm{n}") for n, f in enumerate(fakes)]
    d = dialog(memory=memory, reader=ReaderChain([*readers, OfflineLink()], **chain))
    if named:
        d.memory.profiles[ME] = returning_client().__class__(ME, client_id=1, name="Анна")
    return d


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def calls(*items: dict[str, Any], **turn: Any) -> dict[str, Any]:
    return {"tool_calls": list(items), **turn}


def mine(d: Dialog) -> list[tuple[int, tuple[int, ...], Any]]:
    return sorted(
        (r.staff_id, r.service_ids, r.start) for r in d.memory.records.values() if r.phone == ME and not r.deleted
    )


def soon(seconds: float = 20.0) -> float:
    return time.monotonic() + seconds


# --- what the model reads, and what code decides --------------------------------------------------


def test_one_call_per_turn_reads_the_intents_and_the_engine_books(fake_llm: FakeLlm) -> None:
    fake_llm.play(calls(call("book", service="стрижку", staff="к Сергею", when="завтра в 15:00", book_now=True)))
    d = chat(fake_llm)
    reply = d.say("Запишите на стрижку к Сергею завтра в 15:00")
    assert "Записал" in reply and "15:00" in reply
    assert mine(d) == [(201, (101,), at("2026-03-11T15:00"))]
    (request,) = fake_llm.requests()
    assert request.tool_choice == "auto" and "book" in request.tool_names
    assert request.messages[-1] == {"role": "user", "content": "Запишите на стрижку к Сергею завтра в 15:00"}
    assert d.responder.last.llm_calls == 1 and d.responder.last.reader == "llm0"


def test_a_booking_the_clients_words_do_not_name_is_stated_first(fake_llm: FakeLlm) -> None:
    # the model books a time of its own choosing on a vague "ну давайте": code states it and waits
    fake_llm.play(calls(call("book", service="стрижку", when="завтра в 15:00", book_now=True)))
    d = chat(fake_llm)
    reply = d.say("ну давайте стрижку завтра")
    assert "Записал" not in reply and not d.memory.records
    fake_llm.play(calls(call("answer", yes=True)))
    d.say("да")
    assert len(mine(d)) == 1


def test_another_clients_booking_is_never_told_nor_read_as_the_clients_own(fake_llm: FakeLlm) -> None:
    fake_llm.play(calls(call("ask", topic="other_clients", staff="Сергей", when="завтра в 15")))
    d = chat(fake_llm)
    reply = d.say("кто записан к Сергею завтра на 15?")
    assert "других клиентов" in reply and "нет предстоящих" not in reply
    assert d.responder.last.reader == "llm0"


def test_two_parallel_bookings_make_one_and_say_so(fake_llm: FakeLlm) -> None:
    fake_llm.play(
        calls(
            call("book", service="стрижку", when="завтра в 15:00", book_now=True),
            call("book", service="детскую стрижку", when="завтра в 16:00", book_now=True),
        )
    )
    d = chat(fake_llm)
    reply = d.say("запишите меня на стрижку завтра в 15:00 и сына на детскую в 16:00")
    assert "Записал" in reply and "следующим" in reply
    assert len(mine(d)) == 1


def test_cancel_plus_create_is_a_move_that_waits_for_yes(fake_llm: FakeLlm) -> None:
    d = chat(fake_llm)
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-12T15:00"))
    fake_llm.play(
        calls(
            call("cancel", booking="в четверг"),
            call("book", service="стрижку", when="в пятницу в 14:00", book_now=True),
        )
    )
    reply = d.say("отмените четверг и запишите на пятницу в 14:00")
    assert "Перенести" in reply
    assert not d.memory.records[9101].deleted and len(d.memory.records) == 1
    fake_llm.play(calls(call("answer", yes=True)))
    assert "перенёс" in d.say("да")
    assert d.memory.records[9101].start == at("2026-03-13T14:00") and len(d.memory.records) == 1


def test_search_and_book_together_are_one_request(fake_llm: FakeLlm) -> None:
    fake_llm.play(
        calls(call("book", service="стрижку", when="завтра"), call("book", when="завтра в 15:00", book_now=True))
    )
    d = chat(fake_llm)
    d.say("запишите на стрижку завтра в 15:00")
    assert len(mine(d)) == 1


def test_a_date_the_resolvers_cannot_place_is_asked_never_today(fake_llm: FakeLlm) -> None:
    fake_llm.play(calls(call("book", service="стрижку", when="11.03.2024 15:00", book_now=True)))
    d = chat(fake_llm)
    reply = d.say("запишите на стрижку 11 марта в 15:00")
    assert not d.memory.records
    assert "сегодня" not in reply.lower()


@pytest.mark.parametrize(
    ("words", "when"),
    [("book me a haircut tommorow at 15", "tommorow at 15"), ("запишите на стрижку на 2moro в 15:00", "2moro 15:00")],
)
def test_a_misspelt_day_is_that_day(fake_llm: FakeLlm, words: str, when: str) -> None:
    fake_llm.play(calls(call("book", service="haircut", when=when, book_now=True)))
    d = chat(fake_llm)
    d.say(words)
    assert [start for _, _, start in mine(d)] == [at("2026-03-11T15:00")]


@pytest.mark.parametrize("when", ["в пят в 15", "во вто в 15"])
def test_a_day_cut_short_is_asked_never_today(fake_llm: FakeLlm, when: str) -> None:
    fake_llm.play(calls(call("book", service="стрижку", when=when, book_now=True)))
    d = chat(fake_llm)
    reply = d.say(f"запишите на стрижку {when}")
    assert not d.memory.records
    assert "сегодня" not in reply.lower() and "10 марта" not in reply


def test_a_model_day_that_is_not_the_clients_is_stated_first(fake_llm: FakeLlm) -> None:
    # the client names Friday; the model's call says tomorrow at the same hour: nothing is booked at once
    fake_llm.play(calls(call("book", service="стрижку", when="завтра в 15:00", book_now=True)))
    d = chat(fake_llm)
    reply = d.say("запишите на стрижку в пятницу в 15:00")
    assert not d.memory.records and "Записал" not in reply


def test_a_claimed_act_in_the_models_text_is_not_sent(fake_llm: FakeLlm) -> None:
    fake_llm.play({"text": "Готово, записал вас на завтра в 15:00!"})
    d = chat(fake_llm)
    reply = d.say("привет, как дела?")
    assert "записал" not in reply.lower() and "15:00" not in reply and not d.memory.records


def test_small_talk_with_true_figures_is_sent(fake_llm: FakeLlm) -> None:
    fake_llm.play({"text": "Да, у нас есть стрижка бороды за 800 ₽ 🙂"})
    d = chat(fake_llm)
    assert "800" in d.say("а бороду вы тоже делаете?")


@pytest.mark.parametrize(
    "markup",
    [
        '<tool_call>{"name": "book", "arguments": {"service": "стрижка"}}</tool_call>',
        '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>book\n{"service": "стрижка"}',  # DeepSeek
        '<|python_tag|>book.call(service="стрижка")',  # Llama
        'book(service="стрижка", staff="Сергей")',  # a call written out as text
        "Сейчас посмотрю: my_bookings()",
    ],
)
def test_tool_call_markup_in_text_is_not_sent(fake_llm: FakeLlm, markup: str) -> None:
    fake_llm.play({"text": markup})
    d = chat(fake_llm)
    reply = d.say("хочу записаться")
    assert "tool" not in reply and "{" not in reply and "(" not in reply and "|" not in reply


def test_a_truncated_answer_is_not_used_and_the_next_reader_reads(fake_llm: FakeLlm) -> None:
    fake_llm.play({"text": "Здравствуйте! Конечно, могу записать вас на", "finish_reason": "length"})
    d = chat(fake_llm)
    reply = d.say("сколько стоит мужская стрижка?")
    assert "могу записать вас на" not in reply and "1500" in reply
    assert d.responder.last.reader == "offline"


def test_confirm_visit_needs_a_reminder_and_the_clients_yes(fake_llm: FakeLlm) -> None:
    d = chat(fake_llm)
    d.memory.add_record(9101, ME, 201, (101,), at("2026-03-11T18:00"))
    fake_llm.play(calls(call("answer", yes=True)))
    d.say("ок понял")  # no reminder was sent: nothing to confirm
    assert d.memory.records[9101].attendance == 0
    state = d.memory.states.get(1) or DialogState()
    state.reminded = 9101
    d.memory.states[1] = state
    fake_llm.play(calls(call("answer", yes=True)))
    d.say("а можно перенести на другое время?")  # the model's yes is not the client's
    assert d.memory.records[9101].attendance == 0
    state = d.memory.states[1]
    state.reminded, state.pending, state.offer, state.choice = 9101, None, None, None
    d.memory.states[1] = state
    fake_llm.play(calls(call("answer", yes=True)))
    assert "Спасибо" in d.say("да, приду")
    assert d.memory.records[9101].attendance == 2


def test_stop_reminders_only_on_an_explicit_request(fake_llm: FakeLlm) -> None:
    d = chat(fake_llm)
    fake_llm.play(calls(call("stop_reminders")))
    reply = d.say("спасибо, всё понятно")
    assert d.memory.opted_out == set() and "Отключить напоминания" in reply
    fake_llm.play(calls(call("stop_reminders")))
    d.say("не присылайте мне больше напоминания")
    assert d.memory.opted_out == {ME}


def test_extra_keys_in_arguments_are_ignored(fake_llm: FakeLlm) -> None:
    fake_llm.play(
        calls(call("book", service="стрижку", when="завтра в 15:00", book_now=True, date="2026-03-11", confidence=0.9))
    )
    d = chat(fake_llm)
    d.say("запишите на стрижку завтра в 15:00")
    assert len(mine(d)) == 1 and fake_llm.rejected() == []


# --- malformed calls, Gemini, failover ------------------------------------------------------------

UNKNOWN = calls(call("book_everything"))
NOT_JSON = {"tool_calls": [{"name": "book", "arguments": '{"when": "завтра'}]}
WRONG_TYPE = calls(call("late", minutes="десять"))


@pytest.mark.parametrize(
    ("malformed", "told"), [(UNKNOWN, "unknown function"), (NOT_JSON, "JSON object"), (WRONG_TYPE, "late")]
)
def test_a_malformed_call_is_corrected_once(fake_llm: FakeLlm, malformed: Any, told: str) -> None:
    fake_llm.play(malformed, calls(call("ask", topic="prices", service="мужская стрижка")))
    d = chat(fake_llm)
    assert "1500" in d.say("сколько стоит мужская стрижка?")
    correction = fake_llm.requests()[1].messages[-1]
    assert correction["role"] == "tool" and told in json.loads(correction["content"])["error"]
    assert d.responder.last.llm_calls == 2


@pytest.mark.parametrize("resent", [False, True], ids=["only-the-corrected", "all-again"])
def test_the_well_formed_calls_beside_a_malformed_one_are_kept(fake_llm: FakeLlm, resent: bool) -> None:
    booking = call("book", service="стрижку", when="завтра в 15:00", book_now=True)
    fake_llm.play(
        calls(booking, {"name": "name", "arguments": {"name": ["Аня"]}}),
        calls(*([booking] if resent else []), {"name": "name", "arguments": {"name": "Аня"}}),
    )
    d = chat(fake_llm, named=False)
    reply = d.say("запишите на стрижку завтра в 15:00, меня Аня зовут")
    assert len(mine(d)) == 1 and "15:00" in reply
    told = [json.loads(m["content"]) for m in fake_llm.requests()[1].messages if m["role"] == "tool"]
    assert told[0] == {"read": True, "note": "understood; do not send it again"} and "error" in told[1]
    assert all("ok" not in t for t in told)  # nothing is reported done while reading


def test_a_second_malformed_answer_fails_over(fake_llm: FakeLlm) -> None:
    fake_llm.play(UNKNOWN, NOT_JSON)
    d = chat(fake_llm)
    assert "1500" in d.say("сколько стоит мужская стрижка?")
    assert d.responder.last.reader == "offline"


def test_gemini_thought_signatures_are_sent_back(fake_llm: FakeLlm) -> None:
    signature = {"google": {"thought_signature": "c2lnbmF0dXJl"}}
    fake_llm.play(
        {"tool_calls": [{"name": "book_everything", "arguments": {}, "extra_content": signature}]},
        calls(call("ask", topic="prices", service="мужская стрижка")),
    )
    d = chat(fake_llm)
    assert "1500" in d.say("сколько стоит мужская стрижка?")
    sent = fake_llm.requests()[1].messages[-2]["tool_calls"][0]
    assert sent["extra_content"] == signature and fake_llm.rejected() == []


def test_a_failed_reader_leaves_nothing_done_and_the_next_books_once(fake_llm_factory: FakeFactory) -> None:
    # the primary reads the booking, is told to correct a second call and then fails: it never acted
    primary = fake_llm_factory(
        calls(call("book", service="стрижку", when="завтра в 15:00", book_now=True), call("late", minutes="x")),
        {"status": 500},
    )
    secondary = fake_llm_factory(calls(call("book", service="стрижку", when="завтра в 15:00", book_now=True)))
    d = chat(primary, secondary)
    reply = d.say("запишите на стрижку завтра в 15:00")
    assert "Записал" in reply and d.responder.last.reader == "llm1"
    assert len(mine(d)) == 1 and d.memory.notes == [(5001, "created")]


def test_a_redelivered_turn_does_not_book_twice(fake_llm: FakeLlm) -> None:
    fake_llm.play(*[calls(call("book", service="стрижку", when="завтра в 15:00", book_now=True))] * 2)
    d = chat(fake_llm)
    first = d.redeliver("запишите на стрижку завтра в 15:00")
    again = d.redeliver("запишите на стрижку завтра в 15:00")
    assert "Записал" in first and "Записал" in again
    assert len(mine(d)) == 1


@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 429}, {"status": 503}, {"malformed": True}])
def test_a_failing_primary_fails_over_to_the_secondary(fake_llm_factory: FakeFactory, failure: Any) -> None:
    primary = fake_llm_factory(failure)
    secondary = fake_llm_factory(calls(call("ask", topic="address")))
    d = chat(primary, secondary)
    assert "ул. Лесная, 1" in d.say("какой у вас адрес?")
    assert d.responder.last.reader == "llm1"


def test_an_outage_costs_one_turn_not_every_turn(fake_llm_factory: FakeFactory) -> None:
    hanging = fake_llm_factory(*[{"delay_s": 10, "text": "поздно"}] * 3)
    d = dialog(reader=ReaderChain([reader(hanging, "openai", call_timeout_s=0.5), OfflineLink()], cooldown_s=60))
    started = time.monotonic()
    d.say("сколько стоит мужская стрижка?")
    first = time.monotonic() - started
    started = time.monotonic()
    assert "800" in d.say("а стрижка бороды?")
    second = time.monotonic() - started
    assert len(hanging.requests()) == 1  # the second turn did not wait for the hanging provider
    assert first >= 0.5 and second < first


@pytest.mark.parametrize("failure", [{"status": 429}, {"status": 503}])
def test_a_provider_refusing_is_skipped_for_the_cooldown(fake_llm_factory: FakeFactory, failure: Any) -> None:
    refusing = fake_llm_factory(*[failure] * 3)
    d = dialog(reader=ReaderChain([reader(refusing, "openai"), OfflineLink()], cooldown_s=60))
    assert "1500" in d.say("сколько стоит мужская стрижка?")
    assert "800" in d.say("а стрижка бороды?")
    assert len(refusing.requests()) == 1  # asked once; the next turn went straight to the next reader
    assert d.responder.last.reader == "offline"


def test_a_slow_model_times_out_at_the_call_timeout(fake_llm: FakeLlm) -> None:
    fake_llm.play({"delay_s": 5, "text": "поздно"})
    started = time.monotonic()
    with pytest.raises(ReaderUnavailable, match="openai: timed out"):
        reader(fake_llm, call_timeout_s=0.5).understand(context(), soon())
    assert time.monotonic() - started < 1.5
    assert len(fake_llm.requests()) == 1  # the SDK's own retries are off


def test_no_call_is_made_without_time_left(fake_llm: FakeLlm) -> None:
    with pytest.raises(ReaderUnavailable, match="no time left"):
        reader(fake_llm).understand(context(), time.monotonic())
    assert fake_llm.requests() == []


def test_a_wrong_key_opens_the_circuit(fake_llm_factory: FakeFactory) -> None:
    fake = fake_llm_factory({"text": "не дойдёт"}, api_key="sk-right")
    with pytest.raises(ReaderUnavailable, match="HTTP 401") as raised:
        reader(fake).understand(context(), soon())
    assert raised.value.lasting


def test_the_model_sees_the_salon_day_and_the_dialog(fake_llm: FakeLlm) -> None:
    fake_llm.play(calls(call("answer", yes=True)))
    understood = reader(fake_llm).understand(
        context("Да, переносите", state=busy_state(), profile=returning_client()), soon()
    )
    assert [i.kind for i in understood.intents] == [IntentKind.YES]
    system = fake_llm.requests()[0].system
    assert "Сейчас: 10.03.2026, вторник, 00:20" in system and "1 Мужская стрижка 1800 60" in system
    assert "бот ждёт «да»/«нет»: перенести запись" in system
    assert understood.prompt_tokens <= 2500


def test_build_readers_talks_to_each_configured_provider(fake_llm_factory: FakeFactory) -> None:
    primary = fake_llm_factory({"status": 429}, api_key="sk-primary")
    secondary = fake_llm_factory(calls(call("ask", topic="address")), api_key="sk-secondary")
    config = LlmSettings(
        primary_base_url=primary.url,
        primary_api_key="sk-primary",
        secondary_name="qwen",
        secondary_base_url=secondary.url,
        secondary_model="qwen-plus",
        secondary_api_key="sk-secondary",
        call_timeout_s=2.0,
    )
    readers = build_readers(config, OfflineReader())
    assert [r.name for r in readers] == ["openai", "qwen"]
    understood = ReaderChain(readers).understand(context("адрес?"))
    assert understood.reader == "qwen" and understood.has(IntentKind.ADDRESS)
    assert secondary.requests()[0].model == "qwen-plus"


def test_no_provider_configured_builds_no_reader() -> None:
    assert build_readers(LlmSettings(primary_base_url="https://api.openai.com/v1"), OfflineReader()) == []
