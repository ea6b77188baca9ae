"""Conversations and their transcript in PostgreSQL (tables ``conversations`` and ``messages``)."""

from __future__ import annotations

import json
from typing import Any

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.ports import Conversation
from ai_admin.domain.messages import ClientRef, OutboundMessage


def _kind(message: OutboundMessage) -> str:
    return type(message).__name__.removesuffix("Reply").lower()


class PostgresConversations:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def open(self, company_id: int, client: ClientRef) -> Conversation:
        rows = self._db.run(
            "INSERT INTO conversations (company_id, client_key, phone, last_inbound_at, state)"
            " VALUES (:company, :key, :phone, now(), CAST(:state AS jsonb))"
            " ON CONFLICT (company_id, client_key) DO UPDATE SET last_inbound_at = now(),"
            "   phone = COALESCE(conversations.phone, EXCLUDED.phone),"
            "   state = conversations.state || jsonb_strip_nulls(EXCLUDED.state)"
            " RETURNING conversation_id, phone, state",
            company=company_id,
            key=client.key,
            phone=client.phone,
            state=json.dumps({"name": client.name, "user_id": client.user_id}, ensure_ascii=False),
        )
        conversation_id, phone, state = rows[0]
        return Conversation(int(conversation_id), phone, dict(state or {}))

    def record_outbound(
        self, conversation_id: int, message: OutboundMessage, wamid: str | None, error: dict[str, Any] | None
    ) -> None:
        with self._db.transaction() as db:
            db.run(
                "INSERT INTO messages (conversation_id, direction, wa_message_id, kind, body, status, error)"
                " VALUES (:conv, 'out', :wamid, :kind, :body, :status, CAST(:error AS jsonb))"
                " ON CONFLICT (wa_message_id) DO NOTHING",
                conv=conversation_id,
                wamid=wamid,
                kind=_kind(message),
                body=message.summary,
                status="accepted" if wamid else "failed",
                error=json.dumps(error, ensure_ascii=False) if error else None,
            )
            if wamid:
                db.run(
                    "UPDATE conversations SET last_outbound_at = now() WHERE conversation_id = :conv",
                    conv=conversation_id,
                )

    def set_phone(self, conversation_id: int, phone: str) -> None:
        self._db.run(
            "UPDATE conversations SET phone = :phone WHERE conversation_id = :conv",
            phone=phone,
            conv=conversation_id,
        )

    def hand_off(self, conversation_id: int, notice_window_s: int) -> bool:
        rows = self._db.run(
            "WITH before AS (SELECT state FROM conversations WHERE conversation_id = :conv FOR UPDATE)"
            " UPDATE conversations c SET state = c.state || jsonb_build_object("
            "   'needs_human', true, 'handoff_at', now(),"
            "   'handoff_notified_at', CASE WHEN told THEN c.state->'handoff_notified_at'"
            "     ELSE to_jsonb(now()) END)"
            " FROM (SELECT COALESCE((state->>'handoff_notified_at')::timestamptz"
            "   > now() - make_interval(secs => CAST(:window AS double precision)), false) AS told"
            " FROM before) b"
            " WHERE c.conversation_id = :conv RETURNING NOT b.told",
            conv=conversation_id,
            window=notice_window_s,
        )
        return bool(rows and rows[0][0])
