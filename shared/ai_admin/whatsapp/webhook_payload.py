"""The documented shape of a WhatsApp Cloud API webhook body, and what we take out of it.

One POST may carry several entries, each with several changes, each with several messages and statuses;
nothing assumes ``[0]``. Unknown fields are kept (``extra="allow"``) so a new Meta field never breaks us.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ai_admin.domain.errors import MalformedPayload
from ai_admin.domain.messages import BufferedMessage, ClientRef, InboundMessage, StatusUpdate


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


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


class Message(_Model):
    id: str
    timestamp: int
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
    timestamp: int
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    errors: list[ErrorDetail] = []


class MessagesValue(_Model):
    messaging_product: str = "whatsapp"
    metadata: Metadata
    contacts: list[Contact] = []
    messages: list[Message] = []
    statuses: list[Status] = []
    errors: list[ErrorDetail] = []


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
class Delivery:
    """What one webhook POST holds, grouped for routing."""

    messages: tuple[BufferedMessage, ...]
    statuses: tuple[tuple[str, StatusUpdate], ...]  # (phone_number_id, update)
    skipped: int  # messages with no way to identify the client


def parse(body: bytes) -> Delivery:
    """Validate and flatten a webhook body; raises MalformedPayload with a short reason."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedPayload(f"body is not JSON: {error}") from None
    try:
        payload = WebhookPayload.model_validate(data)
        values = [
            MessagesValue.model_validate(change.value)
            for entry in payload.entry
            for change in entry.changes
            if change.field == "messages"
        ]
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MalformedPayload(f"not a WhatsApp webhook: {where}: {first['msg']}") from None
    messages: list[BufferedMessage] = []
    statuses: list[tuple[str, StatusUpdate]] = []
    skipped = 0
    for value in values:
        phone_number_id = value.metadata.phone_number_id
        for message in value.messages:
            client = _client(message, value.contacts)
            if client is None:
                skipped += 1
                continue
            messages.append(BufferedMessage(phone_number_id, client, to_inbound(message)))
        for status in value.statuses:
            errors = tuple(e.model_dump(exclude_none=True) for e in status.errors)
            statuses.append((phone_number_id, StatusUpdate(status.id, status.status, status.timestamp, errors)))
    return Delivery(tuple(messages), tuple(statuses), skipped)


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
