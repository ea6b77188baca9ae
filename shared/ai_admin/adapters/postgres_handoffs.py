"""Hand-offs in PostgreSQL (table ``handoffs``), and each salon's administrators (``companies.settings``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.ports import HandoffRequest
from ai_admin.handoff.ports import Handoff, Notice, SalonDesk

_COLUMNS = "handoff_id, company_id, conversation_id, client_phone, client_name, reason, opened_at, notice, notified_to"


def _handoff(row: list[Any]) -> Handoff:
    handoff_id, company_id, conversation_id, phone, name, reason, opened_at, notice, notified_to = row
    return Handoff(
        int(handoff_id),
        int(company_id),
        int(conversation_id),
        phone,
        name,
        reason,
        opened_at,
        Notice(notice),
        tuple(notified_to or ()),
    )


class PostgresHandoffs:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def desk(self, company_id: int) -> SalonDesk | None:
        rows = self._db.run(
            "SELECT title, whatsapp_phone_number_id, settings FROM companies WHERE company_id = :company",
            company=company_id,
        )
        if not rows:
            return None
        title, phone_number_id, settings = rows[0]
        return SalonDesk.from_settings(company_id, title, phone_number_id, settings or {})

    def open(self, request: HandoffRequest, now: datetime) -> Handoff:
        # The WhatsApp profile name stands in when the dialog never learnt the client's name.
        self._db.run(
            "INSERT INTO handoffs (company_id, conversation_id, client_phone, client_name, reason, opened_at)"
            " VALUES (:company, :conv, :phone,"
            "   COALESCE(:name, (SELECT state->>'name' FROM conversations WHERE conversation_id = :conv)),"
            "   :reason, :now)"
            " ON CONFLICT (conversation_id) WHERE closed_at IS NULL DO NOTHING",
            company=request.company_id,
            conv=request.conversation_id,
            phone=request.client_phone,
            name=request.client_name,
            reason=request.reason,
            now=now,
        )
        [handoff] = self.open_handoffs(request.company_id, request.conversation_id)
        return handoff

    def record_notice(
        self, handoff_id: int, notice: Notice, notified_to: Sequence[str], error: str | None, now: datetime
    ) -> None:
        self._db.run(
            "UPDATE handoffs SET notice = :notice, notified_to = CAST(:told AS text[]), notice_error = :error,"
            " notified_at = CASE WHEN :notice = 'notified' THEN CAST(:now AS timestamptz) END"
            " WHERE handoff_id = :id",
            id=handoff_id,
            notice=notice.value,
            told="{" + ",".join(notified_to) + "}",
            error=error,
            now=now,
        )

    def close(self, handoff_id: int, by: str, at: datetime) -> bool:
        rows = self._db.run(
            "UPDATE handoffs SET closed_at = :at, closed_by = :by WHERE handoff_id = :id AND closed_at IS NULL"
            " RETURNING 1",
            id=handoff_id,
            by=by,
            at=at,
        )
        return bool(rows)

    def open_handoffs(self, company_id: int, conversation_id: int | None = None) -> list[Handoff]:
        rows = self._db.run(
            f"SELECT {_COLUMNS} FROM handoffs WHERE company_id = :company AND closed_at IS NULL"
            " AND (CAST(:conv AS bigint) IS NULL OR conversation_id = :conv) ORDER BY opened_at, handoff_id",
            company=company_id,
            conv=conversation_id,
        )
        return [_handoff(row) for row in rows]
