"""The LLM brain against a scripted OpenAI-compatible server on 127.0.0.1: the tool loop, its cap,
malformed calls, timeouts and failover through the brain chain."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from pydantic import ValidationError

from ai_admin.adapters.openai_brain import OpenAiBrain
from ai_admin.bootstrap.llm import build_brains
from ai_admin.conversation.brain import BrainReply, BrainUnavailable, Toolbox, ToolResult, TurnContext
from ai_admin.conversation.brain_chain import BrainChain
from ai_admin.conversation.tool_args import TOOLS
from ai_admin.domain.messages import ReplyButton
from ai_admin.local.fake_llm import FakeLlm
from ai_admin.settings import LlmSettings
from tests.conversation_samples import NOW, busy_state, context, returning_client

FakeFactory = Callable[..., FakeLlm]
SLOTS_SAY = "Завтра вечером у Сергея свободно 18:00 и 19:30. Какое время удобно?"


@dataclass
class RecordingToolbox:
    """The Toolbox protocol for these tests: validates like the real one, records calls, returns
    canned results; ``create_booking`` books once per turn through the dialog state."""

    ctx: TurnContext
    results: dict[str, ToolResult] = field(default_factory=dict)
    runs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    bookings: int = 0
    calls: int = 0

    def run(self, name: str, args: dict[str, Any]) -> ToolResult:
        self.calls += 1
        self.runs.append((name, args))
        try:
            TOOLS[name].model_validate(args)
        except ValidationError as error:
            return ToolResult(ok=False, data={"error": str(error)})
        if name == "create_booking":
            if "turn-1" not in self.ctx.state.booked_turns:
                self.bookings += 1
                self.ctx.state.booked_turns["turn-1"] = 777001
            return ToolResult(ok=True, data={"record_id": 777001}, say="Записал вас к Сергею на 11.03 в 19:30.")
        return self.results.get(name, ToolResult(ok=True, data={"slots": ["18:00", "19:30"]}, say=SLOTS_SAY))


@dataclass
class InstantBrain:
    """Stands in for the offline brain: answers at once and notes how much time it was given."""

    name: str = "offline"
    given_s: list[float] = field(default_factory=list)

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float) -> BrainReply:
        self.given_s.append(deadline - time.monotonic())
        return BrainReply(text="Сейчас уточню и вернусь с ответом.", brain=self.name)


def brain(fake: FakeLlm, name: str = "openai", call_timeout_s: float = 5.0, **options: Any) -> OpenAiBrain:
    client = openai.OpenAI(base_url=fake.url, api_key="sk-test", max_retries=2)  # the brain turns retries off
    return OpenAiBrain(name, client, "gpt-4o-mini", call_timeout_s, **options)


def soon(seconds: float = 20.0) -> float:
    return time.monotonic() + seconds


def search(**args: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "search_slots", "arguments": args}]}


def test_tool_call_then_final_text(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(service="стрижку", when="завтра вечером"), {"text": "Есть 18:00 и 19:30. Когда удобно?"})
    ctx = context("Хочу на стрижку завтра вечером")
    tools = RecordingToolbox(ctx)

    reply = brain(fake_llm).reply(ctx, tools, soon())

    assert reply.text == "Есть 18:00 и 19:30. Когда удобно?"
    assert (reply.brain, reply.llm_calls) == ("openai", 2)
    assert tools.runs == [("search_slots", {"service": "стрижку", "when": "завтра вечером"})]
    first, second = fake_llm.requests()
    assert first.model == "gpt-4o-mini" and first.tool_choice == "auto" and first.tool_names == list(TOOLS)
    assert first.messages[-1] == {"role": "user", "content": "Хочу на стрижку завтра вечером"}
    call, result = second.messages[-2:]
    assert call["role"] == "assistant" and call["tool_calls"][0]["function"]["name"] == "search_slots"
    assert result["role"] == "tool" and result["tool_call_id"] == call["tool_calls"][0]["id"]
    assert json.loads(result["content"]) == {"ok": True, "slots": ["18:00", "19:30"], "say": SLOTS_SAY}
    assert fake_llm.rejected() == []


def test_prompt_tokens_come_from_usage_or_the_estimate(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(when="завтра"), {"text": "Готово."}, {"text": "Без usage.", "usage": False})
    ctx = context()
    with_usage = brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon())
    without_usage = brain(fake_llm).reply(context(), RecordingToolbox(ctx), soon())
    assert 1000 < without_usage.prompt_tokens < with_usage.prompt_tokens <= 2500  # the largest prompt of a turn


def test_buttons_of_a_tool_result_travel_with_the_reply(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(when="завтра"), {"text": "Выберите время:"})
    ctx = context()
    buttons = [ReplyButton("slot:1", "18:00"), ReplyButton("slot:2", "19:30")]
    tools = RecordingToolbox(ctx, results={"search_slots": ToolResult(ok=True, say=SLOTS_SAY, buttons=buttons)})
    assert brain(fake_llm).reply(ctx, tools, soon()).buttons == buttons


def test_four_tool_rounds_then_a_forced_text(fake_llm: FakeLlm) -> None:
    fake_llm.play(*[search(when=f"день {n}") for n in range(4)], {"text": "Вот что нашлось."})
    ctx = context()
    tools = RecordingToolbox(ctx)

    reply = brain(fake_llm).reply(ctx, tools, soon())

    assert reply.text == "Вот что нашлось." and reply.llm_calls == 5
    assert len(tools.runs) == 4
    assert [r.tool_choice for r in fake_llm.requests()] == ["auto"] * 4 + ["none"]
    assert fake_llm.rejected() == []


def test_a_forced_answer_without_text_falls_back_to_the_last_say(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(when="завтра"), search(when="послезавтра"))  # ignores tool_choice=none
    ctx = context()
    tools = RecordingToolbox(ctx)
    reply = brain(fake_llm, max_tool_rounds=1).reply(ctx, tools, soon())
    assert reply.text == SLOTS_SAY and len(tools.runs) == 1


def test_an_empty_answer_with_the_tool_say_uses_the_say(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(when="завтра"), {"text": "  "})
    ctx = context()
    assert brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon()).text == SLOTS_SAY


def test_an_empty_answer_with_nothing_to_say_is_unavailable(fake_llm: FakeLlm) -> None:
    fake_llm.play({"text": ""})
    ctx = context()
    with pytest.raises(BrainUnavailable, match="empty answer"):
        brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon())


UNKNOWN_TOOL = {"tool_calls": [{"name": "book_everything", "arguments": {}}]}
NOT_JSON = {"tool_calls": [{"name": "search_slots", "arguments": '{"when": "завтра'}]}
INVALID = {"tool_calls": [{"name": "save_client_name", "arguments": {"name": ""}}]}
EXTRA_KEY = {"tool_calls": [{"name": "search_slots", "arguments": {"date": "2026-03-11"}}]}


@pytest.mark.parametrize(
    ("malformed", "told"),
    [
        (UNKNOWN_TOOL, "unknown tool 'book_everything'"),
        (NOT_JSON, "must be a JSON object"),
        (INVALID, "invalid arguments"),
        (EXTRA_KEY, "invalid arguments"),
    ],
)
def test_a_malformed_call_is_retried_once_with_the_error(fake_llm: FakeLlm, malformed: Any, told: str) -> None:
    fake_llm.play(malformed, search(when="завтра"), {"text": "Есть 18:00 и 19:30."})
    ctx = context()
    reply = brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon())
    assert reply.text == "Есть 18:00 и 19:30."
    correction = fake_llm.requests()[1].messages[-1]
    assert correction["role"] == "tool" and told in json.loads(correction["content"])["error"]


@pytest.mark.parametrize(("first", "second"), [(UNKNOWN_TOOL, NOT_JSON), (INVALID, INVALID), (NOT_JSON, EXTRA_KEY)])
def test_a_second_malformed_call_gives_up(fake_llm: FakeLlm, first: Any, second: Any) -> None:
    fake_llm.play(first, second, {"text": "не дойдёт"})
    ctx = context()
    with pytest.raises(BrainUnavailable, match="second malformed tool call"):
        brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon())
    assert fake_llm.remaining() == 1


def test_a_slow_model_times_out_at_the_call_timeout(fake_llm: FakeLlm) -> None:
    fake_llm.play({"delay_s": 5, "text": "поздно"})
    ctx = context()
    started = time.monotonic()
    with pytest.raises(BrainUnavailable, match="openai: timed out"):
        brain(fake_llm, call_timeout_s=0.5).reply(ctx, RecordingToolbox(ctx), soon())
    assert time.monotonic() - started < 1.5
    assert len(fake_llm.requests()) == 1  # the SDK's own retries are off


def test_a_call_never_outlives_the_deadline(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(when="завтра"), {"delay_s": 5, "text": "поздно"})
    ctx = context()
    deadline = soon(0.8)
    with pytest.raises(BrainUnavailable, match="timed out"):
        brain(fake_llm, call_timeout_s=8.0).reply(ctx, RecordingToolbox(ctx), deadline)
    assert time.monotonic() < deadline + 0.5  # the deadline, not the 8 s call timeout (slack for a loaded CI)


def test_no_call_is_made_without_time_left(fake_llm: FakeLlm) -> None:
    ctx = context()
    with pytest.raises(BrainUnavailable, match="no time left"):
        brain(fake_llm).reply(ctx, RecordingToolbox(ctx), time.monotonic())
    assert fake_llm.requests() == []


@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 429}, {"status": 503}, {"malformed": True}])
def test_a_failing_primary_fails_over_to_the_secondary(fake_llm_factory: FakeFactory, failure: Any) -> None:
    primary = fake_llm_factory(failure)
    secondary = fake_llm_factory({"text": "Здравствуйте! Чем помочь?"})
    ctx = context()

    reply = BrainChain([brain(primary, "openai"), brain(secondary, "deepseek")]).reply(ctx, RecordingToolbox(ctx))

    assert (reply.brain, reply.text) == ("deepseek", "Здравствуйте! Чем помочь?")
    assert len(primary.requests()) == 1 and len(secondary.requests()) == 1


def test_failover_mid_turn_does_not_book_twice(fake_llm_factory: FakeFactory) -> None:
    booking = {"tool_calls": [{"name": "create_booking", "arguments": {"when": "завтра в 19:30", "staff": "Сергей"}}]}
    primary = fake_llm_factory(booking, {"status": 500})
    secondary = fake_llm_factory(booking, {"text": "Готово, вы записаны к Сергею на 11.03 в 19:30."})
    ctx = context("Запишите на 19:30 к Сергею", state=busy_state())
    tools = RecordingToolbox(ctx)

    reply = BrainChain([brain(primary, "openai"), brain(secondary, "deepseek")]).reply(ctx, tools)

    assert reply.brain == "deepseek"
    assert [name for name, _ in tools.runs] == ["create_booking", "create_booking"]
    assert tools.bookings == 1
    assert "records the bot booked in this conversation: 777001" in secondary.requests()[0].system


def test_everything_down_the_last_brain_answers_within_budget(fake_llm_factory: FakeFactory) -> None:
    hanging = fake_llm_factory({"delay_s": 10, "text": "поздно"})
    broken = fake_llm_factory({"status": 500})
    offline = InstantBrain()
    chain = BrainChain(
        [brain(hanging, "openai", call_timeout_s=8.0), brain(broken, "deepseek"), offline],
        budget_s=2.5,
        last_reserve_s=1.0,
    )
    ctx = context()
    started = time.monotonic()

    reply = chain.reply(ctx, RecordingToolbox(ctx))

    assert reply.brain == "offline"
    assert time.monotonic() - started < 2.5
    assert offline.given_s and offline.given_s[0] >= 0.75  # about its 1 s reserve (slack for a loaded CI)
    assert broken.requests() == []  # no time was left for it before the reserve


def test_the_model_sees_the_salon_day_and_the_catalogue(fake_llm: FakeLlm) -> None:
    fake_llm.play({"text": "Доброй ночи! Чем помочь?"})
    ctx = context("Здравствуйте", now=NOW, profile=returning_client())
    brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon())
    system = fake_llm.requests()[0].system
    assert "Now: 10.03 2026, вторник, 00:20 (Europe/Moscow)" in system
    assert "1 Мужская стрижка 1800 60" in system and "15 Массаж головы 1000 30" in system
    assert "Сергей (Топ-барбер): все услуги" in system
    assert "Client: Алексей, returning" in system


def test_the_default_salon_prompt_is_within_2500_tokens(fake_llm: FakeLlm) -> None:
    fake_llm.play(search(when="завтра в 19"), {"text": "Есть 19:00."})
    ctx = context("Да, переносите", state=busy_state(), profile=returning_client())
    reply = brain(fake_llm).reply(ctx, RecordingToolbox(ctx), soon())
    assert reply.prompt_tokens <= 2500


def test_build_brains_talks_to_each_configured_provider(fake_llm_factory: FakeFactory) -> None:
    primary = fake_llm_factory({"status": 429}, api_key="sk-primary")
    secondary = fake_llm_factory({"text": "Добрый вечер!"}, api_key="sk-secondary")
    config = LlmSettings(
        primary_base_url=primary.url,
        primary_api_key="sk-primary",
        secondary_name="qwen",
        secondary_base_url=secondary.url,
        secondary_model="qwen-plus",
        secondary_api_key="sk-secondary",
        call_timeout_s=2.0,
    )
    brains = build_brains(config)
    assert [b.name for b in brains] == ["openai", "qwen"]
    ctx = context()
    reply = BrainChain(brains).reply(ctx, RecordingToolbox(ctx))
    assert (reply.brain, reply.text) == ("qwen", "Добрый вечер!")
    assert secondary.requests()[0].model == "qwen-plus"
    assert primary.rejected() == secondary.rejected() == []


def test_no_provider_configured_builds_no_brain() -> None:
    assert build_brains(LlmSettings(primary_base_url="https://api.openai.com/v1")) == []


def test_a_wrong_key_is_unavailable(fake_llm_factory: FakeFactory) -> None:
    fake = fake_llm_factory({"text": "не дойдёт"}, api_key="sk-right")
    ctx = context()
    with pytest.raises(BrainUnavailable, match="HTTP 401"):
        brain(fake).reply(ctx, RecordingToolbox(ctx), soon())


def test_a_tool_result_that_answers_completely_is_the_reply_without_a_second_call(fake_llm: FakeLlm) -> None:
    fake_llm.play(
        {"tool_calls": [{"name": "search_slots", "arguments": {"service": "стрижка", "when": "завтра вечером"}}]}
    )
    ctx = context("Хочу на стрижку завтра вечером")
    tools = RecordingToolbox(ctx)
    tools.results["search_slots"] = ToolResult(ok=True, data={"slots": ["18:00"]}, say=SLOTS_SAY, final=True)

    reply = brain(fake_llm).reply(ctx, tools, soon())

    assert reply.text == SLOTS_SAY
    assert reply.llm_calls == 1
    assert fake_llm.remaining() == 0
