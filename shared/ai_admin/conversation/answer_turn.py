"""One queue record = "this client wrote" (the record carries the message itself). The worker waits
until the client has been quiet for the debounce window, takes everything buffered as one turn, records
it, decides the reply and sends it.

The queue is FIFO with one group per salon and client, so a client's turns are answered in order and
never by two workers at once. The journal (PostgreSQL) says which turn took each message: a record
whose message a turn already took is done, or finishes that turn when it was cut short (a crash, a
timeout); a record whose message Redis lost puts it back in the buffer first. A turn is decided once,
its replies stored before any is sent and each sent at most once. Whatever goes wrong while deciding,
the client is told so, an administrator takes over and the turn is closed: its messages never replay.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ai_admin.conversation.ports import (
    Conversation,
    HandoffLog,
    HandoffOutcome,
    HandoffRequest,
    HumanDesk,
    JournaledTurn,
    PendingTurns,
    Transcript,
    TurnJournal,
    TurnResponder,
)
from ai_admin.conversation.replies import ASK_PHONE, PLEASE_WRITE_TEXT, TURN_FAILED, handoff_said
from ai_admin.domain import deadlines
from ai_admin.domain.messages import (
    NEEDS_TEXT_KINDS,
    BufferedMessage,
    InboundTurn,
    OutboundMessage,
    Recipient,
    TemplateReply,
    TextReply,
)
from ai_admin.domain.phones import InvalidPhone, to_e164
from ai_admin.observability import logger
from ai_admin.whatsapp.send_replies import Messenger, SentReply, send_replies

_PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s\-()]{8,16}\d")


@dataclass(frozen=True)
class TurnRequest:
    company_id: int
    client_key: str
    wamid: str
    item: str | None = None  # the buffered message itself (records enqueued before it existed carry none)


def worst_turn_s(max_wait_s: float, decide_budget_s: float, send_budget_s: float, handoff_budget_s: float) -> float:
    """The longest one record can keep the worker, bookkeeping aside: waiting for the client to stop
    typing, deciding (brains and their CRM calls share one deadline), telling an administrator when
    deciding failed (one deadline) and sending (one deadline)."""
    return max_wait_s + decide_budget_s + handoff_budget_s + send_budget_s


@dataclass(frozen=True)
class TurnOutcome:
    answered: bool
    messages: int = 0
    sent: tuple[SentReply, ...] = ()


def find_phone(text: str) -> str | None:
    for match in _PHONE_IN_TEXT.finditer(text):
        try:
            return to_e164(match.group(0))
        except InvalidPhone:
            continue
    return None


@dataclass
class TurnAnswerer:
    pending: PendingTurns
    transcript: Transcript
    journal: TurnJournal
    responder: TurnResponder
    handoffs: HandoffLog
    messenger: Messenger
    fallback: TemplateReply
    debounce_s: float
    max_wait_s: float = 15.0
    decide_budget_s: float = 25.0  # the brains' turn budget: the CRM calls of its tools end with it too
    send_budget_s: float = 10.0
    handoff_budget_s: float = 5.0  # telling the administrators about a turn that failed
    clock: Callable[[], float] = field(default=time.time)
    sleep: Callable[[float], None] = field(default=time.sleep)
    humans: HumanDesk | None = None  # administrators' own messages, clients a person has taken over

    def answer(self, request: TurnRequest) -> TurnOutcome:
        held = self.journal.holding(request.wamid)
        if held is not None:
            return TurnOutcome(answered=False) if held.finished else self._complete(held)
        if request.item is not None:
            self.pending.admit(request.wamid, request.company_id, request.client_key, request.item)
        if not self._wait_for_quiet(request):
            return TurnOutcome(answered=False)
        lines = self.pending.waiting(request.company_id, request.client_key)
        buffered = _ordered(lines)
        turn, conversation = None, None
        if buffered:
            conversation = self.transcript.open(request.company_id, buffered[-1].client)
            turn = self.journal.open(request.company_id, conversation.conversation_id, buffered)
        self.pending.forget(request.company_id, request.client_key, lines)
        if turn is None:
            return TurnOutcome(answered=False)
        return self._complete(turn, conversation)

    def _complete(self, turn: JournaledTurn, conversation: Conversation | None = None) -> TurnOutcome:
        """Decides the turn unless it was decided before, sends what was not sent yet, closes it."""
        latest = turn.messages[-1]
        replies = turn.replies
        if replies is None:
            conversation = conversation or self.transcript.open(turn.company_id, latest.client)
            decided, failed = self._decide_or_hand_off(turn, conversation)
            self.journal.decide(turn.turn_id, decided, failed=failed)
            replies = tuple(decided)
        claims = _TurnClaims(self.journal, turn.turn_id)
        with deadlines.within(self.send_budget_s):
            sent = send_replies(
                self.messenger,
                latest.phone_number_id,
                Recipient.of(latest.client),
                replies,
                self.fallback,
                claims=claims,
            )
        for item in sent:
            self.transcript.record_outbound(turn.conversation_id, item.message, item.wamid, item.error)
        self.journal.finish(turn.turn_id)
        return TurnOutcome(answered=True, messages=len(turn.messages), sent=tuple(sent))

    def _decide_or_hand_off(
        self, turn: JournaledTurn, conversation: Conversation
    ) -> tuple[list[OutboundMessage], bool]:
        latest = turn.messages[-1]
        inbound = InboundTurn(
            company_id=turn.company_id,
            conversation_id=conversation.conversation_id,
            client=latest.client,
            phone=conversation.phone or latest.client.phone,
            messages=tuple(b.message for b in turn.messages),
        )
        try:
            with deadlines.within(self.decide_budget_s):
                return self._decide(inbound, conversation), False
        except Exception:
            logger.exception("turn failed: the client is told, an administrator takes over")
        request = HandoffRequest(
            turn.company_id, conversation.conversation_id, inbound.phone, None, "бот не смог обработать сообщение"
        )
        try:
            with deadlines.within(self.handoff_budget_s):
                outcome = self.handoffs.hand_off(request)
        except Exception:  # the turn is still closed and the client told the truth: nobody was told
            logger.exception("could not hand the failed turn off")
            outcome = HandoffOutcome.FAILED
        try:
            self.responder.abandon(inbound)
        except Exception:
            logger.exception("could not clear the failed turn's pending action")
        return [TextReply(f"{TURN_FAILED} {handoff_said(outcome)}")], True

    def _wait_for_quiet(self, request: TurnRequest) -> bool:
        """False when nothing waits; returns early once ``max_wait_s`` is spent (a client who never
        stops typing still gets an answer)."""
        deadline = self.clock() + self.max_wait_s
        while True:
            last_at = self.pending.pending_since(request.company_id, request.client_key)
            if last_at is None:
                return False
            now = self.clock()
            quiet_in = last_at + self.debounce_s - now
            if quiet_in <= 0 or now >= deadline:
                return True
            self.sleep(min(quiet_in, deadline - now))

    def _decide(self, turn: InboundTurn, conversation: Conversation) -> list[OutboundMessage]:
        if self.humans is not None and (owned := self.humans.intercept(turn)) is not None:
            return owned
        if not any(m.is_textual for m in turn.messages):
            if any(m.kind in NEEDS_TEXT_KINDS for m in turn.messages):
                return [TextReply(PLEASE_WRITE_TEXT)]
            return []  # reactions, system notices, edits: nothing to answer
        if turn.phone is None:
            phone = find_phone(turn.text)
            if phone is None:
                return [TextReply(ASK_PHONE)]
            self.transcript.set_phone(conversation.conversation_id, phone)
            turn = InboundTurn(turn.company_id, turn.conversation_id, turn.client, phone, turn.messages)
        return self.responder.respond(turn)


@dataclass(frozen=True)
class _TurnClaims:
    journal: TurnJournal
    turn_id: int

    def claim(self, index: int) -> bool:
        return self.journal.claim(self.turn_id, index)

    def release(self, index: int) -> None:
        self.journal.release(self.turn_id, index)


def _ordered(lines: list[str]) -> list[BufferedMessage]:
    """Unique by wamid (a redelivered message may be buffered twice), oldest first by WhatsApp's
    timestamp, arrival order breaking ties (timestamps have one-second resolution)."""
    seen: set[str] = set()
    items: list[BufferedMessage] = []
    for line in lines:
        try:
            item = BufferedMessage.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError):
            logger.error("dropping an unreadable buffered message")
            continue
        if item.message.wamid not in seen:
            seen.add(item.message.wamid)
            items.append(item)
    return sorted(items, key=lambda b: b.message.timestamp)
