"""The scorecard of an eval: the figures of FORMAT.md computed from judged runs, as the JSON document
``ai-admin eval --json`` writes (and the table prints).

* ``task_success``: passed runs / all runs (a run passes with no failure and no guard violation);
  ``passed``: scenarios whose every run passed.
* ``pass_k``: per scenario C(c, k) / C(n, k) for c passed of n runs, averaged over scenarios, for
  k = 1 and k = the ``--runs`` given.
* ``messages_to_outcome``: client messages (texts and taps) until the CRM first matched the expected
  outcome, over passed runs of scenarios that change the CRM: median and p90 (nearest rank).
* ``per_turn``: model calls, prompt tokens and YClients requests per answered client step; model
  figures come from the worker's meter (``ai-admin:eval:llm``), 0 for the offline brain when unmetered.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from ai_admin.local.eval.guards import GUARDS
from ai_admin.local.eval.judging import RunResult


def pass_hat_k(runs: int, passed: int, k: int) -> float:
    """The chance that k runs drawn from these n all passed: C(c, k) / C(n, k)."""
    if not 1 <= k <= runs or not 0 <= passed <= runs:
        raise ValueError(f"need 1 <= k <= n and 0 <= c <= n, got n={runs} c={passed} k={k}")
    return math.comb(passed, k) / math.comb(runs, k)


def nearest_rank(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _by_scenario(results: Sequence[RunResult]) -> dict[str, list[RunResult]]:
    grouped: dict[str, list[RunResult]] = {}
    for result in results:
        grouped.setdefault(result.scenario_id, []).append(result)
    return grouped


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def scorecard(results: Sequence[RunResult], *, runs: int, seed: int, brain: str) -> dict[str, Any]:
    grouped = _by_scenario(results)
    ks = sorted({1, runs})
    per_scenario = []
    pass_k_sums = dict.fromkeys(ks, 0.0)
    for scenario_id, items in grouped.items():
        passed_runs = sum(r.passed for r in items)
        for k in ks:
            pass_k_sums[k] += pass_hat_k(len(items), passed_runs, k)
        failures = []
        for r in items:
            prefix = f"run {r.run}: " if runs > 1 else ""
            failures += [prefix + text for text in r.failures]
            failures += [prefix + str(v) for v in r.violations]
        per_scenario.append(
            {
                "id": scenario_id,
                "file": items[0].file,
                "passed": passed_runs == len(items),
                "runs": len(items),
                "passed_runs": passed_runs,
                "failures": failures,
                "violations": {kind: sum(v.kind == kind for r in items for v in r.violations) for kind in GUARDS},
                "seconds": round(sum(r.seconds for r in items), 2),
            }
        )
    counts = [r.messages_to_outcome for r in results if r.passed and r.messages_to_outcome is not None]
    turns = sum(r.turns for r in results)
    metered = [r for r in results if r.llm is not None]
    metered_turns = sum(r.llm.turns for r in metered if r.llm is not None) or sum(r.turns for r in metered)
    if metered:
        llm_calls: float | None = _ratio(sum(r.llm.calls for r in metered if r.llm), metered_turns)
        prompt_tokens: float | None = _ratio(sum(r.llm.prompt_tokens for r in metered if r.llm), metered_turns)
    else:
        llm_calls = prompt_tokens = 0.0 if brain == "offline" else None
    scenarios = len(grouped)
    return {
        "scenarios": scenarios,
        "passed": sum(s["passed"] for s in per_scenario),
        "task_success": _ratio(sum(r.passed for r in results), len(results)),
        "pass_k": {str(k): round(pass_k_sums[k] / scenarios, 4) if scenarios else 0.0 for k in ks},
        "violations": {kind: sum(v.kind == kind for r in results for v in r.violations) for kind in GUARDS},
        "runs": runs,
        "seed": seed,
        "brain": brain,
        "messages_to_outcome": {
            "median": statistics.median(counts) if counts else None,
            "p90": nearest_rank(counts, 0.9) if counts else None,
            "runs": len(counts),
        },
        "per_turn": {
            "turns": turns,
            "llm_calls": llm_calls,
            "prompt_tokens": prompt_tokens,
            "llm_metered": bool(metered),
            "yclients_requests": _ratio(sum(r.crm_requests for r in results), turns),
        },
        "per_scenario": per_scenario,
    }


def all_clear(card: dict[str, Any]) -> bool:
    """Exit code 0 only for this: every run passed and no guard fired."""
    return bool(card["scenarios"]) and card["passed"] == card["scenarios"] and not any(card["violations"].values())
