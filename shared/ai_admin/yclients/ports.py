"""Roles the YClients client depends on."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    """Admits one request to the API; blocks until the shared budget allows it."""

    def acquire(self) -> None: ...
