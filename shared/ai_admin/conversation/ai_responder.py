"""One client turn with the AI administrator: load the context, let a reader understand the messages,
let the dialog engine act and write the reply, apply the reply rules, save the context."""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ai_admin.conversation import claims
from ai_admin.conversation.engine import DialogEngine
from ai_admin.conversation.flow import Acting, EngineReply, hand_off
from ai_admin.conversation.phrases import phrases
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
from ai_admin.conversation.reader import Reader, ReaderUnavailable
from ai_admin.conversation.reply_polish import polish
from ai_admin.conversation.state import DialogState
from ai_admin.conversation.tools.book import Booker
from ai_admin.conversation.tools.change_booking import ClientBookings
from ai_admin.conversation.tools.free_times import Calendar
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Understanding
from ai_admin.domain.greetings import greeting_for, should_greet
from ai_admin.domain.messages import ButtonsReply, InboundTurn, OutboundMessage, TextReply
from ai_admin.observability import logger


@dataclass
class TurnStats:
    """What the last turn cost; read by benchmarks and the scenario scorecard."""

    llm_calls: int = 0
    prompt_tokens: int = 0
    yclients_requests: int = 0
    reader: str = ""
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
    reader: Reader
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
            state = DialogState(client_name=state.client_name, language=state.language)
        # A typed phone (no WhatsApp number to prove it) may book, but reveals nothing of that client.
        phone, own = turn.phone or "", turn.phone_verified
        profile = self.profiles.profile(turn.company_id, phone) if phone and own else None
        if own:
            self._note_reminders(turn.company_id, phone, state, now, ttl)
        ctx = TurnContext(
            company_id=turn.company_id,
            conversation_id=turn.conversation_id,
            phone=phone,
            text=turn.text,
            now=now,
            catalogue=catalogue,
            profile=profile,
            state=state,
            turn_key=turn.messages[-1].wamid if turn.messages else str(now.timestamp()),
            button_ids=tuple(m.reply_id for m in turn.messages if m.reply_id),
            profile_name=turn.client.name,
            phone_verified=own,
        )
        calendar = Calendar(turn.company_id, catalogue, self.desk, self.catalogues, now)
        bookings = ClientBookings(self.desk, self.changes, turn.company_id, phone, now, verified=own)
        acting = Acting(
            calendar=calendar,
            booker=Booker(self.desk, self.changes, turn.company_id, turn.conversation_id, ctx.turn_key, now),
            bookings=bookings,
            handoffs=self.handoffs,
            opt_outs=self.opt_outs,
        )
        try:
            understood = self.reader.understand(ctx, started + self.budget_s)
        except ReaderUnavailable:
            logger.exception("no reader could understand the turn")
            understood = None
        if understood is None:
            say = phrases(state.language)
            outcome = hand_off(ctx, self.handoffs, "бот не смог прочитать сообщение клиента")
            reply = EngineReply(f"{say.failed_turn()} {say.handed_off(outcome, catalogue.salon.phone)}")
            understood = Understanding(())
        else:
            checked = claims.check_reply(understood, ctx.catalogue)
            reply = DialogEngine(ctx, acting).answer(checked.understanding)
            if checked.claimed_acts:
                say = phrases(state.language)
                outcome = hand_off(
                    ctx, self.handoffs, "бот чуть не сообщил о действии, которого не было: проверьте переписку"
                )
                reply.text = f"{reply.text} {say.handed_off(outcome, catalogue.salon.phone)}"
        name = state.client_name or (profile.name if profile else None)
        greeting = None
        if should_greet(state.last_bot_at, now, ttl):
            greeting = greeting_for(now, language=state.language) + (f", {name.split()[0]}!" if name else "!")
            state.greeted_at = now
        text = polish(reply.text, previous_reply=state.last_reply, greeting=greeting)
        state.remember("client", turn.text, now)
        state.remember("bot", text, now)
        state.last_reply = text
        state.last_bot_at = now
        self.contexts.save(turn.company_id, turn.conversation_id, state)
        if self.meter is not None:
            self.meter(understood.llm_calls, understood.prompt_tokens)
        acted = [a.value for a in reply.acts]
        self.last = TurnStats(
            understood.llm_calls, understood.prompt_tokens, calendar.requests, understood.reader, acted
        )
        logger.info(
            "turn answered",
            extra={"reader": understood.reader, "llm_calls": understood.llm_calls, "acted": acted},
        )
        if reply.buttons and len(text) <= 1024:
            return [ButtonsReply(text, tuple(reply.buttons[:3]))]
        return [TextReply(text)]

    def _note_reminders(self, company_id: int, phone: str, state: DialogState, now: datetime, ttl: timedelta) -> None:
        if self.reminders is None or not phone:
            return
        # A reminder sent since the bot last spoke is what a bare "да" or "нет" now answers.
        since = max(state.last_bot_at or now - timedelta(days=1), now - timedelta(days=1))
        reminded = self.reminders.last_reminder(company_id, phone, since)
        if reminded is not None:
            state.reminded = reminded
        notified_at = self.reminders.last_notified_at(company_id, phone)
        if notified_at is not None and now - notified_at < ttl and not state.last_bot_at:
            state.last_bot_at = notified_at  # a reminder or notice opened the conversation: no hello now

    def abandon(self, turn: InboundTurn) -> None:
        """A turn that failed is closed: nothing it was waiting for may be carried out by a later "да"."""
        state = self.contexts.load(turn.company_id, turn.conversation_id)
        if state is not None:
            state.settle()
            state.handed_off = True
            self.contexts.save(turn.company_id, turn.conversation_id, state)
