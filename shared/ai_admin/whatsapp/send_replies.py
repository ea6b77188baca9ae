"""Sends a turn's replies in order: long texts in parts, and outside the 24-hour customer-service
window (131047) the approved fallback template instead, once, since nothing free-form can follow.

Each part is claimed before it is sent (``SendClaims``), so a turn run again after a crash or a timeout
sends only what it had not handed to WhatsApp yet; a part WhatsApp did not take is released for the retry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ai_admin.domain.errors import MessageRejected, MessengerUnavailable, OutsideServiceWindow
from ai_admin.domain.messages import OutboundMessage, Recipient, TemplateReply, TextReply
from ai_admin.observability import logger
from ai_admin.whatsapp.split_text import MAX_TEXT, split_text


class Messenger(Protocol):
    def send(self, phone_number_id: str, to: Recipient, message: OutboundMessage) -> str:
        """The wamid WhatsApp assigned; raises MessageRejected / MessengerUnavailable."""
        ...


class SendClaims(Protocol):
    def claim(self, index: int) -> bool:
        """True once per part ``index``: send it now (False: an earlier attempt already did)."""
        ...

    def release(self, index: int) -> None: ...


class _Unclaimed:
    def claim(self, index: int) -> bool:
        return True

    def release(self, index: int) -> None:
        return None


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
    *,
    claims: SendClaims | None = None,
) -> list[SentReply]:
    """The parts sent now (not those an earlier attempt sent); the fallback template is part
    ``len(parts)``. Raises MessengerUnavailable after releasing the part WhatsApp did not take."""
    claims = claims or _Unclaimed()
    parts = expand(replies)

    def send(reply: OutboundMessage, index: int) -> str:
        try:
            return messenger.send(phone_number_id, to, reply)
        except MessengerUnavailable:
            claims.release(index)
            raise

    sent: list[SentReply] = []
    for index, reply in enumerate(parts):
        if not claims.claim(index):
            continue
        try:
            sent.append(SentReply(reply, send(reply, index)))
        except OutsideServiceWindow as error:
            sent.append(SentReply(reply, None, {"code": error.code, "detail": error.detail}))
            if isinstance(reply, TemplateReply):
                continue
            if claims.claim(len(parts)):
                logger.info("outside the service window, sending the fallback template")
                try:
                    sent.append(SentReply(fallback, send(fallback, len(parts))))
                except MessageRejected as fallback_error:
                    sent.append(
                        SentReply(fallback, None, {"code": fallback_error.code, "detail": fallback_error.detail})
                    )
            break
        except MessageRejected as error:
            logger.warning("WhatsApp rejected a reply", extra={"code": error.code})
            sent.append(SentReply(reply, None, {"code": error.code, "detail": error.detail}))
    return sent
