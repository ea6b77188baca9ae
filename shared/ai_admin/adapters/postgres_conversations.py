"""Conversations and their transcript in PostgreSQL (tables ``conversations`` and ``messages``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.ports import Conversation
from ai_admin.domain.handoff_texts import Said
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
            " RETURNING conversation_id, phone",
            company=company_id,
            key=client.key,
            phone=client.phone,
            state=json.dumps({"name": client.name, "user_id": client.user_id}, ensure_ascii=False),
        )
        conversation_id, phone = rows[0]
        return Conversation(int(conversation_id), phone)

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

    def recent(self, conversation_id: int, limit: int) -> list[Said]:
        rows = self._db.run(
            "SELECT direction, body FROM messages WHERE conversation_id = :conv AND body <> ''"
            " ORDER BY created_at DESC, message_id DESC LIMIT :limit",
            conv=conversation_id,
            limit=limit,
        )
        return [Said(direction, body) for direction, body in reversed(rows)]

    def last_inbound_at(self, company_id: int, phone: str) -> datetime | None:
        rows = self._db.run(
            "SELECT max(last_inbound_at) FROM conversations WHERE company_id = :company"
            " AND (phone = :phone OR client_key = :digits)",
            company=company_id,
            phone=phone,
            digits=phone.lstrip("+"),
        )
        value = rows[0][0] if rows else None
        return value if isinstance(value, datetime) else None
