"""What answering a turn needs from the outside world, as small role-named protocols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ai_admin.domain.messages import ClientRef, InboundMessage, InboundTurn, OutboundMessage


@dataclass(frozen=True)
class Conversation:
    conversation_id: int
    phone: str | None
    state: dict[str, Any] = field(default_factory=dict)


class PendingTurns(Protocol):
    """The per-client buffer the webhook fills (see adapters/redis_inbox.py)."""

    def pending_since(self, company_id: int, client_key: str) -> float | None:
        """When the latest message arrived (epoch seconds), or None when nothing waits."""
        ...

    def take(self, company_id: int, client_key: str) -> list[str]: ...

    def finish(self, company_id: int, client_key: str) -> None: ...


class Transcript(Protocol):
    def open(self, company_id: int, client: ClientRef) -> Conversation: ...

    def record_inbound(self, conversation_id: int, messages: Sequence[InboundMessage]) -> None: ...

    def record_outbound(
        self, conversation_id: int, message: OutboundMessage, wamid: str | None, error: dict[str, Any] | None
    ) -> None: ...

    def set_phone(self, conversation_id: int, phone: str) -> None: ...


class TurnResponder(Protocol):
    """Decides the replies to a text turn (the AI conversation implements this later)."""

    def respond(self, turn: InboundTurn) -> list[OutboundMessage]: ...


class HandoffLog(Protocol):
    def hand_off(self, conversation_id: int, notice_window_s: int) -> bool:
        """Marks the conversation as needing a human; True when the client has not been told so
        within ``notice_window_s`` (and now counts as told)."""
        ...
