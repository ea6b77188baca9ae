"""Readers in order of preference (the configured LLM providers, then the offline parser), answering
within one budget.

Every reader but the last gets the budget less a reserve kept for the last one, so the offline reader
always has time. Readers only understand, they never act, so a reader that fails part-way leaves
nothing done behind it: the next one reads the same turn afresh. A reader that failed in a way that
will likely repeat (a timeout, a 429, a 5xx, a refused connection) is skipped for ``cooldown_s``, so a
provider outage costs one turn its timeout, not every turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from ai_admin.conversation.offline_reader import OfflineReader
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import Understanding
from ai_admin.observability import logger

MIN_TRY_S = 0.5  # a reader (other than the last) with less time than this is skipped


class ReaderUnavailable(Exception):
    """This reader could not understand the turn in time or sanely; the chain moves on.
    ``lasting``: the cause will likely repeat on the next turn (the circuit opens)."""

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


class Reader(Protocol):
    name: str

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        """``deadline`` is a ``time.monotonic()`` value the reader must answer before."""
        ...


class OfflineLink:
    """The offline reader as a link of the chain: it needs only the turn's words and what the bot asked."""

    name = "offline"

    def __init__(self, reader: OfflineReader | None = None) -> None:
        self.reader = reader or OfflineReader()

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        return self.reader.understand(ctx.reading())


class ReaderChain:
    def __init__(
        self,
        readers: Sequence[Reader],
        budget_s: float = 25.0,
        *,
        last_reserve_s: float = 2.0,
        cooldown_s: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not readers:
            raise ValueError("a reader chain needs at least one reader")
        self.readers = list(readers)
        self.name = self.readers[0].name
        self.budget_s = budget_s
        self.last_reserve_s = min(last_reserve_s, budget_s)
        self.cooldown_s = cooldown_s
        self._monotonic = monotonic
        self._open_until: dict[str, float] = {}

    def understand(self, ctx: TurnContext, deadline: float | None = None) -> Understanding:
        """Raises ``ReaderUnavailable`` only when the last reader failed too."""
        now = self._monotonic()
        end = now + self.budget_s if deadline is None else min(now + self.budget_s, deadline)
        failures: list[str] = []
        for index, reader in enumerate(self.readers):
            last = index == len(self.readers) - 1
            if not last and self._open_until.get(reader.name, 0.0) > self._monotonic():
                failures.append(f"{reader.name}: cooling down")
                continue
            reader_deadline = end if last else end - self.last_reserve_s
            if not last and reader_deadline - self._monotonic() < MIN_TRY_S:
                failures.append(f"{reader.name}: skipped, no time left")
                continue
            try:
                understood = reader.understand(ctx, reader_deadline)
            except ReaderUnavailable as error:
                if error.lasting and not last:
                    self._open_until[reader.name] = self._monotonic() + self.cooldown_s
                logger.warning(
                    "reader unavailable, failing over",
                    extra={"reader": reader.name, "reason": str(error), "cooldown": error.lasting},
                )
                failures.append(str(error))
                continue
            except Exception as error:
                if last:
                    raise
                # a bug in one provider's path must not cost the client the answer
                logger.exception("reader failed, failing over", extra={"reader": reader.name})
                failures.append(f"{reader.name}: {type(error).__name__}")
                continue
            self._open_until.pop(reader.name, None)
            if failures:
                logger.info("understood after failover", extra={"reader": reader.name, "failed": failures})
            return understood
        raise ReaderUnavailable("; ".join(failures))
