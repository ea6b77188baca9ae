"""Composition of the conversation worker, built once per cold start on first use."""

from __future__ import annotations

import functools

from ai_admin.adapters.httpx_whatsapp_messenger import WhatsAppCloudMessenger
from ai_admin.adapters.postgres_conversations import PostgresConversations
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.adapters.redis_inbox import RedisInbox
from ai_admin.conversation.answer_turn import TurnAnswerer
from ai_admin.conversation.hand_off import HandoffResponder
from ai_admin.domain.messages import TemplateReply
from ai_admin.settings import PostgresSettings, RedisSettings, WhatsAppSettings, load


@functools.cache
def answerer() -> TurnAnswerer:
    config = load(WhatsAppSettings)
    conversations = PostgresConversations(PostgresSession(load(PostgresSettings)))
    return TurnAnswerer(
        pending=RedisInbox(connect_redis(load(RedisSettings)), dedup_ttl_s=config.dedup_ttl_s),
        transcript=conversations,
        responder=HandoffResponder(conversations),
        messenger=WhatsAppCloudMessenger(config),
        fallback=TemplateReply(config.fallback_template, config.template_language),
        debounce_s=config.debounce_s,
        max_wait_s=config.debounce_max_wait_s,
    )
