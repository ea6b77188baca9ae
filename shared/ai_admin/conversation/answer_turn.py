"""One queue record = "this client wrote". The worker waits until the client has been quiet for the
debounce window, takes everything buffered as one turn, records it, decides the reply and sends it.

The queue is FIFO with one group per salon and client, so a client's turns are answered in order and
never by two workers at once; records behind a turn that already took their messages find the
buffer empty and are done.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ai_admin.conversation.ports import Conversation, PendingTurns, Transcript, TurnResponder
from ai_admin.conversation.replies import ASK_PHONE, PLEASE_WRITE_TEXT
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
    responder: TurnResponder
    messenger: Messenger
    fallback: TemplateReply
    debounce_s: float
    max_wait_s: float = 15.0
    clock: Callable[[], float] = field(default=time.time)
    sleep: Callable[[float], None] = field(default=time.sleep)

    def answer(self, request: TurnRequest) -> TurnOutcome:
        if not self._wait_for_quiet(request):
            return TurnOutcome(answered=False)
        lines = self.pending.take(request.company_id, request.client_key)
        if not lines:
            return TurnOutcome(answered=False)
        buffered = _ordered(lines)
        if not buffered:
            self.pending.finish(request.company_id, request.client_key)
            return TurnOutcome(answered=False)
        latest = buffered[-1]
        conversation = self.transcript.open(request.company_id, latest.client)
        messages = tuple(b.message for b in buffered)
        self.transcript.record_inbound(conversation.conversation_id, messages)
        turn = InboundTurn(
            company_id=request.company_id,
            conversation_id=conversation.conversation_id,
            client=latest.client,
            phone=conversation.phone or latest.client.phone,
            messages=messages,
        )
        replies = self._decide(turn, conversation)
        sent = send_replies(self.messenger, latest.phone_number_id, Recipient.of(latest.client), replies, self.fallback)
        for item in sent:
            self.transcript.record_outbound(conversation.conversation_id, item.message, item.wamid, item.error)
        self.pending.finish(request.company_id, request.client_key)
        return TurnOutcome(answered=True, messages=len(messages), sent=tuple(sent))

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
