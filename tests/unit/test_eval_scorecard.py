"""The scorecard's arithmetic: pass^k per scenario averaged, task success, turns to outcome, per-turn
figures, and the JSON shape of FORMAT.md."""

from __future__ import annotations

import json
import math

import pytest

from ai_admin.adapters.redis_llm_meter import LlmUsage
from ai_admin.local.eval.guards import GUARDS, Violation
from ai_admin.local.eval.judging import RunResult
from ai_admin.local.eval.scorecard import all_clear, nearest_rank, pass_hat_k, scorecard


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (4, 4, 4, 1.0),
        (4, 3, 4, 0.0),
        (4, 3, 1, 0.75),
        (4, 2, 2, 1 / 6),
        (5, 3, 2, 3 / 10),
        (1, 1, 1, 1.0),
        (3, 0, 1, 0.0),
    ],
)
def test_pass_hat_k_is_c_choose_k_over_n_choose_k(n: int, c: int, k: int, expected: float) -> None:
    assert math.isclose(pass_hat_k(n, c, k), expected)


def test_pass_hat_k_needs_k_within_the_runs() -> None:
    with pytest.raises(ValueError, match="1 <= k <= n"):
        pass_hat_k(2, 1, 3)


def test_nearest_rank_percentile() -> None:
    values = [float(v) for v in range(1, 11)]
    assert nearest_rank(values, 0.9) == 9.0
    assert nearest_rank([4.0], 0.9) == 4.0


def run(scenario: str, number: int, ok: bool, **extra: object) -> RunResult:
    result = RunResult(scenario, f"scenarios/{scenario}.yaml", number, turns=2, crm_requests=3, seconds=1.0)
    if not ok:
        result.failures.append("step 1 (user 'x'): missing '15:00'")
    for key, value in extra.items():
        setattr(result, key, value)
    return result


def test_scenarios_with_four_runs() -> None:
    results = [run("always", n, True, messages_to_outcome=n) for n in range(1, 5)]
    results += [run("flaky", n, n % 2 == 1) for n in range(1, 5)]
    card = scorecard(results, runs=4, seed=7, brain="offline")
    assert card["scenarios"] == 2 and card["passed"] == 1
    assert card["task_success"] == 0.75
    assert card["pass_k"] == {"1": 0.75, "4": 0.5}  # (1 + 2/4) / 2 and (1 + 0) / 2
    assert card["messages_to_outcome"] == {"median": 2.5, "p90": 4, "runs": 4}
    assert card["per_turn"] == {
        "turns": 16,
        "llm_calls": 0.0,
        "prompt_tokens": 0.0,
        "llm_metered": False,
        "yclients_requests": 1.5,
    }
    flaky = card["per_scenario"][1]
    assert (flaky["id"], flaky["passed"], flaky["runs"], flaky["passed_runs"]) == ("flaky", False, 4, 2)
    assert flaky["failures"] == [
        "run 2: step 1 (user 'x'): missing '15:00'",
        "run 4: step 1 (user 'x'): missing '15:00'",
    ]
    assert not all_clear(card)


def test_a_violation_fails_the_run_and_the_exit_code() -> None:
    spoiled = run("polite", 1, True)
    spoiled.violations.append(Violation("repeated_greeting", 1, "greets again: 'Здравствуйте!'"))
    card = scorecard([spoiled, run("other", 1, True)], runs=1, seed=1, brain="offline")
    assert card["pass_k"] == {"1": 0.5}
    assert card["violations"] == {**dict.fromkeys(GUARDS, 0), "repeated_greeting": 1}
    assert card["per_scenario"][0]["failures"] == ["repeated_greeting at step 2: greets again: 'Здравствуйте!'"]
    assert not all_clear(card)
    assert all_clear(scorecard([run("other", 1, True)], runs=1, seed=1, brain="offline"))


def test_model_use_per_turn_comes_from_the_meter() -> None:
    metered = [run("a", 1, True, llm=LlmUsage(turns=2, calls=5, prompt_tokens=3000))]
    card = scorecard(metered, runs=1, seed=1, brain="llm")
    assert card["per_turn"]["llm_calls"] == 2.5 and card["per_turn"]["prompt_tokens"] == 1500.0
    unmetered = scorecard([run("a", 1, True)], runs=1, seed=1, brain="llm")
    assert unmetered["per_turn"]["llm_calls"] is None and unmetered["per_turn"]["llm_metered"] is False


def test_the_json_has_the_format_keys() -> None:
    card = scorecard([run("a", 1, True)], runs=1, seed=1, brain="offline")
    document = json.loads(json.dumps(card))
    assert {"scenarios", "passed", "task_success", "pass_k", "violations", "per_scenario"} <= set(document)
    assert set(document["violations"]) == set(GUARDS)
    assert {"id", "passed", "failures"} <= set(document["per_scenario"][0])
