"""Delivery receipts for our outbound messages, kept on their transcript rows."""

from __future__ import annotations

import json

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.domain.messages import StatusUpdate

# A receipt never moves a message backwards (Meta does not promise order); failed always sticks.
_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}


class PostgresDeliveryLog:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def record_status(self, update: StatusUpdate) -> bool:
        rank = _RANK.get(update.status, 0)
        rows = self._db.run(
            "UPDATE messages SET"
            " status = CASE WHEN :rank >= (CASE status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2"
            "   WHEN 'read' THEN 3 WHEN 'played' THEN 4 WHEN 'failed' THEN 9 ELSE 0 END)"
            "   THEN :status ELSE status END,"
            " error = CASE WHEN :status = 'failed' THEN CAST(:errors AS jsonb) ELSE error END"
            " WHERE wa_message_id = :wamid AND direction = 'out' RETURNING message_id",
            rank=rank,
            status=update.status,
            errors=json.dumps(list(update.errors), ensure_ascii=False),
            wamid=update.wamid,
        )
        return bool(rows)
