"""The per-client message buffer in Redis, shared by the webhook (writes) and the worker (reads).

Keys per salon and client, all under the hash tag ``wa:{<company>:<client>}``: ``:buf`` (messages waiting
for a turn), ``:last`` (when the last message arrived) and ``:seen:<wamid>`` (message ids already
accepted). One client's keys share one hash slot, so the multi-key scripts below also run on a clustered
Redis (ElastiCache Serverless runs in cluster mode and refuses a script whose keys span slots).

Redis is only the debounce buffer, never the one copy of a message: every accepted message also travels
in its SQS record (the worker admits it again when Redis lost it), and which turn took which message is
recorded in PostgreSQL (``adapters/postgres_turn_journal.py``), so a lost or restarted Redis loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import redis

from ai_admin.domain.errors import StorageUnavailable

# Removes the given lines (one copy each) once a turn has recorded them; lines buffered meanwhile stay.
_FORGET = """
for i = 1, #ARGV do
  redis.call('LREM', KEYS[1], 1, ARGV[i])
end
return redis.call('LLEN', KEYS[1])
"""

# Claims a message id and buffers the message in one round trip; a duplicate buffers nothing.
_ADMIT = """
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[3])
return 1
"""


def _tag(company_id: int, client_key: str) -> str:
    return f"wa:{{{company_id}:{client_key}}}"


def _seen(company_id: int, client_key: str, wamid: str) -> str:
    return f"{_tag(company_id, client_key)}:seen:{wamid}"


class RedisInbox:
    def __init__(
        self,
        client: redis.Redis,
        dedup_ttl_s: int,
        buffer_ttl_s: int = 24 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._dedup_ttl_s = dedup_ttl_s
        self._buffer_ttl_s = buffer_ttl_s
        self._clock = clock
        self._forget = client.register_script(_FORGET)
        self._admit = client.register_script(_ADMIT)

    @staticmethod
    def _keys(company_id: int, client_key: str) -> tuple[str, str]:
        tag = _tag(company_id, client_key)
        return f"{tag}:buf", f"{tag}:last"

    def _call(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except (redis.RedisError, OSError) as error:
            raise StorageUnavailable(f"Redis unreachable: {type(error).__name__}") from error

    def admit(self, wamid: str, company_id: int, client_key: str, item: str) -> bool:
        buffer, last = self._keys(company_id, client_key)
        keys = [_seen(company_id, client_key, wamid), buffer, last]
        args: list[str | int] = [self._dedup_ttl_s, item, self._buffer_ttl_s, repr(self._clock())]
        return bool(self._call(lambda: self._admit(keys=keys, args=args)))

    def release(self, wamid: str, company_id: int, client_key: str) -> None:
        self._call(lambda: self._redis.delete(_seen(company_id, client_key, wamid)))

    def pending_since(self, company_id: int, client_key: str) -> float | None:
        buffer, last = self._keys(company_id, client_key)

        def read() -> list[Any]:
            pipe = self._redis.pipeline(transaction=False)
            pipe.exists(buffer)
            pipe.get(last)
            return list(pipe.execute())

        count, at = self._call(read)
        if not count:
            return None
        return float(at) if at is not None else 0.0

    def waiting(self, company_id: int, client_key: str) -> list[str]:
        buffer, _ = self._keys(company_id, client_key)
        items = self._call(lambda: self._redis.lrange(buffer, 0, -1))
        return [i.decode() if isinstance(i, bytes) else str(i) for i in items]

    def forget(self, company_id: int, client_key: str, items: Sequence[str]) -> None:
        if items:
            buffer, _ = self._keys(company_id, client_key)
            self._call(lambda: self._forget(keys=[buffer], args=list(items)))
