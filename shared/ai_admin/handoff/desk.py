"""The hand-off's whole life: open it and tell the salon's administrators (once per open hand-off), keep
the bot quiet while a person has the client, and close it on an administrator's "готово".

Only a hand-off an administrator was actually told about silences the bot: when the salon lists no
administrator or every send failed, nobody is coming, so the bot goes on answering (and the next hand-off
of that conversation tries to tell them again). A hand-off older than the salon's ``pause_for`` expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ai_admin.conversation.ports import Clock, HandoffOutcome, HandoffRequest
from ai_admin.domain import handoff_texts as texts
from ai_admin.domain.errors import MessageRejected, MessengerUnavailable, OutsideServiceWindow
from ai_admin.domain.messages import (
    ButtonsReply,
    InboundTurn,
    OutboundMessage,
    Recipient,
    ReplyButton,
    TemplateReply,
    TextReply,
)
from ai_admin.domain.phones import mask, to_digits
from ai_admin.domain.reminder_rules import inside_service_window
from ai_admin.handoff.ports import Handoff, HandoffStore, Notice, SalonDesk, SalonDesks, TranscriptTail
from ai_admin.observability import logger
from ai_admin.whatsapp.send_replies import Messenger

EXPIRED_BY = "expired"


@dataclass(frozen=True)
class AlertTemplate:
    """The approved template of alerts outside an administrator's 24-hour window (see domain/handoff_texts.py)."""

    name: str = "admin_handoff"
    language: str = "ru"


@dataclass
class HandoffDesk:
    desks: SalonDesks
    store: HandoffStore
    transcripts: TranscriptTail
    messenger: Messenger
    clock: Clock
    template: AlertTemplate = AlertTemplate()
    recent_messages: int = 6

    # --- HandoffLog -----------------------------------------------------------------------------

    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        now = self.clock.now()
        desk = self.desks.desk(request.company_id)
        if desk is not None:
            self._live(desk, self.store.open_handoffs(request.company_id, request.conversation_id), now)
        handoff = self.store.open(request, now)
        if handoff.notice is Notice.NOTIFIED:
            return HandoffOutcome.ALREADY_NOTIFIED
        if desk is None or not desk.admins or not desk.phone_number_id:
            self.store.record_notice(handoff.handoff_id, Notice.NO_ADMIN, (), None, now)
            logger.warning("hand-off: the salon lists no administrator", extra={"handoff_id": handoff.handoff_id})
            return HandoffOutcome.NO_ADMIN
        alert = texts.Alert(
            handoff.handoff_id,
            handoff.client_name,
            handoff.client_phone,
            handoff.reason,
            tuple(self.transcripts.recent(handoff.conversation_id, self.recent_messages)),
            desk.pause_bot,
        )
        told: list[str] = []
        errors: list[str] = []
        for admin in desk.admins:
            try:
                self._alert(desk, admin, alert, now)
                told.append(admin)
            except (MessageRejected, MessengerUnavailable) as error:
                errors.append(f"{mask(admin)}: {error}")
        notice = Notice.NOTIFIED if told else Notice.FAILED
        self.store.record_notice(handoff.handoff_id, notice, told, "; ".join(errors)[:500] or None, now)
        logger.info(
            "hand-off",
            extra={"handoff_id": handoff.handoff_id, "notice": notice.value, "told": len(told), "failed": len(errors)},
        )
        return HandoffOutcome.NOTIFIED if told else HandoffOutcome.FAILED

    def _alert(self, desk: SalonDesk, admin: str, alert: texts.Alert, now: datetime) -> str:
        assert desk.phone_number_id is not None
        to = Recipient(to_digits(admin))
        if inside_service_window(self.transcripts.last_inbound_at(desk.company_id, admin), now):
            free = ButtonsReply(texts.alert_text(alert), (ReplyButton(alert.done_id, texts.DONE_TITLE),))
            try:
                return self.messenger.send(desk.phone_number_id, to, free)
            except OutsideServiceWindow:
                pass  # WhatsApp says the window closed: the template still goes out
        template = TemplateReply(
            self.template.name, self.template.language, texts.alert_params(alert), (alert.done_id,)
        )
        return self.messenger.send(desk.phone_number_id, to, template)

    # --- HumanDesk ------------------------------------------------------------------------------

    def intercept(self, turn: InboundTurn) -> list[OutboundMessage] | None:
        desk = self.desks.desk(turn.company_id)
        if desk is None:
            return None
        sender = turn.client.phone
        if sender is not None and sender in desk.admins:
            return self._admin_turn(desk, sender, turn)
        if not desk.pause_bot:
            return None
        now = self.clock.now()
        live = self._live(desk, self.store.open_handoffs(turn.company_id, turn.conversation_id), now)
        if any(h.notice is Notice.NOTIFIED for h in live):
            logger.info(
                "an administrator has this client: the bot stays quiet", extra={"handoff_id": live[0].handoff_id}
            )
            return []
        return None

    def _admin_turn(self, desk: SalonDesk, admin: str, turn: InboundTurn) -> list[OutboundMessage]:
        now = self.clock.now()
        live = self._live(desk, self.store.open_handoffs(desk.company_id), now)
        ask = texts.done_request(turn.text, [m.reply_id for m in turn.messages if m.reply_id])
        if ask is None:
            return [TextReply(texts.admin_help_text(len(live)))]
        if ask.handoff_id is not None:
            chosen = [h for h in live if h.handoff_id == ask.handoff_id]
            if not chosen:
                return [TextReply(texts.already_closed_text())]
        elif ask.phone_ending:
            chosen = [h for h in live if (h.client_phone or "").endswith(ask.phone_ending)]
        else:
            chosen = live
        if not chosen:
            return [TextReply(texts.nothing_open_text())]
        if len(chosen) > 1:
            return [TextReply(texts.which_one_text([(h.client_name, h.client_phone) for h in chosen]))]
        [handoff] = chosen
        self.store.close(handoff.handoff_id, admin, now)
        logger.info("hand-off closed by an administrator", extra={"handoff_id": handoff.handoff_id})
        return [TextReply(texts.closed_text(handoff.client_name, handoff.client_phone))]

    def _live(self, desk: SalonDesk, handoffs: list[Handoff], now: datetime) -> list[Handoff]:
        """``handoffs`` still open at ``now``; the expired ones are closed on the way."""
        live = []
        for handoff in handoffs:
            if now - handoff.opened_at >= desk.pause_for:
                self.store.close(handoff.handoff_id, EXPIRED_BY, handoff.opened_at + desk.pause_for)
            else:
                live.append(handoff)
        return live
