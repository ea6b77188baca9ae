"""The seam between deciding what to say (an LLM or the offline brain) and the code that acts.

A brain reads the turn and may call tools through the ``Toolbox``; the toolbox validates arguments,
resolves dates and names, enforces every guard (own records only, confirmation before cancel/move,
read-after-write) and returns both data and a ready Russian sentence. The responder then applies the
reply guards (greet once, no repeats) to whatever the brain wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ai_admin.conversation.model import Catalogue, ClientProfile, DialogState
from ai_admin.domain.messages import ReplyButton


@dataclass(frozen=True)
class TurnContext:
    company_id: int
    phone: str
    text: str  # the client's messages of this turn, joined with newlines
    now: datetime  # aware, salon time zone
    catalogue: Catalogue
    profile: ClientProfile | None
    state: DialogState  # mutable: tools and brains update it; the responder saves it
    button_ids: tuple[str, ...] = ()  # reply buttons the client tapped this turn
    phone_verified: bool = False  # ``phone`` is the sender's WhatsApp number, not one they typed


@dataclass
class ToolResult:
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    say: str = ""  # what the bot would tell the client, in Russian, already correct
    buttons: list[ReplyButton] = field(default_factory=list)
    final: bool = False  # ``say`` answers the client completely; an LLM need not reword it

    def for_model(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.data, "say": self.say}


class Toolbox(Protocol):
    calls: int

    def run(self, name: str, args: dict[str, Any]) -> ToolResult:
        """Validates ``args`` against ``tool_args.TOOLS[name]``; an invalid call returns ok=False with
        the validation error in ``data['error']`` (never raises for bad model output)."""
        ...


@dataclass
class BrainReply:
    text: str
    buttons: list[ReplyButton] = field(default_factory=list)
    llm_calls: int = 0
    prompt_tokens: int = 0
    brain: str = ""


class BrainUnavailable(Exception):
    """This brain could not answer in time or sanely; the chain moves to the next one."""


class Brain(Protocol):
    name: str

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float) -> BrainReply:
        """``deadline`` is a ``time.monotonic()`` value the brain must answer before."""
        ...
