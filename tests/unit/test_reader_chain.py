"""The reader chain: failover within one budget, a reserve for the last reader, and a cooldown for a
provider whose failure will repeat (the circuit breaker)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from ai_admin.conversation.reader import ReaderChain, ReaderUnavailable
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Understanding
from tests.conversation_samples import PHONE, context


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class StubReader:
    """A reader that spends ``takes_s`` on the shared clock, then understands or fails."""

    name: str
    clock: Clock
    takes_s: float = 0.1
    fails: str | None = None
    lasting: bool = False
    deadlines: list[float] = field(default_factory=list)

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        self.deadlines.append(deadline)
        self.clock.now += min(self.takes_s, max(deadline - self.clock.now, 0))
        if self.fails or self.clock.now >= deadline:
            raise ReaderUnavailable(f"{self.name}: {self.fails or 'timed out'}", lasting=self.lasting)
        return Understanding((), reader=self.name, llm_calls=1)


def chain(*readers: StubReader, clock: Clock, **options: float) -> ReaderChain:
    return ReaderChain(readers, monotonic=clock, **options)


def test_the_first_reader_that_answers_wins() -> None:
    clock = Clock()
    first, second = StubReader("openai", clock), StubReader("offline", clock)
    assert chain(first, second, clock=clock).understand(context()).reader == "openai"
    assert second.deadlines == []


def test_fails_over_and_keeps_time_for_the_last() -> None:
    clock = Clock()
    first = StubReader("openai", clock, fails="HTTP 500")
    last = StubReader("offline", clock)
    understood = chain(first, last, clock=clock, budget_s=10, last_reserve_s=2).understand(context())
    assert understood.reader == "offline"
    assert first.deadlines == [1008.0] and last.deadlines == [1010.0]


def test_a_slow_provider_cannot_eat_the_reserve() -> None:
    clock = Clock()
    slow = StubReader("openai", clock, takes_s=60)
    last = StubReader("offline", clock)
    assert chain(slow, last, clock=clock, budget_s=10, last_reserve_s=2).understand(context()).reader == "offline"
    assert slow.deadlines == [1008.0] and last.deadlines == [1010.0]  # 2 s left for the offline reader


def test_an_earlier_deadline_beats_the_budget() -> None:
    clock = Clock()
    first = StubReader("openai", clock)
    chain(first, StubReader("offline", clock), clock=clock, budget_s=25, last_reserve_s=2).understand(context(), 1005.0)
    assert first.deadlines == [1003.0]


def test_when_every_reader_fails_the_reasons_are_raised() -> None:
    clock = Clock()
    with pytest.raises(ReaderUnavailable, match="openai: HTTP 500; offline: broken"):
        chain(
            StubReader("openai", clock, fails="HTTP 500"), StubReader("offline", clock, fails="broken"), clock=clock
        ).understand(context())


def test_a_lasting_failure_opens_the_circuit_for_the_cooldown() -> None:
    clock = Clock()
    down = StubReader("openai", clock, fails="HTTP 429", lasting=True)
    last = StubReader("offline", clock)
    readers = chain(down, last, clock=clock, cooldown_s=60)
    readers.understand(context())
    clock.now += 30
    assert readers.understand(context()).reader == "offline"
    assert len(down.deadlines) == 1  # skipped while cooling down: no 8-16 s wait on every turn
    clock.now += 31
    down.fails = None
    assert readers.understand(context()).reader == "openai"  # tried again after the cooldown
    assert len(down.deadlines) == 2


def test_a_one_off_failure_does_not_open_the_circuit() -> None:
    clock = Clock()
    flaky = StubReader("openai", clock, fails="unreadable response")
    readers = chain(flaky, StubReader("offline", clock), clock=clock)
    readers.understand(context())
    flaky.fails = None
    assert readers.understand(context()).reader == "openai"


def test_a_bug_in_a_provider_fails_over_but_not_in_the_last_reader() -> None:
    clock = Clock()

    class Buggy(StubReader):
        def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
            raise KeyError("bug")

    assert (
        chain(Buggy("openai", clock), StubReader("offline", clock), clock=clock).understand(context()).reader
        == "offline"
    )
    with pytest.raises(KeyError):
        chain(StubReader("openai", clock, fails="x"), Buggy("offline", clock), clock=clock).understand(context())


def test_an_empty_chain_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one reader"):
        ReaderChain([])


def test_failover_is_logged_by_provider_without_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock()
    chain(
        StubReader("openai", clock, fails="HTTP 503", lasting=True), StubReader("offline", clock), clock=clock
    ).understand(context(f"Запишите меня, мой номер {PHONE}"))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    warning = next(line for line in lines if line["message"] == "reader unavailable, failing over")
    assert warning["reader"] == "openai" and warning["cooldown"] is True
    assert PHONE.lstrip("+") not in json.dumps(lines)
