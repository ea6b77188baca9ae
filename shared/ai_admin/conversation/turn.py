"""What one turn knows before anyone reads the client's words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ai_admin.conversation.model import Catalogue, ClientProfile
from ai_admin.conversation.state import DialogState
from ai_admin.conversation.understanding import Expecting, ReadContext


@dataclass(frozen=True)
class TurnContext:
    company_id: int
    conversation_id: int
    phone: str
    text: str  # the client's messages of this turn, joined with newlines
    now: datetime  # aware, salon time zone
    catalogue: Catalogue
    profile: ClientProfile | None
    state: DialogState  # mutable: the engine updates it; the responder saves it
    turn_key: str  # the last message's id: a redelivered turn has the same key
    button_ids: tuple[str, ...] = ()  # reply buttons the client tapped this turn
    profile_name: str | None = None  # the client's WhatsApp profile name
    phone_verified: bool = False  # ``phone`` is the sender's WhatsApp number, not one they typed

    def reading(self) -> ReadContext:
        return ReadContext(
            text=self.text,
            now=self.now,
            catalogue=self.catalogue,
            # a reminder asked "придёте?" even when the bot's own last reply asked nothing
            expecting=Expecting.YES_NO
            if self.state.reminded is not None and self.state.asked is Expecting.NOTHING
            else self.state.asked,
            offered=self.state.offered_starts(),
            button_ids=self.button_ids,
        )
