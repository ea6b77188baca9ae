"""Which salon a WhatsApp business number belongs to, cached in the process so a warm webhook does
not ask PostgreSQL on every delivery."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ai_admin.adapters.postgres_session import PostgresSession


class PostgresSalonDirectory:
    def __init__(self, db: PostgresSession, ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, int | None]] = {}
        self._lock = threading.Lock()

    def company_for(self, phone_number_id: str) -> int | None:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(phone_number_id)
        if hit is not None and now - hit[0] < self._ttl_s:
            return hit[1]
        rows = self._db.run(
            "SELECT company_id FROM companies WHERE whatsapp_phone_number_id = :id AND active",
            id=phone_number_id,
        )
        company_id = int(rows[0][0]) if rows else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[phone_number_id] = (now, company_id)
        return company_id
