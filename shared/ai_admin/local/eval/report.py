"""The scorecard on the terminal (rich tables) and as a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from ai_admin.local.eval.model import Problem


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def print_problems(problems: list[Problem], out: TextIO) -> None:
    console = Console(file=out, highlight=False, width=160)
    console.print(f"[bold red]{len(problems)} problem(s) in the scenario files; nothing was played:[/]")
    for problem in problems:
        console.print(f"  {problem}", markup=False)


def print_scorecard(card: dict[str, Any], out: TextIO) -> None:
    console = Console(file=out, highlight=False, width=160)
    table = Table(title=f"Scenarios ({card['brain']} brain, {card['runs']} run(s) each, seed {card['seed']})")
    for column in ("scenario", "file", "runs passed", "violations", "seconds"):
        table.add_column(column, overflow="fold")
    for item in card["per_scenario"]:
        mark = "[green]✓[/]" if item["passed"] else "[red]✗[/]"
        fired = ", ".join(f"{kind} {n}" for kind, n in item["violations"].items() if n) or "-"
        table.add_row(
            f"{mark} {item['id']}",
            item["file"],
            f"{item['passed_runs']}/{item['runs']}",
            fired,
            f"{item['seconds']:.1f}",
        )
    console.print(table)
    summary = Table(title="Scorecard", show_header=False)
    summary.add_column("figure")
    summary.add_column("value")
    summary.add_row("scenarios passed", f"{card['passed']}/{card['scenarios']}")
    summary.add_row("task success", _share(card["task_success"]))
    for k, value in card["pass_k"].items():
        summary.add_row(f"pass^{k}", _share(value))
    outcome = card["messages_to_outcome"]
    summary.add_row("client messages to outcome", f"median {_figure(outcome['median'])}, p90 {_figure(outcome['p90'])}")
    turn = card["per_turn"]
    metered = "" if turn["llm_metered"] else " (not metered by the worker)"
    summary.add_row("LLM calls / turn", _figure(turn["llm_calls"]) + metered)
    summary.add_row("prompt tokens / turn", _figure(turn["prompt_tokens"]))
    summary.add_row("YClients requests / turn", _figure(turn["yclients_requests"]))
    for kind, count in card["violations"].items():
        summary.add_row(f"violations: {kind}", f"[red]{count}[/]" if count else "0")
    console.print(summary)
    failing = [item for item in card["per_scenario"] if item["failures"]]
    if failing:
        console.print("[bold]Failures[/]")
    for item in failing:
        console.print(f"[red]{item['id']}[/] ({item['file']})")
        for failure in item["failures"]:
            console.print(f"  - {failure}", markup=False)


def write_json(card: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
