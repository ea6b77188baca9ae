"""Composition of the webhook function, built once per cold start on first use.

Kept small on purpose: no conversation code, no LLM client, boto3 only when the first message is
enqueued, so a cold start stays short.
"""

from __future__ import annotations

import functools

from ai_admin.adapters.postgres_dead_letters import PostgresDeadLetters
from ai_admin.adapters.postgres_delivery_log import PostgresDeliveryLog
from ai_admin.adapters.postgres_salon_directory import PostgresSalonDirectory
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.adapters.redis_connection import connect as connect_redis
from ai_admin.adapters.redis_inbox import RedisInbox
from ai_admin.adapters.sqs_turn_queue import SqsTurnQueue
from ai_admin.settings import (
    AppSettings,
    PostgresSettings,
    RedisSettings,
    SettingsError,
    WhatsAppSettings,
    load,
    secret,
)
from ai_admin.whatsapp.receive_webhook import WebhookReceiver


def settings() -> WhatsAppSettings:
    config: WhatsAppSettings = load(WhatsAppSettings)
    return config


@functools.cache
def receiver() -> WebhookReceiver:
    config, app = load(WhatsAppSettings), load(AppSettings)
    if not app.conversation_queue_url:
        raise SettingsError("setting error: AI_ADMIN_CONVERSATION_QUEUE_URL is not set")
    db = PostgresSession(load(PostgresSettings))
    return WebhookReceiver(
        app_secret=secret(config.app_secret) or "",
        max_body_bytes=config.max_body_bytes,
        salons=PostgresSalonDirectory(db),
        inbox=RedisInbox(connect_redis(load(RedisSettings)), dedup_ttl_s=config.dedup_ttl_s),
        queue=SqsTurnQueue(app.conversation_queue_url, app),
        deliveries=PostgresDeliveryLog(db),
        dead_letters=PostgresDeadLetters(db),
    )
