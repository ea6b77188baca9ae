"""LLM calls and prompt tokens spent on answering turns, counted in one Redis hash.

The conversation worker adds each turn's ``BrainReply.llm_calls`` / ``prompt_tokens``; ``ai-admin eval``
resets the hash before a scenario and reads it after every step for the scorecard's per-turn figures.
A meter that cannot write never fails a turn.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from ai_admin.observability import logger

LLM_METER_KEY = "ai-admin:eval:llm"


@dataclass(frozen=True)
class LlmUsage:
    turns: int = 0
    calls: int = 0
    prompt_tokens: int = 0

    def __sub__(self, other: LlmUsage) -> LlmUsage:
        return LlmUsage(self.turns - other.turns, self.calls - other.calls, self.prompt_tokens - other.prompt_tokens)


class RedisLlmMeter:
    def __init__(self, client: redis.Redis, key: str = LLM_METER_KEY) -> None:
        self._redis = client
        self._key = key

    def add(self, calls: int, prompt_tokens: int) -> None:
        try:
            pipe = self._redis.pipeline(transaction=True)
            pipe.hincrby(self._key, "turns", 1)
            pipe.hincrby(self._key, "calls", calls)
            pipe.hincrby(self._key, "prompt_tokens", prompt_tokens)
            pipe.execute()
        except (redis.RedisError, OSError) as error:
            logger.warning("LLM meter not updated", extra={"error": type(error).__name__})

    def read(self) -> LlmUsage | None:
        """None when nothing was ever counted (the worker does not meter)."""
        values = self._redis.hgetall(self._key)
        if not values:
            return None
        found = {k.decode() if isinstance(k, bytes) else str(k): int(v) for k, v in values.items()}
        return LlmUsage(found.get("turns", 0), found.get("calls", 0), found.get("prompt_tokens", 0))

    def reset(self) -> None:
        self._redis.delete(self._key)
