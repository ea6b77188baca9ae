"""One client turn with the AI administrator: load the context, let a brain decide with the tools,
apply the reply rules, save the context, return the messages to send."""

from __future__ import annotations

import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from ai_admin.conversation.brain import Brain, BrainReply, BrainUnavailable, TurnContext
from ai_admin.conversation.model import DialogState
from ai_admin.conversation.ports import (
    BookingDesk,
    BotChanges,
    CatalogueReader,
    ClientProfiles,
    Clock,
    ContextStore,
    HandoffLog,
    OptOuts,
    ReminderLog,
)
from ai_admin.conversation.replies import TURN_FAILED, handoff_said
from ai_admin.conversation.reply_polish import polish
from ai_admin.conversation.toolbox import SalonToolbox
from ai_admin.domain.greetings import greeting_for, should_greet
from ai_admin.domain.messages import ButtonsReply, InboundTurn, OutboundMessage, TextReply
from ai_admin.observability import logger


@dataclass
class TurnStats:
    """What the last turn cost; read by benchmarks and the scenario scorecard."""

    llm_calls: int = 0
    prompt_tokens: int = 0
    tool_calls: int = 0
    brain: str = ""
    acted: list[str] = field(default_factory=list)


@dataclass
class AiResponder:
    clock: Clock
    catalogues: CatalogueReader
    profiles: ClientProfiles
    contexts: ContextStore
    desk: BookingDesk
    changes: BotChanges
    handoffs: HandoffLog
    opt_outs: OptOuts
    brain: Brain
    context_ttl_s: int = 12 * 3600
    budget_s: float = 25.0
    reminders: ReminderLog | None = None
    meter: Callable[[int, int], None] | None = None  # (llm calls, prompt tokens) per turn
    monotonic: Callable[[], float] = _time.monotonic
    last: TurnStats = field(default_factory=TurnStats)

    def respond(self, turn: InboundTurn) -> list[OutboundMessage]:
        started = self.monotonic()
        catalogue = self.catalogues.catalogue(turn.company_id)
        now = self.clock.now().astimezone(catalogue.salon.tz)
        ttl = timedelta(seconds=self.context_ttl_s)
        state = self.contexts.load(turn.company_id, turn.conversation_id) or DialogState()
        if state.last_bot_at is not None and now - state.last_bot_at >= ttl:
            state = DialogState(client_name=state.client_name)
        # A typed phone (no WhatsApp number to prove it) may book, but reveals nothing of that client.
        phone, own = turn.phone or "", turn.phone_verified
        profile = self.profiles.profile(turn.company_id, phone) if phone and own else None
        if self.reminders is not None and phone and own:
            # A reminder sent since the bot last spoke is what a bare "да" or "нет" now answers.
            since = max(state.last_bot_at or now - timedelta(days=1), now - timedelta(days=1))
            reminded = self.reminders.last_reminder(turn.company_id, phone, since)
            if reminded is not None:
                state.extra["reminded"] = reminded
            notified_at = self.reminders.last_notified_at(turn.company_id, phone)
            if notified_at is not None and now - notified_at < ttl and not state.last_bot_at:
                state.last_bot_at = notified_at  # a reminder or notice opened the conversation: no hello now
        ctx = TurnContext(
            company_id=turn.company_id,
            phone=phone,
            text=turn.text,
            now=now,
            catalogue=catalogue,
            profile=profile,
            state=state,
            button_ids=tuple(m.reply_id for m in turn.messages if m.reply_id),
            phone_verified=own,
        )
        turn_key = turn.messages[-1].wamid if turn.messages else str(now.timestamp())
        tools = SalonToolbox(
            ctx, self.desk, self.catalogues, self.changes, self.handoffs, self.opt_outs, turn.conversation_id, turn_key
        )
        try:
            reply = self.brain.reply(ctx, tools, started + self.budget_s)
        except BrainUnavailable:
            logger.exception("no brain could answer the turn")
            outcome = tools.hand_off("бот не смог ответить на сообщение клиента")
            reply = BrainReply(f"{TURN_FAILED} {handoff_said(outcome, catalogue.salon.phone)}", brain="none")
        reply, false_claims = _no_false_success(reply, tools)
        if false_claims and "handed_off" not in tools.acted:
            outcome = tools.hand_off("бот чуть не сообщил о действии, которого не было: проверьте переписку")
            reply.text = f"{reply.text} {handoff_said(outcome, catalogue.salon.phone)}"
        name = state.client_name or (profile.name if profile else None)
        greeting = None
        if should_greet(state.last_bot_at, now, ttl):
            greeting = greeting_for(now) + (f", {name.split()[0]}!" if name else "!")
            state.greeted_at = now
        text = polish(reply.text, previous_reply=state.last_reply, greeting=greeting)
        state.remember("client", turn.text, now)
        state.remember("bot", text, now)
        state.last_reply = text
        state.last_bot_at = now
        self.contexts.save(turn.company_id, turn.conversation_id, state)
        if self.meter is not None:
            self.meter(reply.llm_calls, reply.prompt_tokens)
        self.last = TurnStats(reply.llm_calls, reply.prompt_tokens, tools.calls, reply.brain, list(tools.acted))
        logger.info(
            "turn answered",
            extra={"brain": reply.brain, "llm_calls": reply.llm_calls, "tools": tools.calls, "acted": tools.acted},
        )
        if reply.buttons and len(text) <= 1024:
            return [ButtonsReply(text, tuple(reply.buttons[:3]))]
        return [TextReply(text)]

    def abandon(self, turn: InboundTurn) -> None:
        state = self.contexts.load(turn.company_id, turn.conversation_id)
        if state is not None:
            state.pending, state.offered, state.handed_off = None, [], True
            self.contexts.save(turn.company_id, turn.conversation_id, state)


_CLAIMS = {
    "created": re.compile(
        r"\bзаписал[аи]?\s+(вас|тебя)|\bвы\s+записаны\s+на\b.*\bготово|\bзапись\s+создана", re.IGNORECASE
    ),
    "moved": re.compile(r"\bперен[её]с(ла|ли)?\b|\bзапись\s+перенесена", re.IGNORECASE),
    "cancelled": re.compile(r"\bотменил[аи]?\b|\bзапись\s+отменена|\bотменена\b", re.IGNORECASE),
}


def _no_false_success(reply: BrainReply, tools: SalonToolbox) -> tuple[BrainReply, list[str]]:
    """A brain may say "записал"/"перенёс"/"отменил" only when a tool did it in this turn (or, for a
    redelivered turn, already had); otherwise the last tool's own sentence, which is true, replaces it.
    Returns the reply and the false claims caught (the caller hands those turns to a person)."""
    done = set(tools.acted) | ({"created"} if tools.ctx.state.booked_turns.get(tools.turn_key) else set())
    false = [kind for kind, claim in _CLAIMS.items() if claim.search(reply.text) and kind not in done]
    if not false:
        return reply, []
    logger.warning("reply claimed an action no tool performed", extra={"claims": false})
    fallback = tools.last_result.say if tools.last_result and tools.last_result.say else TURN_FAILED
    corrected = BrainReply(
        fallback,
        list(tools.last_result.buttons) if tools.last_result else [],
        reply.llm_calls,
        reply.prompt_tokens,
        reply.brain,
    )
    return corrected, false
