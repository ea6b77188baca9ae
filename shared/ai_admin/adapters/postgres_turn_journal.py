"""The conversation worker's journal in PostgreSQL (``turns``, and ``messages.turn_id``); see
``conversation.ports.TurnJournal``.

A message belongs to the turn whose transaction inserted its transcript row first: the row's unique
``wa_message_id`` makes that atomic, so a message redelivered by Meta, re-admitted from its SQS record
after a Redis loss, or still buffered when a retried record runs again, is answered once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.ports import JournaledTurn
from ai_admin.domain.messages import BufferedMessage, OutboundMessage, outbound_from_dict, outbound_to_dict

_COLUMNS = "t.turn_id, t.company_id, t.conversation_id, t.messages, t.status, t.replies, t.failed"


def _turn(row: list[Any]) -> JournaledTurn:
    turn_id, company_id, conversation_id, messages, status, replies, failed = row
    return JournaledTurn(
        turn_id=int(turn_id),
        company_id=int(company_id),
        conversation_id=int(conversation_id),
        messages=tuple(BufferedMessage.from_dict(m) for m in messages),
        finished=status != "open",
        replies=None if replies is None else tuple(outbound_from_dict(r) for r in replies),
        failed=bool(failed),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class PostgresTurnJournal:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def holding(self, wamid: str) -> JournaledTurn | None:
        rows = self._db.run(
            f"SELECT {_COLUMNS} FROM messages m JOIN turns t USING (turn_id)"
            " WHERE m.wa_message_id = :wamid AND m.direction = 'in'",
            wamid=wamid,
        )
        return _turn(rows[0]) if rows else None

    def open(self, company_id: int, conversation_id: int, messages: Sequence[BufferedMessage]) -> JournaledTurn | None:
        with self._db.transaction() as db:
            [[turn_id]] = db.run(
                "INSERT INTO turns (company_id, conversation_id, messages) VALUES (:company, :conv, '[]')"
                " RETURNING turn_id",
                company=company_id,
                conv=conversation_id,
            )
            mine: list[BufferedMessage] = []
            for item in messages:
                message = item.message
                inserted = db.run(
                    "INSERT INTO messages (conversation_id, direction, wa_message_id, kind, body, payload,"
                    " created_at, turn_id) VALUES (:conv, 'in', :wamid, :kind, :body, CAST(:payload AS jsonb),"
                    " to_timestamp(:ts), :turn) ON CONFLICT (wa_message_id) DO NOTHING RETURNING 1",
                    conv=conversation_id,
                    wamid=message.wamid,
                    kind=message.kind,
                    body=message.text,
                    payload=_json(message.raw),
                    ts=message.timestamp,
                    turn=turn_id,
                )
                if inserted:
                    mine.append(item)
            if not mine:
                db.run("DELETE FROM turns WHERE turn_id = :turn", turn=turn_id)
                return None
            db.run(
                "UPDATE turns SET messages = CAST(:messages AS jsonb) WHERE turn_id = :turn",
                messages=_json([m.to_dict() for m in mine]),
                turn=turn_id,
            )
        return JournaledTurn(int(turn_id), company_id, conversation_id, tuple(mine))

    def decide(self, turn_id: int, replies: Sequence[OutboundMessage], *, failed: bool) -> None:
        self._db.run(
            "UPDATE turns SET replies = CAST(:replies AS jsonb), failed = :failed"
            " WHERE turn_id = :turn AND replies IS NULL",
            replies=_json([outbound_to_dict(r) for r in replies]),
            failed=failed,
            turn=turn_id,
        )

    def claim(self, turn_id: int, index: int) -> bool:
        rows = self._db.run(
            "UPDATE turns SET sent = :index + 1 WHERE turn_id = :turn AND sent <= :index RETURNING 1",
            index=index,
            turn=turn_id,
        )
        return bool(rows)

    def release(self, turn_id: int, index: int) -> None:
        self._db.run(
            "UPDATE turns SET sent = :index WHERE turn_id = :turn AND sent = :index + 1", index=index, turn=turn_id
        )

    def finish(self, turn_id: int) -> None:
        self._db.run(
            "UPDATE turns SET status = CASE WHEN failed THEN 'failed' ELSE 'answered' END, finished_at = now()"
            " WHERE turn_id = :turn AND status = 'open'",
            turn=turn_id,
        )
