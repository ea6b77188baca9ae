"""Until the AI conversation exists, a text turn goes to the salon's administrator: the conversation
is flagged as needing a human, and the client is told so once per service window, not per message."""

from __future__ import annotations

from dataclasses import dataclass

from ai_admin.conversation.ports import HandoffLog
from ai_admin.conversation.replies import HANDED_OFF
from ai_admin.domain.messages import InboundTurn, OutboundMessage, TextReply

SERVICE_WINDOW_S = 24 * 3600


@dataclass
class HandoffResponder:
    log: HandoffLog
    notice_window_s: int = SERVICE_WINDOW_S

    def respond(self, turn: InboundTurn) -> list[OutboundMessage]:
        if self.log.hand_off(turn.conversation_id, self.notice_window_s):
            return [TextReply(HANDED_OFF)]
        return []
