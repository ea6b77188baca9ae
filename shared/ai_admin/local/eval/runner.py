"""Plays one run of a scenario through the stage, step by step, and records what happened: what the
client sent, what the bot answered, the CRM before and after, and the cost of each step.

Guards that need the live CRM (whether an offered time was free when the bot offered it) are
evaluated here, right after the step; everything else is judged later from the trace.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time

from ai_admin.adapters.redis_llm_meter import LlmUsage
from ai_admin.local.eval import salon_staff, scheduled, variation
from ai_admin.local.eval.guards import SalonFacts, Violation, invalid_alternatives
from ai_admin.local.eval.loading import LoadedScenario
from ai_admin.local.eval.model import ButtonPress, ButtonStep, CrmStep, Scenario, UserStep, WaitStep
from ai_admin.local.eval.replies import Choice, Reply, reply_of
from ai_admin.local.eval.snapshots import Snapshot, snapshot
from ai_admin.local.eval.stage import PipelineBusy, Salon, Stage
from ai_admin.local.inbound import new_wamid, text_message

BUSINESS_DISPLAY_PHONE = "74950000001"


@dataclass
class StepTrace:
    index: int
    kind: str  # user, button, wait_until, crm
    label: str
    client_texts: list[str]  # what the client sent, in the intended order (a button: its title and id)
    delivered: int  # WhatsApp messages the client sent in this step
    reply: Reply
    before: Snapshot
    after: Snapshot
    crm_requests: int
    llm: LlmUsage | None
    violations: list[Violation] = field(default_factory=list)


@dataclass
class RunTrace:
    scenario: LoadedScenario
    run: int
    initial: Snapshot
    steps: list[StepTrace]
    facts: SalonFacts
    error: str | None = None  # why the run stopped early
    seconds: float = 0.0
    handoffs: int = 0  # hand-offs to a person the product opened during the run


def salon_facts(spec: Scenario) -> SalonFacts:
    every = [s.id for s in spec.salon.services]
    return SalonFacts(
        tz=spec.tz,
        opens=spec.salon.hours.open,
        closes=spec.salon.hours.close,
        other_hours=tuple((h.open, h.close) for h in spec.salon.weekday_hours.values()),
        staff={m.id: m.name for m in spec.salon.staff},
        services={s.id: s.title for s in spec.salon.services},
        provides={m.id: tuple(m.services or every) for m in spec.salon.staff},
    )


def step_label(step: object) -> str:
    if isinstance(step, UserStep):
        text = " / ".join(step.user)
        return f"user {text[:50]!r}"
    if isinstance(step, ButtonStep):
        return f"button {step.button.id!r}"
    if isinstance(step, WaitStep):
        return f"wait_until {step.wait_until:%Y-%m-%dT%H:%M}"
    if isinstance(step, CrmStep):
        change = step.crm
        kind = "create" if change.create else "cancel" if change.cancel else "move"
        return f"crm {kind}"
    return "step"


def _offered(sent: Reply, button_id: str) -> tuple[Choice, str] | None:
    for message in reversed(sent.messages):
        for choice in message.choices:
            if choice.id == button_id:
                return choice, message.wamid
    return None


def button_message(press: ButtonPress, earlier: Reply, wa_id: str, timestamp: int) -> tuple[dict[str, object], str]:
    """The inbound message for a tap on ``press.id``: shaped like the bot message that offered it (a
    reply button, a list row or a template quick reply), replying to it; and the title sent."""
    found = _offered(earlier, press.id)
    via = press.via or (found[0].via if found else "interactive")
    title = press.title or (found[0].title if found and found[0].title else press.id[:20])
    message: dict[str, object] = {"from": wa_id, "id": new_wamid(), "timestamp": str(timestamp)}
    if found:
        message["context"] = {"from": BUSINESS_DISPLAY_PHONE, "id": found[1]}
    if via == "template":
        message.update(type="button", button={"payload": press.id, "text": title})
    elif via == "list":
        message.update(
            type="interactive", interactive={"type": "list_reply", "list_reply": {"id": press.id, "title": title}}
        )
    else:
        message.update(
            type="interactive", interactive={"type": "button_reply", "button_reply": {"id": press.id, "title": title}}
        )
    return message, title


def play(
    stage: Stage, scenario: LoadedScenario, run: int, rng: random.Random | None, idle_timeout_s: float = 30.0
) -> RunTrace:
    """One run; ``rng`` None plays the file exactly as written."""
    started = time.monotonic()
    spec = scenario.spec
    salon = stage.prepare(scenario)
    client = spec.client
    trace = RunTrace(scenario, run, snapshot(salon.state), [], salon_facts(spec))
    clock = spec.local(spec.now)
    first_sent = len(stage.sent())
    for index, step in enumerate(spec.steps):
        sent_before = len(stage.sent())
        before = snapshot(salon.state)
        requests_before = stage.crm_requests()
        usage_before = stage.meter.read()
        texts: list[str] = []
        delivered = 0
        try:
            if isinstance(step, UserStep):
                base = int(time.time())
                plan = variation.deliveries(list(step.user), rng)
                for delivery in plan:
                    message = text_message(delivery.text, client.wa_id, timestamp=base + delivery.position)
                    stage.deliver(salon, client.wa_id, client.profile_name, message)
                texts = [d.text for d in sorted(plan, key=lambda d: d.position)]
                delivered = len(plan)
            elif isinstance(step, ButtonStep):
                earlier = _reply_to(stage, client.wa_id, first_sent)
                message, title = button_message(step.button, earlier, client.wa_id, int(time.time()))
                stage.deliver(salon, client.wa_id, client.profile_name, message)
                texts, delivered = [f"{title} {step.button.id}"], 1
            elif isinstance(step, WaitStep):
                moment = spec.local(step.wait_until)
                stage.set_clock(salon, moment)
                _run_scheduled(salon.company_id, clock, moment)
                clock = moment
            elif isinstance(step, CrmStep):
                salon_staff.apply(salon.state, step.crm, clock)
            stage.wait_idle(salon, client.wa_id, idle_timeout_s)
        except (PipelineBusy, StepFailed) as error:
            trace.error = f"step {index + 1} ({step_label(step)}): {error}"
        reply = _reply_to(stage, client.wa_id, sent_before)
        usage_after = stage.meter.read()
        item = StepTrace(
            index=index,
            kind=_kind(step),
            label=step_label(step),
            client_texts=texts,
            delivered=delivered,
            reply=reply,
            before=before,
            after=snapshot(salon.state),
            crm_requests=stage.crm_requests() - requests_before,
            llm=(usage_after - (usage_before or LlmUsage())) if usage_after is not None else None,
        )
        if reply:
            item.violations += _invalid_alternatives(item, trace, salon, clock)
        trace.steps.append(item)
        if trace.error:
            break
    trace.seconds = time.monotonic() - started
    trace.handoffs = stage.handoffs(salon)
    return trace


class StepFailed(RuntimeError):
    """Something the runner itself ran for a step (a scheduled job) failed."""


def _run_scheduled(company_id: int, since: datetime, until: datetime) -> None:
    for job in scheduled.SCHEDULED:
        try:
            job(company_id, since, until)
        except Exception as error:
            name = getattr(job, "__name__", repr(job))
            raise StepFailed(f"scheduled job {name} failed: {error!r}") from error


def _kind(step: object) -> str:
    for cls, name in ((UserStep, "user"), (ButtonStep, "button"), (WaitStep, "wait_until"), (CrmStep, "crm")):
        if isinstance(step, cls):
            return name
    return "step"


def _reply_to(stage: Stage, wa_id: str, since: int) -> Reply:
    return reply_of((m.wamid, m.body) for m in stage.sent()[since:] if m.to == wa_id)


def _invalid_alternatives(item: StepTrace, trace: RunTrace, salon: Salon, clock: datetime) -> list[Violation]:
    state = salon.state

    # a time overlapping the client's own booking is bookable for moving that booking
    phone = trace.scenario.spec.client.phone
    own = [r.id for r in item.before.values() if r.phone == phone and not r.deleted]

    def free_starts(staff_id: int, day: date, service_id: int) -> set[clock_time]:
        found = {moment.time() for moment in state.free_starts(staff_id, day, [service_id])}
        for record_id in own:
            found |= {moment.time() for moment in state.free_starts(staff_id, day, [service_id], ignoring=record_id)}
        return found

    client_texts = [text for step in [*trace.steps, item] for text in step.client_texts]
    return invalid_alternatives(
        item.index,
        reply_text="\n".join(m.text for m in item.reply.messages),
        choice_titles=item.reply.choice_titles,
        client_texts=client_texts,
        now=clock,
        salon=trace.facts,
        records=item.after.values(),
        free_starts=free_starts,
    )
