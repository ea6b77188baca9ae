"""What the bot sent a client during a step, read from the fake WhatsApp Graph API's request bodies:
texts, reply buttons and list rows (id and title), template names and parameters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    via: str  # interactive (a reply button), list (a list row) or template (a quick reply)


@dataclass(frozen=True)
class BotMessage:
    wamid: str
    kind: str  # text, interactive, template
    text: str  # the body; for a template its name and body parameters
    choices: tuple[Choice, ...] = ()

    @property
    def readable(self) -> str:
        """Everything the client reads, for ``contains`` checks and the guards."""
        return "\n".join([self.text, *(c.title for c in self.choices if c.title)])


@dataclass(frozen=True)
class Reply:
    messages: tuple[BotMessage, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(m.readable for m in self.messages)

    @property
    def choice_ids(self) -> list[str]:
        return [c.id for m in self.messages for c in m.choices]

    @property
    def choice_titles(self) -> list[str]:
        return [c.title for m in self.messages for c in m.choices if c.title]

    def __bool__(self) -> bool:
        return bool(self.messages)


def bot_message(wamid: str, body: dict[str, Any]) -> BotMessage:
    kind = str(body.get("type", "text"))
    if kind == "text":
        return BotMessage(wamid, kind, str((body.get("text") or {}).get("body", "")))
    if kind == "interactive":
        interactive = body.get("interactive") or {}
        action = interactive.get("action") or {}
        parts = [(interactive.get("header") or {}).get("text"), (interactive.get("body") or {}).get("text")]
        parts.append((interactive.get("footer") or {}).get("text"))
        choices = [
            Choice(str(b["reply"]["id"]), str(b["reply"].get("title", "")), "interactive")
            for b in action.get("buttons") or []
        ]
        choices += [
            Choice(str(row["id"]), str(row.get("title", "")), "list")
            for section in action.get("sections") or []
            for row in section.get("rows") or []
        ]
        return BotMessage(wamid, kind, "\n".join(p for p in parts if p), tuple(choices))
    template = body.get("template") or {}
    params: list[str] = []
    choices = []
    for component in template.get("components") or []:
        values = component.get("parameters") or []
        if component.get("type") == "button":
            choices += [Choice(str(v.get("payload", "")), "", "template") for v in values if v.get("payload")]
        else:
            params += [str(v.get("text", "")) for v in values if v.get("type") == "text"]
    text = " ".join([f"[template {template.get('name', '?')}]", *params])
    return BotMessage(wamid, "template", text, tuple(choices))


def reply_of(sent: Iterable[tuple[str, dict[str, Any]]]) -> Reply:
    """From (wamid, request body) pairs, oldest first."""
    return Reply(tuple(bot_message(wamid, body) for wamid, body in sent))
