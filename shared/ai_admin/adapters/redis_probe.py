from __future__ import annotations

import redis

from ai_admin.domain.errors import StorageUnavailable


class RedisProbe:
    name = "redis"

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def check(self) -> str:
        try:
            self._client.ping()
        except (redis.RedisError, OSError) as error:
            raise StorageUnavailable(f"Redis unreachable: {type(error).__name__}") from None
        return "pong"
