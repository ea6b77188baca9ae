"""Composition of the conversation worker, built once per cold start on first use."""

from __future__ import annotations

import functools

from ai_admin.adapters.httpx_whatsapp_messenger import WhatsAppCloudMessenger
from ai_admin.adapters.postgres_bot_changes import PostgresBotChanges
from ai_admin.adapters.postgres_catalogue import PostgresCatalogue
from ai_admin.adapters.postgres_client_profiles import PostgresClientProfiles
from ai_admin.adapters.postgres_conversations import PostgresConversations
from ai_admin.adapters.postgres_handoffs import PostgresHandoffs
from ai_admin.adapters.postgres_notification_ledger import PostgresNotificationLedger
from ai_admin.adapters.postgres_opt_outs import PostgresOptOuts
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.adapters.postgres_turn_journal import PostgresTurnJournal
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.adapters.redis_context_store import RedisContextStore
from ai_admin.adapters.redis_inbox import RedisInbox
from ai_admin.adapters.redis_llm_meter import RedisLlmMeter
from ai_admin.adapters.yclients_booking_desk import YClientsBookingDesk
from ai_admin.bootstrap.clock import clock
from ai_admin.bootstrap.llm import build_readers
from ai_admin.bootstrap.yclients import yclients_client
from ai_admin.conversation.ai_responder import AiResponder
from ai_admin.conversation.answer_turn import TurnAnswerer
from ai_admin.conversation.offline_reader import OfflineReader
from ai_admin.conversation.reader import OfflineLink, Reader, ReaderChain
from ai_admin.domain.messages import TemplateReply
from ai_admin.handoff.desk import AlertTemplate, HandoffDesk
from ai_admin.observability import logger
from ai_admin.settings import (
    AppSettings,
    LlmSettings,
    PostgresSettings,
    RedisSettings,
    SettingsError,
    WhatsAppSettings,
    load,
)


def reader() -> Reader:
    """The configured LLM providers in order, then the offline reader; the offline reader alone when no
    provider is configured (the local default: no keys needed). ``AI_ADMIN_BRAIN=llm`` (the template's)
    makes a missing provider a setting error instead, so a deployment never answers offline unnoticed.
    Logs once which readers read."""
    config, mode = load(LlmSettings), load(AppSettings).brain
    offline = OfflineReader()
    llms: list[Reader] = []
    if mode != "offline":
        incomplete = config.incomplete()
        llms = build_readers(config, offline)
        if mode == "llm" and not llms:
            reason = "; ".join(incomplete) or "LLM_PRIMARY_BASE_URL and LLM_PRIMARY_API_KEY are not set"
            raise SettingsError(f"setting error: AI_ADMIN_BRAIN=llm needs an LLM provider: {reason}")
        if incomplete:
            logger.warning("an LLM provider is half configured and unused", extra={"problems": incomplete})
    models = {p.name: p.model for p in config.providers()}
    names = [*(f"{r.name} ({models.get(r.name, '?')})" for r in llms), "offline"]
    logger.info("conversation readers", extra={"readers": names, "mode": mode})
    return ReaderChain(
        [*llms, OfflineLink(offline)],
        config.turn_budget_s,
        last_reserve_s=config.offline_reserve_s,
        cooldown_s=config.cooldown_s,
    )


@functools.cache
def handoffs() -> HandoffDesk:
    db = PostgresSession(load(PostgresSettings))
    config = load(WhatsAppSettings)
    store = PostgresHandoffs(db)
    return HandoffDesk(
        desks=store,
        store=store,
        transcripts=PostgresConversations(db),
        messenger=WhatsAppCloudMessenger(config),
        clock=clock(),
        template=AlertTemplate(config.handoff_template, config.template_language),
    )


@functools.cache
def responder() -> AiResponder:
    db = PostgresSession(load(PostgresSettings))
    redis_settings = load(RedisSettings)
    catalogue = PostgresCatalogue(db)
    return AiResponder(
        clock=clock(),
        catalogues=catalogue,
        profiles=PostgresClientProfiles(db),
        contexts=RedisContextStore(connect_redis(redis_settings), db, redis_settings.context_ttl_s),
        desk=YClientsBookingDesk(yclients_client(), catalogue.timezone),
        changes=PostgresBotChanges(db),
        handoffs=handoffs(),
        opt_outs=PostgresOptOuts(db),
        reminders=PostgresNotificationLedger(db),
        reader=reader(),
        context_ttl_s=redis_settings.context_ttl_s,
        budget_s=load(LlmSettings).turn_budget_s,
        meter=RedisLlmMeter(connect_redis(redis_settings)).add if load(AppSettings).llm_meter == "redis" else None,
    )


@functools.cache
def answerer() -> TurnAnswerer:
    config = load(WhatsAppSettings)
    db = PostgresSession(load(PostgresSettings))
    conversations = PostgresConversations(db)
    return TurnAnswerer(
        pending=RedisInbox(connect_redis(load(RedisSettings)), dedup_ttl_s=config.dedup_ttl_s),
        transcript=conversations,
        journal=PostgresTurnJournal(db),
        responder=responder(),
        handoffs=handoffs(),
        messenger=WhatsAppCloudMessenger(config),
        fallback=TemplateReply(config.fallback_template, config.template_language),
        debounce_s=config.debounce_s,
        max_wait_s=config.debounce_max_wait_s,
        decide_budget_s=load(LlmSettings).turn_budget_s,
        send_budget_s=config.send_budget_s,
        handoff_budget_s=config.handoff_budget_s,
        humans=handoffs(),
    )
