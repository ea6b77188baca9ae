"""Sent reminders and booking notifications as outbound lines of the client's conversation, when the
client has one, so the conversation knows what "да" answers. A client who never wrote gets no
conversation from this: opening one would fake an inbound message and the 24-hour window."""

from __future__ import annotations

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.domain.messages import OutboundMessage


class PostgresNotificationTranscript:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def note(self, company_id: int, phone: str, message: OutboundMessage, wamid: str) -> None:
        self._db.run(
            "WITH c AS (UPDATE conversations SET last_outbound_at = now()"
            "   WHERE company_id = :company AND client_key = :key RETURNING conversation_id)"
            " INSERT INTO messages (conversation_id, direction, wa_message_id, kind, body, status)"
            " SELECT c.conversation_id, 'out', :wamid, :kind, :body, 'accepted' FROM c"
            " ON CONFLICT (wa_message_id) DO NOTHING",
            company=company_id,
            key=phone.lstrip("+"),
            wamid=wamid,
            kind=type(message).__name__.removesuffix("Reply").lower(),
            body=message.summary,
        )
