"""``ai-admin eval PATH... [--runs K] [--brain offline|llm|scripted] [--json OUT] [--seed S]``.

Validates every scenario first (exit 2 with the list of problems), starts one local stack, plays each
scenario ``--runs`` times through it, prints the scorecard and writes it as JSON. Exit 0 only when
every run passed with no guard violation, 1 otherwise, 2 when nothing could be played.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rich.console import Console

from ai_admin.local.eval import brains, report
from ai_admin.local.eval.judging import RunResult, judge
from ai_admin.local.eval.loading import LoadedScenario, load
from ai_admin.local.eval.runner import RunTrace, play
from ai_admin.local.eval.salon_sync import SyncFailed
from ai_admin.local.eval.scorecard import all_clear, scorecard
from ai_admin.local.eval.stage import Stage
from ai_admin.local.eval.variation import rng_for
from ai_admin.local.fake_yclients import ScenarioError
from ai_admin.local.stack import Stack
from ai_admin.observability import logger


@dataclass(frozen=True)
class EvalOptions:
    paths: Sequence[str]
    runs: int = 1
    brain: str = "offline"
    json_out: Path | None = None
    seed: int = 1
    step_timeout_s: float = 30.0
    verbose: bool = False
    transcript: bool = False  # print the dialog of every run that failed
    allow_remote_database: bool = False  # a DATABASE_URL on another machine (for the run's scratch database)


@contextlib.contextmanager
def _own_stack(root: Path, allow_remote_database: bool) -> Iterator[Stack]:
    from ai_admin.local import stack as stack_module

    with (
        tempfile.TemporaryDirectory(prefix="ai-admin-eval-") as state,
        stack_module.running(
            root,
            state_dir=Path(state),
            scratch_database=True,
            with_yclients=False,
            allow_remote_database=allow_remote_database,
        ) as stack,
    ):
        yield stack


@contextlib.contextmanager
def _quiet(verbose: bool) -> Iterator[None]:
    """Handler logs go to stderr, and only warnings unless ``verbose``: stdout is the scorecard's."""
    level = logger.log_level
    werkzeug = logging.getLogger("werkzeug")
    werkzeug_level = werkzeug.level
    if not verbose:
        logger.setLevel(logging.WARNING)
        werkzeug.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        logger.setLevel(level)
        werkzeug.setLevel(werkzeug_level)


def run_eval(options: EvalOptions, *, root: Path, stack: Stack | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    console = Console(file=out, highlight=False, width=160)
    scenarios, problems = load(options.paths)
    if problems:
        report.print_problems(problems, out)
        return 2
    if options.runs < 1:
        console.print("--runs must be at least 1")
        return 2
    model: brains.ScriptedModel | None = None
    try:
        env = brains.worker_env(options.brain, os.environ)
        if options.brain == "scripted":
            model = brains.start_scripted_model()
            env.update(LLM_PRIMARY_BASE_URL=model.url, LLM_PRIMARY_API_KEY="scripted")
    except brains.BrainUnavailable as error:
        console.print(f"ai-admin eval: {error}", markup=False)
        return 2
    console.print(
        f"{len(scenarios)} scenario(s), {options.runs} run(s) each, {options.brain} brain, variation seed "
        f"{options.seed} (run 1 plays each file as written; repeat with --seed {options.seed})",
        markup=False,
    )
    drop = () if options.brain == "llm" else ("LLM_",)
    results: list[RunResult] = []
    try:
        with _quiet(options.verbose), contextlib.ExitStack() as owned:
            here = stack or owned.enter_context(_own_stack(root, options.allow_remote_database))
            stage = owned.enter_context(Stage.on(here, worker_env=env, drop_prefixes=drop))
            for scenario in scenarios:
                for number in range(1, options.runs + 1):
                    result, trace = _one_run(stage, scenario, number, options, model)
                    results.append(result)
                    mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
                    console.print(f"{mark} {scenario.spec.id} run {number} ({result.seconds:.1f} s)")
                    if options.transcript and trace is not None and not result.passed:
                        for step in trace.steps:
                            said = " / ".join(step.client_texts) or step.label
                            console.print(f"    [bold]{step.kind}[/]: {said}", markup=True, highlight=False)
                            console.print(f"    bot: {step.reply.text or '(nothing)'}", markup=False)
    finally:
        if model is not None:
            model.stop()
    card = scorecard(results, runs=options.runs, seed=options.seed, brain=options.brain)
    report.print_scorecard(card, out)
    if options.json_out is not None:
        report.write_json(card, options.json_out)
        console.print(f"scorecard written to {options.json_out}", markup=False)
    return 0 if all_clear(card) else 1


def _one_run(
    stage: Stage, scenario: LoadedScenario, number: int, options: EvalOptions, model: brains.ScriptedModel | None
) -> tuple[RunResult, RunTrace | None]:
    spec = scenario.spec
    if model is not None:
        if not spec.script:
            return RunResult(
                spec.id, scenario.file, number, failures=["no script: to play with --brain scripted"]
            ), None
        model.load_script([turn.model_dump(exclude_none=True) for turn in spec.script])
    rng = None if number == 1 else rng_for(options.seed, spec.id, number)
    try:
        trace = play(stage, scenario, number, rng, options.step_timeout_s)
    except (SyncFailed, ScenarioError) as error:
        failure = f"the salon could not be set up: {error}"
        return RunResult(spec.id, scenario.file, number, failures=[failure]), None
    return judge(trace), trace
