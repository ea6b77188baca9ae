"""The documented shape of a WhatsApp Cloud API webhook body, and what we take out of it.

One POST may carry several entries, each with several changes, each with several messages and statuses;
nothing assumes ``[0]``. Unknown fields are kept (``extra="allow"``) so a new Meta field never breaks us.

A signed body is Meta's, and Meta re-sends anything we refuse for days, so nothing here raises: what
cannot be read (a body that is not JSON or nests deeper than any webhook does, a change, a message or a
status that breaks the documented shape, a message naming no sender) comes back as ``Rejected`` for the
caller to dead-letter, and the rest is read. NUL characters, which PostgreSQL refuses in text and jsonb,
are removed from every string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ai_admin.domain.messages import BufferedMessage, ClientRef, InboundMessage, StatusUpdate


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


M = TypeVar("M", bound=_Model)


class Profile(_Model):
    name: str | None = None
    username: str | None = None


class Contact(_Model):
    wa_id: str | None = None
    user_id: str | None = None
    profile: Profile | None = None


class Metadata(_Model):
    display_phone_number: str = ""
    phone_number_id: str


class TextBody(_Model):
    body: str = ""


class Media(_Model):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None
    voice: bool = False
    animated: bool = False


class Location(_Model):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class Reaction(_Model):
    message_id: str | None = None
    emoji: str | None = None


class ChoiceReply(_Model):
    id: str
    title: str = ""
    description: str | None = None


class Interactive(_Model):
    type: str
    button_reply: ChoiceReply | None = None
    list_reply: ChoiceReply | None = None


class TemplateButton(_Model):
    payload: str | None = None
    text: str = ""


class Context(_Model):
    sender: str | None = Field(default=None, alias="from")
    id: str | None = None


class ErrorDetail(_Model):
    code: int
    title: str = ""
    message: str = ""
    error_data: dict[str, Any] | None = None


# Unix seconds up to the year 2200: PostgreSQL's to_timestamp refuses absurd values.
_TIMESTAMP = Field(ge=0, lt=7_258_118_400)
# Meta's payloads nest about eight levels; anything far deeper is not a webhook (and would exhaust
# recursion in the JSON encoder, pydantic or PostgreSQL further on).
MAX_DEPTH = 32


class Message(_Model):
    id: str = Field(min_length=1)
    timestamp: int = _TIMESTAMP
    type: str
    sender: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    context: Context | None = None
    text: TextBody | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    reaction: Reaction | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None
    contacts: list[dict[str, Any]] | None = None
    errors: list[ErrorDetail] = []


class Status(_Model):
    id: str
    status: str
    timestamp: int = _TIMESTAMP
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    errors: list[ErrorDetail] = []


class MessagesValue(_Model):
    messaging_product: str = "whatsapp"
    metadata: Metadata
    contacts: list[Contact] = []
    messages: list[Any] = []  # each read on its own: one bad message must not cost the others
    statuses: list[Any] = []
    errors: list[Any] = []


class Change(_Model):
    field: str
    value: dict[str, Any] = {}


class Entry(_Model):
    id: str
    changes: list[Change] = []


class WebhookPayload(_Model):
    object: Literal["whatsapp_business_account"]
    entry: list[Entry]

    @field_validator("entry")
    @classmethod
    def _not_empty(cls, value: list[Entry]) -> list[Entry]:
        if not value:
            raise ValueError("entry is empty")
        return value


@dataclass(frozen=True)
class Rejected:
    """A part of a delivery that cannot be read: ``fragment`` is that part (the body's text when the
    whole body is unreadable)."""

    reason: str
    fragment: Any


@dataclass(frozen=True)
class Delivery:
    """What one webhook POST holds, grouped for routing."""

    messages: tuple[BufferedMessage, ...]
    statuses: tuple[tuple[str, StatusUpdate], ...]  # (phone_number_id, update)
    rejected: tuple[Rejected, ...] = ()


def parse(body: bytes) -> Delivery:
    """Validate and flatten a webhook body, keeping whatever can be read (see the module docstring)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        reason = "nested too deep" if isinstance(error, RecursionError) else f"not JSON: {error}"
        return _unreadable(body, f"body is {reason}")
    if _depth(data) > MAX_DEPTH:
        return _unreadable(body, f"body nests deeper than {MAX_DEPTH} levels")
    data = _without_nul(data)
    try:
        payload = WebhookPayload.model_validate(data)
    except ValidationError as error:
        return Delivery((), (), (Rejected(f"not a WhatsApp webhook: {_why(error)}", data),))
    messages: list[BufferedMessage] = []
    statuses: list[tuple[str, StatusUpdate]] = []
    rejected: list[Rejected] = []
    for change in (c for entry in payload.entry for c in entry.changes if c.field == "messages"):
        try:
            value = MessagesValue.model_validate(change.value)
        except ValidationError as error:
            rejected.append(Rejected(f"change: {_why(error)}", change.value))
            continue
        phone_number_id = value.metadata.phone_number_id
        for raw, message in _each(Message, "message", value.messages, rejected):
            client = _client(message, value.contacts)
            if client is None:
                rejected.append(Rejected("message: no wa_id or user_id names the sender", raw))
                continue
            messages.append(BufferedMessage(phone_number_id, client, to_inbound(message)))
        for _, status in _each(Status, "status", value.statuses, rejected):
            errors = tuple(e.model_dump(exclude_none=True) for e in status.errors)
            statuses.append((phone_number_id, StatusUpdate(status.id, status.status, status.timestamp, errors)))
    return Delivery(tuple(messages), tuple(statuses), tuple(rejected))


def _each(model: type[M], kind: str, items: list[Any], rejected: list[Rejected]) -> Iterator[tuple[Any, M]]:
    """Each item that validates, with its raw form; the others go to ``rejected``."""
    for raw in items:
        try:
            yield raw, model.model_validate(raw)
        except ValidationError as error:
            rejected.append(Rejected(f"{kind}: {_why(error)}", raw))


def _unreadable(body: bytes, reason: str) -> Delivery:
    return Delivery((), (), (Rejected(reason, body.decode("utf-8", "replace").replace("\x00", "")),))


def _why(error: ValidationError) -> str:
    """Where and what, never the input (it may quote a client's words)."""
    first = error.errors(include_input=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


def _depth(data: Any) -> int:
    """How deep containers nest, counted without recursion; stops once past ``MAX_DEPTH``."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and lone surrogates (not UTF-8)


def _without_nul(data: Any) -> Any:
    if isinstance(data, str):
        return _UNSTORABLE.sub("", data)
    if isinstance(data, dict):
        return {_without_nul(k): _without_nul(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_nul(v) for v in data]
    return data


def _client(message: Message, contacts: list[Contact]) -> ClientRef | None:
    contact = next(
        (
            c
            for c in contacts
            if (message.sender and c.wa_id == message.sender)
            or (message.from_user_id and c.user_id == message.from_user_id)
        ),
        contacts[0] if len(contacts) == 1 else None,
    )
    wa_id = message.sender or (contact.wa_id if contact else None)
    user_id = message.from_user_id or (contact.user_id if contact else None)
    key = wa_id or user_id
    if not key:
        return None
    name = contact.profile.name if contact and contact.profile else None
    return ClientRef(key=key, wa_id=wa_id, user_id=user_id, name=name)


def to_inbound(message: Message) -> InboundMessage:
    kind, text, reply_id = message.type, "", None
    if message.text is not None:
        text = message.text.body
    elif message.interactive is not None:
        choice = message.interactive.button_reply or message.interactive.list_reply
        if choice is not None:
            text, reply_id = choice.title, choice.id
    elif message.button is not None:
        text, reply_id = message.button.text, message.button.payload
    elif message.audio is not None and message.audio.voice:
        kind = "voice"
    else:
        media = message.image or message.video or message.document or message.sticker
        if media is not None and media.caption:
            text = media.caption
    if message.type == "reaction" and message.reaction is not None:
        reply_id = message.reaction.message_id
    raw = message.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw.pop("from", None)  # the phone lives on the conversation, not in every transcript line
    return InboundMessage(
        wamid=message.id,
        kind=kind,
        timestamp=message.timestamp,
        text=text,
        reply_id=reply_id,
        context_id=message.context.id if message.context else None,
        raw=raw,
    )
