"""The dialog state between turns: Redis for the context TTL, ``conversations.state`` as the durable copy.

The PostgreSQL copy sits under ``state->'dialog'`` beside the transcript's own keys, with the moment
it was saved (database time, the same real time Redis expires keys by). It is used when Redis has
lost the key (a restart, an eviction, an outage) and only while it is younger than the TTL, so a
conversation resumed after the TTL starts afresh, as it would with Redis alone.
"""

from __future__ import annotations

from typing import Any

import redis
from pydantic import ValidationError

from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.conversation.state import DialogState
from ai_admin.domain.errors import StorageUnavailable
from ai_admin.observability import logger

_SAVE = """
UPDATE conversations SET state = state || jsonb_build_object('dialog', CAST(:dialog AS jsonb), 'dialog_saved_at', now())
WHERE conversation_id = :conversation AND company_id = :company
"""
_LOAD = """
SELECT state->'dialog',
       CAST(:ttl AS double precision) - EXTRACT(EPOCH FROM now() - (state->>'dialog_saved_at')::timestamptz)
FROM conversations
WHERE conversation_id = :conversation AND company_id = :company
  AND (state->>'dialog_saved_at')::timestamptz > now() - make_interval(secs => CAST(:ttl AS double precision))
"""
_REDIS_ERRORS = (redis.RedisError, OSError)


class RedisContextStore:
    def __init__(self, client: redis.Redis, db: PostgresSession, ttl_s: int = 12 * 3600) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self._redis = client
        self._db = db
        self._ttl_s = ttl_s

    @staticmethod
    def key(company_id: int, conversation_id: int) -> str:
        return f"ai-admin:context:{company_id}:{conversation_id}"

    def load(self, company_id: int, conversation_id: int) -> DialogState | None:
        key = self.key(company_id, conversation_id)
        try:
            raw = self._redis.get(key)
        except _REDIS_ERRORS as error:
            logger.warning("context unreadable in Redis; reading PostgreSQL", extra={"error": type(error).__name__})
            raw = None
        if raw is not None:
            state = _parse(raw, key)
            if state is not None:
                return state
        rows = self._db.run(_LOAD, company=company_id, conversation=conversation_id, ttl=self._ttl_s)
        if not rows or rows[0][0] is None:
            return None
        dialog, remaining_s = rows[0]
        state = _parse(dialog, f"conversation {conversation_id}")
        if state is not None:
            self._put(key, state.model_dump_json(), max(1, int(remaining_s)))
        return state

    def save(self, company_id: int, conversation_id: int, state: DialogState) -> None:
        """Both copies, Redis first; raises ``StorageUnavailable`` only when neither could be written."""
        payload = state.model_dump_json()
        key = self.key(company_id, conversation_id)
        in_redis = self._put(key, payload, self._ttl_s)
        try:
            self._db.run(_SAVE, dialog=payload, conversation=conversation_id, company=company_id)
        except StorageUnavailable:
            if not in_redis:
                raise
            logger.warning("context saved in Redis only", extra={"conversation_id": conversation_id})
            return
        if not in_redis:
            stale = self._forget(key)
            logger.warning(
                "context saved in PostgreSQL only", extra={"conversation_id": conversation_id, "stale": stale}
            )

    def _put(self, key: str, payload: str, ttl_s: int) -> bool:
        try:
            with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(key, payload, ex=ttl_s)
                pipe.execute()
        except _REDIS_ERRORS as error:
            logger.warning("context not written to Redis", extra={"error": type(error).__name__})
            return False
        return True

    def _forget(self, key: str) -> bool:
        """Drop the older Redis copy so it cannot shadow the newer durable one; True if it may remain."""
        try:
            self._redis.delete(key)
        except _REDIS_ERRORS:
            return True
        return False


def _parse(raw: Any, where: str) -> DialogState | None:
    try:
        if isinstance(raw, bytes | str):
            return DialogState.model_validate_json(raw)
        return DialogState.model_validate(raw)
    except ValidationError as error:
        logger.warning("unreadable dialog state ignored", extra={"where": where, "error": error.error_count()})
        return None
