"""How long the work in progress may still take, for every call made on its behalf.

A conversation turn must end inside its Lambda's timeout whatever the CRM, the model or WhatsApp do, so
the worker sets a deadline around each phase (``within``) and the adapters cap each request's timeout,
retry and back-off at the time left (``cap``), giving up once it is spent. The deadline belongs to the
current thread (a ``ContextVar``); where none is set (sync, reminders) calls keep their own timeouts.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("ai_admin_deadline", default=None)


@contextlib.contextmanager
def within(seconds: float, monotonic: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Calls in this block end ``seconds`` from now at the latest; a nested block only shortens it."""
    end = monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(end if current is None else min(current, end))
    try:
        yield
    finally:
        _deadline.reset(token)


def left(monotonic: Callable[[], float] = time.monotonic) -> float | None:
    """Seconds left (negative once passed), or None when no deadline is set."""
    end = _deadline.get()
    return None if end is None else end - monotonic()


def cap(seconds: float) -> float:
    """``seconds``, or the time left if that is shorter (never below zero)."""
    remaining = left()
    return seconds if remaining is None else max(0.0, min(seconds, remaining))
