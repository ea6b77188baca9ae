"""A played run, judged: every step's expectations, the outcome, the guards, and the figures the
scorecard needs (client messages until the outcome, model and CRM use per turn)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ai_admin.adapters.redis_llm_meter import LlmUsage
from ai_admin.local.eval import guards
from ai_admin.local.eval.checks import check_expect, check_outcome
from ai_admin.local.eval.guards import Violation
from ai_admin.local.eval.model import Expect, Outcome
from ai_admin.local.eval.runner import RunTrace, StepTrace
from ai_admin.local.eval.snapshots import Diff, Snapshot, diff, merged, rebase

TURN_KINDS = ("user", "button")


@dataclass
class RunResult:
    scenario_id: str
    file: str
    run: int
    failures: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    messages_to_outcome: int | None = None  # client messages until the CRM first matched the outcome
    turns: int = 0
    llm: LlmUsage | None = None  # None: the worker does not meter model use
    crm_requests: int = 0  # YClients requests made while answering turns
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures and not self.violations


def _changes_outcome(outcome: Outcome | None) -> bool:
    return outcome is not None and bool(outcome.created or outcome.cancelled or outcome.moved or outcome.confirmed)


def judge(trace: RunTrace) -> RunResult:
    spec = trace.scenario.spec
    result = RunResult(spec.id, trace.scenario.file, trace.run, seconds=trace.seconds)
    if trace.error:
        result.failures.append(trace.error)

    def staff_name(staff_id: int) -> str:
        return trace.facts.staff.get(staff_id, f"staff {staff_id}")

    for step in trace.steps:
        result.failures += [
            f"step {step.index + 1} ({step.label}): {text}" for text in check_expect(_expect(trace, step), step.reply)
        ]
    baseline: Snapshot = trace.initial
    final = trace.steps[-1].after if trace.steps else trace.initial
    for step in trace.steps:
        if step.kind == "crm":
            baseline = rebase(baseline, step.before, step.after)
        elif (
            result.messages_to_outcome is None
            and _changes_outcome(spec.outcome)
            and not check_outcome(spec.outcome, diff(baseline, step.after), spec.local, staff_name)
        ):
            result.messages_to_outcome = sum(s.delivered for s in trace.steps[: step.index + 1])
    result.failures += [
        f"outcome: {text}" for text in check_outcome(spec.outcome, diff(baseline, final), spec.local, staff_name)
    ]
    wanted = spec.outcome.handed_off if spec.outcome else None
    if wanted is not None and wanted != (trace.handoffs > 0):
        said = "no hand-off to a person was opened" if wanted else f"{trace.handoffs} hand-off(s) to a person opened"
        result.failures.append(f"outcome: {said}")
    result.violations = guard_violations(trace)
    turns = [s for s in trace.steps if s.kind in TURN_KINDS]
    result.turns = len(turns)
    result.crm_requests = sum(s.crm_requests for s in turns)
    usages = [s.llm for s in turns if s.llm is not None]
    if usages:
        result.llm = LlmUsage(
            sum(u.turns for u in usages), sum(u.calls for u in usages), sum(u.prompt_tokens for u in usages)
        )
    return result


def _expect(trace: RunTrace, step: StepTrace) -> Expect:
    return trace.scenario.spec.steps[step.index].expect


def guard_violations(trace: RunTrace) -> list[Violation]:
    spec = trace.scenario.spec
    phone = spec.client.phone
    found: list[Violation] = []
    bot_messages = [(s.index, m.text) for s in trace.steps for m in s.reply.messages]
    found += guards.repeated_greetings(bot_messages)
    owner_names = {r.id: r.name for r in spec.salon.records if r.id is not None and r.name}
    client_texts: list[str] = []
    last_bot_text = ""
    since_reply: list[Diff] = []
    for step in trace.steps:
        changes = diff(step.before, step.after)
        client_texts += step.client_texts
        reply_text = "\n".join(m.text for m in step.reply.messages)
        found += step.violations
        if step.kind != "crm":
            found += guards.unconfirmed_destructive(
                step.index, step.kind, " ".join(step.client_texts), last_bot_text, changes
            )
        if step.reply:
            found += guards.duplicated_sentences(step.index, [m.text for m in step.reply.messages])
            found += guards.foreign_records(
                step.index,
                reply_text=reply_text,
                client_phone=phone,
                client_texts=client_texts,
                records=step.after.values(),
                changes=changes if step.kind != "crm" else Diff(),
                staff=trace.facts.staff,
                services=trace.facts.services,
                owner_names=owner_names,
                client_name=spec.client.name,
            )
            window = merged([*since_reply, changes])
            found += guards.false_successes(step.index, reply_text, phone, window, step.before.values())
            last_bot_text = reply_text
            since_reply = []
        else:
            if step.kind != "crm":
                found += guards.foreign_records(
                    step.index,
                    reply_text="",
                    client_phone=phone,
                    client_texts=client_texts,
                    records=(),
                    changes=changes,
                    staff=trace.facts.staff,
                    services=trace.facts.services,
                    owner_names=owner_names,
                    client_name=spec.client.name,
                )
            since_reply.append(changes)
    return found
