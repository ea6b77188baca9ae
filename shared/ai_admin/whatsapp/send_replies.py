"""Sends a turn's replies in order: long texts in parts, and outside the 24-hour customer-service
window (131047) the approved fallback template instead, once, since nothing free-form can follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ai_admin.domain.errors import MessageRejected, OutsideServiceWindow
from ai_admin.domain.messages import OutboundMessage, Recipient, TemplateReply, TextReply
from ai_admin.observability import logger
from ai_admin.whatsapp.split_text import MAX_TEXT, split_text


class Messenger(Protocol):
    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        """The wamid WhatsApp assigned; raises MessageRejected / MessengerUnavailable."""
        ...


@dataclass(frozen=True)
class SentReply:
    message: OutboundMessage
    wamid: str | None
    error: dict[str, Any] | None = None


def expand(replies: Sequence[OutboundMessage]) -> list[OutboundMessage]:
    parts: list[OutboundMessage] = []
    for reply in replies:
        if isinstance(reply, TextReply) and len(reply.body) > MAX_TEXT:
            chunks = split_text(reply.body, MAX_TEXT)
            parts += [TextReply(c, reply.reply_to if i == 0 else None) for i, c in enumerate(chunks)]
        else:
            parts.append(reply)
    return parts


def send_replies(
    messenger: Messenger,
    phone_number_id: str,
    to: Recipient,
    replies: Sequence[OutboundMessage],
    fallback: TemplateReply,
) -> list[SentReply]:
    sent: list[SentReply] = []
    for reply in expand(replies):
        try:
            sent.append(SentReply(reply, messenger.send(phone_number_id, to, reply)))
        except OutsideServiceWindow as error:
            sent.append(SentReply(reply, None, {"code": error.code, "detail": error.detail}))
            if isinstance(reply, TemplateReply):
                continue
            logger.info("outside the service window, sending the fallback template")
            try:
                sent.append(SentReply(fallback, messenger.send(phone_number_id, to, fallback)))
            except MessageRejected as fallback_error:
                sent.append(SentReply(fallback, None, {"code": fallback_error.code, "detail": fallback_error.detail}))
            break
        except MessageRejected as error:
            logger.warning("WhatsApp rejected a reply", extra={"code": error.code})
            sent.append(SentReply(reply, None, {"code": error.code, "detail": error.detail}))
    return sent
