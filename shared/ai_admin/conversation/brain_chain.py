"""Brains in order of preference (primary LLM, secondary LLM, the offline brain), answering within
one budget.

Every brain but the last gets the budget less a reserve kept for the last one, so the offline brain
always has time to answer. All brains share the turn's ``Toolbox`` and dialog state: when a provider
fails after a tool acted (a booking made), the next brain finds it in the state and the toolbox
(idempotent per turn) does not act twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ai_admin.conversation.brain import Brain, BrainReply, BrainUnavailable, Toolbox, TurnContext
from ai_admin.observability import logger

MIN_TRY_S = 0.5  # a brain (other than the last) with less time than this is skipped


class BrainChain:
    name = "chain"

    def __init__(
        self,
        brains: Sequence[Brain],
        budget_s: float = 25.0,
        *,
        last_reserve_s: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not brains:
            raise ValueError("a brain chain needs at least one brain")
        self.brains = list(brains)
        self.budget_s = budget_s
        self.last_reserve_s = min(last_reserve_s, budget_s)
        self._monotonic = monotonic

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float | None = None) -> BrainReply:
        """Answers before ``deadline`` (a ``time.monotonic()`` value) and within the budget from now;
        raises ``BrainUnavailable`` only when the last brain failed too."""
        end = self._monotonic() + self.budget_s
        if deadline is not None:
            end = min(end, deadline)
        failures: list[str] = []
        for index, brain in enumerate(self.brains):
            last = index == len(self.brains) - 1
            brain_deadline = end if last else end - self.last_reserve_s
            if not last and brain_deadline - self._monotonic() < MIN_TRY_S:
                failures.append(f"{brain.name}: skipped, no time left")
                continue
            try:
                answer = brain.reply(ctx, tools, brain_deadline)
            except BrainUnavailable as error:
                logger.warning(
                    "brain unavailable, failing over",
                    extra={"brain": brain.name, "reason": str(error), "company_id": ctx.company_id},
                )
                failures.append(str(error))
                continue
            except Exception as error:
                if last:
                    raise
                # a bug in one provider's path must not cost the client the answer
                logger.exception("brain failed, failing over", extra={"brain": brain.name})
                failures.append(f"{brain.name}: {type(error).__name__}")
                continue
            if failures:
                logger.info("answered after failover", extra={"brain": brain.name, "failed": failures})
            return answer
        raise BrainUnavailable("; ".join(failures))
