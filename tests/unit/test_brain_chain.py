from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from ai_admin.conversation.brain import BrainReply, BrainUnavailable, Toolbox, ToolResult, TurnContext
from ai_admin.conversation.brain_chain import BrainChain
from tests.conversation_samples import PHONE, context


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class StubBrain:
    """A brain that spends ``takes_s`` on the shared clock, then answers or fails."""

    name: str
    clock: Clock
    takes_s: float = 0.1
    fails: str | None = None
    deadlines: list[float] = field(default_factory=list)
    toolboxes: list[Toolbox] = field(default_factory=list)

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float) -> BrainReply:
        self.deadlines.append(deadline)
        self.toolboxes.append(tools)
        self.clock.now += min(self.takes_s, max(deadline - self.clock.now, 0))
        if self.fails or self.clock.now >= deadline:
            raise BrainUnavailable(f"{self.name}: {self.fails or 'timed out'}")
        return BrainReply(text=f"ответ от {self.name}", llm_calls=1, brain=self.name)


class NoTools:
    calls = 0

    def run(self, name: str, args: dict[str, Any]) -> ToolResult:
        raise AssertionError("no tool is run in these tests")


def test_the_first_brain_that_answers_wins() -> None:
    clock = Clock()
    first, second = StubBrain("openai", clock), StubBrain("offline", clock)
    reply = BrainChain([first, second], monotonic=clock).reply(context(), NoTools(), None)
    assert reply.brain == "openai"
    assert second.deadlines == []


def test_fails_over_with_the_same_toolbox_and_keeps_time_for_the_last() -> None:
    clock = Clock()
    brains = [
        StubBrain("openai", clock, fails="HTTP 429"),
        StubBrain("deepseek", clock, fails="HTTP 500"),
        StubBrain("offline", clock),
    ]
    tools = NoTools()
    reply = BrainChain(brains, budget_s=25.0, last_reserve_s=2.0, monotonic=clock).reply(context(), tools, None)
    assert reply.brain == "offline"
    assert brains[0].deadlines == brains[1].deadlines == [1000.0 + 23.0]
    assert brains[2].deadlines == [1000.0 + 25.0]
    assert all(b.toolboxes == [tools] for b in brains)


def test_a_slow_provider_cannot_eat_the_reserve() -> None:
    clock = Clock()
    slow = StubBrain("openai", clock, takes_s=60)
    skipped = StubBrain("deepseek", clock)
    last = StubBrain("offline", clock, takes_s=1.5)
    reply = BrainChain([slow, skipped, last], budget_s=25.0, monotonic=clock).reply(context(), NoTools(), None)
    assert reply.brain == "offline"
    assert skipped.deadlines == []  # nothing left before the reserve
    assert clock.now <= 1000.0 + 25.0


def test_an_earlier_deadline_beats_the_budget() -> None:
    clock = Clock()
    first, last = StubBrain("openai", clock, fails="timed out"), StubBrain("offline", clock)
    BrainChain([first, last], budget_s=25.0, monotonic=clock).reply(context(), NoTools(), 1010.0)
    assert first.deadlines == [1008.0]
    assert last.deadlines == [1010.0]


def test_when_every_brain_fails_the_reasons_are_raised() -> None:
    clock = Clock()
    brains = [StubBrain("openai", clock, fails="HTTP 503"), StubBrain("offline", clock, fails="broken")]
    with pytest.raises(BrainUnavailable, match=r"^openai: HTTP 503; offline: broken$"):
        BrainChain(brains, monotonic=clock).reply(context(), NoTools(), None)


class BuggyBrain:
    name = "openai"

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float) -> BrainReply:
        raise KeyError("choices")


def test_a_bug_in_a_provider_fails_over_but_not_in_the_last_brain() -> None:
    clock = Clock()
    chain = BrainChain([BuggyBrain(), StubBrain("offline", clock)], monotonic=clock)
    assert chain.reply(context(), NoTools()).brain == "offline"
    with pytest.raises(KeyError):
        BrainChain([StubBrain("openai", clock, fails="HTTP 500"), BuggyBrain()], monotonic=clock).reply(
            context(), NoTools()
        )


def test_an_empty_chain_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one brain"):
        BrainChain([])


def test_failover_is_logged_by_provider_without_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock()
    brains = [StubBrain("openai", clock, fails="HTTP 429"), StubBrain("offline", clock)]
    BrainChain(brains, monotonic=clock).reply(context("Меня зовут Алексей, мой номер 79990001122"), NoTools(), None)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    warning = next(r for r in records if r["message"] == "brain unavailable, failing over")
    assert warning["brain"] == "openai" and warning["reason"] == "openai: HTTP 429"
    logged = json.dumps(records, ensure_ascii=False)
    assert PHONE.lstrip("+") not in logged and "Алексей" not in logged
