from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, time

import pytest

from ai_admin.conversation.llm_intents import FUNCTIONS, openai_tools
from ai_admin.conversation.llm_prompt import (
    HISTORY_TURNS,
    PROMPT_BUDGET,
    estimate_request_tokens,
    estimate_tokens,
    prompt_messages,
    system_prompt,
)
from ai_admin.conversation.model import Catalogue, ServiceInfo, StaffInfo
from ai_admin.conversation.state import Choice, DialogState, Offer, OfferedSlot, Pending
from ai_admin.conversation.turn import TurnContext
from ai_admin.local.fake_yclients import generate
from tests.conversation_samples import MSK, NOW, busy_state, context, default_catalogue, in_zone, returning_client


def test_today_is_the_salon_day_just_after_midnight() -> None:
    # 00:20 Tuesday in Moscow is still Monday 21:20 in UTC
    prompt = system_prompt(context(now=NOW.astimezone(UTC)))
    assert "Сейчас: 10.03.2026, вторник, 00:20; завтра 11.03, среда" in prompt


def test_the_clock_follows_the_salon_zone() -> None:
    ctx = in_zone(context(now=datetime(2026, 3, 10, 0, 20, tzinfo=UTC)), "Asia/Vladivostok")
    assert "Сейчас: 10.03.2026, вторник, 10:20" in system_prompt(ctx)


def test_salon_and_catalogue_are_listed_compactly() -> None:
    prompt = system_prompt(context())
    assert "Салон: Барбершоп «Борода и ножницы»\nАдрес: ул. Примерная, 1" in prompt
    assert "Часы: 10:00-21:00" in prompt
    assert "Услуги (№ название цена₽ минут):" in prompt
    assert "Стрижки: 1 Мужская стрижка 1800 60; 2 Стрижка машинкой 1000 30;" in prompt
    assert "5 Стрижка длинных волос 2500-3200 75" in prompt
    assert "Сергей (Топ-барбер): все услуги; выходные пн" in prompt
    assert "Артур (Барбер): 1-4,6-8,10,14; выходные вт,пт" in prompt
    for service in default_catalogue().services:
        assert service.title in prompt


def test_a_new_client_is_told_as_new() -> None:
    assert "Клиент: имя неизвестно, новый." in system_prompt(context())


def test_a_returning_client_has_their_usual_and_loyalty() -> None:
    prompt = system_prompt(context(profile=returning_client()))
    assert "Клиент: Алексей, постоянный, визитов: 7, обычно Мужская стрижка мастер Сергей." in prompt


def test_a_name_given_in_the_dialog_beats_the_crm_one() -> None:
    state = DialogState(client_name="Лёша")
    assert "Клиент: Лёша, постоянный" in system_prompt(context(state=state, profile=returning_client()))


def test_dialog_state_is_stated() -> None:
    prompt = system_prompt(context(state=busy_state()))
    assert "услуга: Стрижка и борода; мастер: Сергей; день: 11.03 ср" in prompt
    assert "для переноса записи: 11.03 18:00, 11.03 18:30, 11.03 19:00, 11.03 19:30, 11.03 20:00, 11.03 20:30" in prompt
    assert "бот ждёт «да»/«нет»: перенести запись Стрижка и борода на 11.03 19:00" in prompt


def test_a_pending_cancel_a_choice_and_a_reminder() -> None:
    state = DialogState(
        pending=Pending(kind="cancel", record_id=42, stated_at=NOW),
        choice=Choice(act="move", record_ids=[1, 2]),
        reminded=42,
    )
    prompt = system_prompt(context(state=state))
    assert "бот ждёт «да»/«нет»: отменить запись" in prompt
    assert "бот спросил, какую из записей (2) клиент имеет в виду" in prompt
    assert "клиенту отправлено напоминание о визите" in prompt


def test_an_empty_dialog_adds_no_section() -> None:
    assert "Диалог:" not in system_prompt(context())


def test_the_rules_are_short_russian_and_say_the_model_only_reads() -> None:
    prompt = system_prompt(context())
    rules = prompt.split("\n\n")[0]
    assert "вызываешь функции" in rules and "Даты и время не вычисляй" in rules
    assert len(rules) < 1100 and "Greeting" not in prompt


def test_last_turns_become_chat_messages_and_the_new_text_comes_last() -> None:
    messages = prompt_messages(context("Да, переносите", state=busy_state()))
    roles = [m["role"] for m in messages]
    assert roles[0] == "system"
    history = roles[1:-1]
    assert 2 <= len(history) <= HISTORY_TURNS and history[-2:] == ["user", "assistant"]
    assert all(a != b for a, b in itertools.pairwise(history))
    assert messages[-1] == {"role": "user", "content": "Да, переносите"}


def test_the_turn_already_remembered_is_not_sent_twice() -> None:
    state = DialogState()
    state.remember("client", "Хочу на стрижку", NOW)
    messages = prompt_messages(context("Хочу на стрижку", state=state))
    assert [m["content"] for m in messages[1:]] == ["Хочу на стрижку"]


def test_a_very_long_old_turn_is_clipped() -> None:
    state = DialogState()
    state.remember("client", "а" * 5000, NOW)
    assert len(prompt_messages(context("ещё", state=state))[1]["content"]) == 400


def test_old_turns_give_way_to_the_target_but_the_last_exchange_stays() -> None:
    ctx = context("Да, переносите", state=busy_state())
    everything = prompt_messages(ctx, target_tokens=10_000)
    trimmed = prompt_messages(ctx, target_tokens=estimate_request_tokens(everything, openai_tools()) - 100)
    assert len(everything) == HISTORY_TURNS + 2
    assert trimmed[-5:] == everything[-5:] and len(trimmed) < len(everything)
    least = prompt_messages(ctx, target_tokens=0)
    assert [m["role"] for m in least] == ["system", "user", "assistant", "user"]
    assert least[1:] == everything[-3:]


def test_the_client_phone_is_not_in_the_prompt() -> None:
    text = json.dumps(prompt_messages(context(profile=returning_client(), state=busy_state())), ensure_ascii=False)
    assert "79990001122" not in text


@pytest.mark.parametrize(
    "ctx",
    [
        pytest.param(context(), id="new-client"),
        pytest.param(context("Да, переносите", state=busy_state(), profile=returning_client()), id="busy-dialog"),
    ],
)
def test_the_default_salon_prompt_fits_the_budget(ctx: TurnContext) -> None:
    tokens = estimate_request_tokens(prompt_messages(ctx), openai_tools())
    assert tokens <= PROMPT_BUDGET


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("", 0, 0),
        ("hello world", 2, 3),
        ("Здравствуйте! Хочу записаться на мужскую стрижку завтра в 3 к Сергею, можно?", 20, 30),  # o200k: 23
        ('{"type":"function","function":{"name":"search_slots"}}', 12, 24),
    ],
)
def test_token_estimate_is_in_the_tokenizers_range(text: str, low: int, high: int) -> None:
    assert low <= estimate_tokens(text) <= high


def test_tool_schemas_are_compact_and_complete() -> None:
    tools = openai_tools()
    assert [t["function"]["name"] for t in tools] == list(FUNCTIONS)
    book = tools[0]["function"]
    assert book["parameters"]["properties"]["when"] == {
        "description": "day/time in the client's words, e.g. 'завтра после 18'",
        "type": "string",
    }
    name = next(t["function"] for t in tools if t["function"]["name"] == "name")
    assert name["parameters"]["required"] == ["name"]
    text = json.dumps(tools, ensure_ascii=False)
    assert '"title"' not in text and "anyOf" not in text and '"null"' not in text
    assert all(t["function"]["description"] != t["function"]["name"] for t in tools)


def _demo_barbershop() -> Catalogue:
    """The local stack's generated salon: 50 services in 8 categories, 8 masters."""
    salon = generate(seed=1, clients=100, company_id=1, today=date(2026, 3, 10))
    categories = {c.id: c.title for c in salon.categories.values()}
    services = tuple(
        ServiceInfo(s.id, s.title, categories[s.category_id], float(s.price), s.minutes)
        for s in salon.services.values()
    )
    staff = tuple(
        StaffInfo(
            m.id,
            m.name,
            specialization=m.specialization,
            service_ids=frozenset(m.service_ids),
            days_off=frozenset(d for d in range(7) if d not in m.hours),
        )
        for m in salon.staff.values()
    )
    return Catalogue(default_catalogue().salon, services, staff)


def test_the_local_demo_barbershop_fits_too() -> None:
    catalogue = _demo_barbershop()
    assert (len(catalogue.services), len(catalogue.staff)) == (50, 8)
    ctx = context("Да, переносите", state=busy_state(), profile=returning_client(), catalogue=catalogue)
    messages = prompt_messages(ctx)
    assert estimate_request_tokens(messages, openai_tools()) <= PROMPT_BUDGET
    assert messages[-2]["role"] == "assistant"  # the last reply is still there


def _after_a_long_listing(catalogue: Catalogue) -> DialogState:
    """The demo salon right after the bot listed every master's free times for a day (a reply at the
    400-character clip, mostly digits)."""
    masters = catalogue.staff[:6]
    day = date(2026, 3, 14)
    listing = "; ".join(
        f"{m.name}: " + ", ".join(f"{10 + h + n % 2}:{15 * (h % 4):02d}" for h in range(0, 12, 2))
        for n, m in enumerate(masters)
    )
    state = DialogState(
        service_ids=[catalogue.services[12].id],
        day=day,
        offer=Offer(
            service_ids=[catalogue.services[12].id],
            slots=[
                OfferedSlot(staff_id=masters[0].id, start=datetime.combine(day, time(11 + h), MSK)) for h in range(6)
            ],
        ),
        greeted_at=NOW,
        last_bot_at=NOW,
    )
    state.remember("client", "Есть свободное время 14 марта на бритьё опасной бритвой?", NOW)
    state.remember(
        "bot", f"Добрый день, Алексей! В субботу, 14 марта свободно: {listing}. Какое время вам удобно?", NOW
    )
    return state


def test_a_long_last_reply_is_clipped_to_keep_the_request_in_budget() -> None:
    catalogue = _demo_barbershop()
    state = _after_a_long_listing(catalogue)
    ctx = context("а вечером?", state=state, profile=returning_client(), catalogue=catalogue)
    messages = prompt_messages(ctx)
    assert estimate_request_tokens(messages, openai_tools()) <= PROMPT_BUDGET
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    reply = state.turns[-1].text
    shown = messages[2]["content"]
    assert shown == reply or (shown.endswith("…") and reply.startswith(shown[:-1]))
    assert messages[2]["content"].startswith("Добрый день, Алексей! В субботу, 14 марта свободно: ")
    assert messages[1]["content"] == state.turns[0].text  # the client's words are not cut
