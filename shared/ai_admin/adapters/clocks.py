"""The moment a turn happens: the system clock, or one frozen in Redis by the local scenario runner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import redis

from ai_admin.observability import logger

FROZEN_NOW_KEY = "ai-admin:clock:now"


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RedisClock:
    """``now()`` is the ISO-8601 moment (with its offset) stored at ``key``; the system time when the
    key is missing or Redis cannot be read."""

    def __init__(
        self,
        client: redis.Redis,
        key: str = FROZEN_NOW_KEY,
        fallback: Callable[[], datetime] | None = None,
    ) -> None:
        self._redis = client
        self._key = key
        self._fallback = fallback or SystemClock().now

    def now(self) -> datetime:
        try:
            raw = self._redis.get(self._key)
        except (redis.RedisError, OSError) as error:
            logger.warning("frozen clock unreadable; using the system time", extra={"error": type(error).__name__})
            return self._fallback()
        if raw is None:
            return self._fallback()
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"{self._key} holds {text!r}, which has no UTC offset")
        return moment

    def freeze(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a frozen moment must be timezone-aware")
        self._redis.set(self._key, moment.isoformat())

    def unfreeze(self) -> None:
        self._redis.delete(self._key)
