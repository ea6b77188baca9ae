"""What a client wrote in one turn and what we answer: the contract between the WhatsApp plumbing and
whatever decides the reply (the hand-off to the administrator today, the AI conversation later)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ai_admin.domain.phones import InvalidPhone, to_e164

# Kinds whose words are the client's request.
TEXTUAL_KINDS = frozenset({"text", "interactive", "button"})
# Kinds a human sent that we cannot read (media, places, cards, unknown types): we ask for text.
NEEDS_TEXT_KINDS = frozenset(
    {
        "image",
        "audio",
        "voice",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "unsupported",
        "order",
    }
)
# Kinds that never get an answer: reactions, system notices, edits and deletions.
SILENT_KINDS = frozenset({"reaction", "system", "edit", "revoke", "ephemeral"})


@dataclass(frozen=True)
class ClientRef:
    """Who wrote: ``key`` is the wa_id (the phone, digits) or, when WhatsApp withholds the phone
    (a username-only user), the business-scoped user id (BSUID)."""

    key: str
    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None

    @property
    def phone(self) -> str | None:
        if not self.wa_id:
            return None
        try:
            return to_e164(self.wa_id)
        except InvalidPhone:
            return None


@dataclass(frozen=True)
class InboundMessage:
    """One message as the turn needs it; ``text`` is the body, a caption, or the title of a tapped
    button or list row, and ``reply_id`` is that button's or row's id (or a template button payload)."""

    wamid: str
    kind: str
    timestamp: int
    text: str = ""
    reply_id: str | None = None
    context_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_textual(self) -> bool:
        return self.kind in TEXTUAL_KINDS or (self.kind in NEEDS_TEXT_KINDS and bool(self.text.strip()))


@dataclass(frozen=True)
class BufferedMessage:
    """A message waiting in the per-client buffer, with what the worker needs to answer it."""

    phone_number_id: str
    client: ClientRef
    message: InboundMessage

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BufferedMessage:
        return cls(
            phone_number_id=str(data["phone_number_id"]),
            client=ClientRef(**data["client"]),
            message=InboundMessage(**data["message"]),
        )


@dataclass(frozen=True)
class InboundTurn:
    """Everything one client wrote to one salon within the debounce window, oldest first."""

    company_id: int
    conversation_id: int
    client: ClientRef
    phone: str | None
    messages: tuple[InboundMessage, ...]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages if m.is_textual and m.text)

    @property
    def phone_verified(self) -> bool:
        """The phone is the sender's own WhatsApp number. A phone a username-only sender typed proves
        nothing: it may be anyone's, so it never opens that number's existing records."""
        return self.phone is not None and self.phone == self.client.phone


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt for one of our outbound messages (sent, delivered, read, played, failed)."""

    wamid: str
    status: str
    timestamp: int
    errors: tuple[dict[str, Any], ...] = ()


class InvalidOutboundMessage(ValueError):
    """An outbound message that breaks WhatsApp's documented limits."""


def _limit(value: str, most: int, what: str) -> None:
    if not value or len(value) > most:
        raise InvalidOutboundMessage(f"{what} must be 1-{most} characters, got {len(value)}")


@dataclass(frozen=True)
class TextReply:
    body: str
    reply_to: str | None = None

    def __post_init__(self) -> None:
        if not self.body.strip():
            raise InvalidOutboundMessage("text body is empty")

    @property
    def summary(self) -> str:
        return self.body


@dataclass(frozen=True)
class ReplyButton:
    id: str
    title: str

    def __post_init__(self) -> None:
        _limit(self.id, 256, "button id")
        _limit(self.title, 20, "button title")


@dataclass(frozen=True)
class ButtonsReply:
    body: str
    buttons: tuple[ReplyButton, ...]
    header: str | None = None
    footer: str | None = None

    def __post_init__(self) -> None:
        _limit(self.body, 1024, "button message body")
        if not 1 <= len(self.buttons) <= 3:
            raise InvalidOutboundMessage(f"1-3 reply buttons allowed, got {len(self.buttons)}")
        if len({b.title for b in self.buttons}) != len(self.buttons):
            raise InvalidOutboundMessage("button titles must be unique")

    @property
    def summary(self) -> str:
        return self.body + "".join(f"\n[{b.title}]" for b in self.buttons)


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    description: str = ""

    def __post_init__(self) -> None:
        _limit(self.id, 200, "list row id")
        _limit(self.title, 24, "list row title")
        if len(self.description) > 72:
            raise InvalidOutboundMessage("list row description must be at most 72 characters")


@dataclass(frozen=True)
class ListSection:
    title: str
    rows: tuple[ListRow, ...]


@dataclass(frozen=True)
class ListReply:
    body: str
    button: str
    sections: tuple[ListSection, ...]

    def __post_init__(self) -> None:
        _limit(self.body, 4096, "list body")
        _limit(self.button, 20, "list button")
        rows = sum(len(s.rows) for s in self.sections)
        if not 1 <= len(self.sections) <= 10 or not 1 <= rows <= 10:
            raise InvalidOutboundMessage(f"a list holds 1-10 sections and 1-10 rows, got {rows} rows")
        if len(self.sections) > 1 and not all(s.title for s in self.sections):
            raise InvalidOutboundMessage("every section needs a title when there are several")

    @property
    def summary(self) -> str:
        return self.body + "".join(f"\n- {r.title}" for s in self.sections for r in s.rows)


@dataclass(frozen=True)
class TemplateReply:
    """An approved template: the only kind WhatsApp delivers outside the 24-hour service window."""

    name: str
    language: str = "ru"
    body_params: tuple[str, ...] = ()
    quick_reply_payloads: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return f"template {self.name}" + (f": {', '.join(self.body_params)}" if self.body_params else "")


OutboundMessage = TextReply | ButtonsReply | ListReply | TemplateReply


@dataclass(frozen=True)
class Recipient:
    """Where a reply goes: the wa_id when we have it, else the BSUID."""

    wa_id: str | None
    user_id: str | None = None

    @classmethod
    def of(cls, client: ClientRef) -> Recipient:
        return cls(client.wa_id, None if client.wa_id else client.user_id)


def outbound_to_dict(message: OutboundMessage) -> dict[str, Any]:
    """A reply as JSON-ready data (a turn's decided replies are stored before they are sent)."""
    return {"type": type(message).__name__, **asdict(message)}


def outbound_from_dict(data: dict[str, Any]) -> OutboundMessage:
    fields = {k: v for k, v in data.items() if k != "type"}
    kind = data.get("type")
    if kind == "TextReply":
        return TextReply(**fields)
    if kind == "ButtonsReply":
        return ButtonsReply(**{**fields, "buttons": tuple(ReplyButton(**b) for b in fields["buttons"])})
    if kind == "ListReply":
        sections = tuple(ListSection(s["title"], tuple(ListRow(**r) for r in s["rows"])) for s in fields["sections"])
        return ListReply(**{**fields, "sections": sections})
    if kind == "TemplateReply":
        return TemplateReply(
            **{
                **fields,
                "body_params": tuple(fields.get("body_params", ())),
                "quick_reply_payloads": tuple(fields.get("quick_reply_payloads", ())),
            }
        )
    raise ValueError(f"not a stored reply: {kind!r}")
