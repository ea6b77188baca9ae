"""Typed settings, grouped by the system they configure, validated once per cold start.

Every value comes from the environment (a Lambda's configuration, or the local stack). Secrets in AWS
live in SSM Parameter Store under one path (``AI_ADMIN_SSM_PATH``, e.g. ``/ai-admin/prod/``); each
parameter is named exactly like the environment variable it supplies (``/ai-admin/prod/WHATSAPP_APP_SECRET``)
and is read once, with decryption, when a group is first loaded. An environment variable wins over SSM.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


class SettingsError(RuntimeError):
    """A missing or invalid setting; the message is one line naming the variable."""


class _SsmSource(PydanticBaseSettingsSource):
    """Supplies values from SSM parameters fetched once per process (see module docstring)."""

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        prefix = str(self.settings_cls.model_config.get("env_prefix", "")).upper()
        found: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            key = (field.alias or f"{prefix}{name}").upper()
            if key in self._values:
                found[name] = self._values[key]
        return found


SsmFetcher = Callable[[str], Mapping[str, str]]


def _fetch_ssm_path(path: str) -> Mapping[str, str]:
    from aws_lambda_powertools.utilities import parameters

    values = parameters.get_parameters(path, decrypt=True, recursive=False, max_age=3600)
    return {name.rsplit("/", 1)[-1].upper(): str(value) for name, value in values.items()}


_ssm_fetcher: SsmFetcher = _fetch_ssm_path


@functools.cache
def _ssm_values(path: str) -> Mapping[str, str]:
    return _ssm_fetcher(path)


class _Group(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = os.environ.get("AI_ADMIN_SSM_PATH", "")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path:
            sources.append(_SsmSource(settings_cls, _ssm_values(path)))
        return tuple(sources)


class PostgresSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="DATABASE_")

    url: str = Field(description="postgresql://user@host:port/db, or ?host=/socket/dir for a local socket")
    password: SecretStr | None = Field(default=None, description="used when the URL carries none")
    connect_timeout_s: float = Field(default=5.0, gt=0, le=60)
    query_timeout_s: float = Field(default=60.0, gt=0, le=900, description="socket timeout of batch work")

    @field_validator("url")
    @classmethod
    def _postgres_scheme(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql://")
        return value


class RedisSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="REDIS_")

    url: str = Field(description="redis://, rediss:// (ElastiCache, TLS) or unix:// for a local socket")
    socket_timeout_s: float = Field(default=2.0, gt=0, le=30)
    context_ttl_s: int = Field(default=12 * 3600, ge=60, description="conversation context lifetime")

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value


class YClientsSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="YCLIENTS_")

    base_url: str = "https://api.yclients.com/api/v1"
    partner_token: SecretStr
    user_token: SecretStr | None = None
    rate_per_second: int = Field(default=5, ge=1, le=1000)
    rate_per_minute: int = Field(default=200, ge=1, le=60000)
    rate_limit_scope: str = Field(default="default", description="the egress IP/NAT sharing one budget")
    rate_limit_margin_s: float = Field(default=0.05, ge=0, le=1)
    rate_limit_max_wait_s: float = Field(default=30.0, gt=0, le=600)
    timeout_s: float = Field(default=10.0, gt=0, le=120)
    max_retries: int = Field(default=4, ge=0, le=10)
    backoff_base_s: float = Field(default=0.5, gt=0, le=30)
    backoff_cap_s: float = Field(default=20.0, gt=0, le=300)
    webhook_secret: SecretStr | None = Field(
        default=None, description="master secret of the record-webhook URLs (/yclients/<per-salon secret>); unset: off"
    )


class WhatsAppSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="WHATSAPP_")

    app_secret: SecretStr
    verify_token: SecretStr
    access_token: SecretStr
    graph_base_url: str = "https://graph.facebook.com"
    graph_api_version: str = Field(default="v25.0", pattern=r"^v\d+\.\d+$")
    debounce_s: float = Field(default=3.0, ge=0, le=60)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    dedup_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    reminder_template: str = Field(
        default="appointment_reminder",
        description="approved template of reminders outside the 24-hour window: {{1}} when, {{2}} what, {{3}} salon,"
        " quick replies visit_confirm:<record> / visit_decline:<record>",
    )
    booking_created_template: str = Field(default="booking_created", description="{{1}} when, {{2}} what, {{3}} salon")
    booking_moved_template: str = Field(default="booking_moved", description="{{1}} what, {{2}} new when, {{3}} old")
    booking_cancelled_template: str = Field(default="booking_cancelled", description="{{1}} what, {{2}} when")
    template_language: str = "ru"
    fallback_template: str = Field(
        default="service_followup", description="approved template sent when a reply hits 131047"
    )
    handoff_template: str = Field(
        default="admin_handoff",
        description="approved template of hand-off alerts to administrators outside their 24-hour window:"
        " {{1}} client, {{2}} reason, {{3}} last messages, quick reply handoff_done:<id>",
    )
    debounce_max_wait_s: float = Field(default=15.0, gt=0, le=300, description="answer a nonstop typist")
    send_timeout_s: float = Field(default=10.0, gt=0, le=60)
    send_budget_s: float = Field(default=10.0, gt=0, le=60, description="every send of one turn, retries included")
    handoff_budget_s: float = Field(default=5.0, gt=0, le=60, description="alerting admins of a turn that failed")
    send_max_retries: int = Field(default=3, ge=0, le=10, description="on 130429 / 131056")
    send_backoff_base_s: float = Field(default=1.0, gt=0, le=30)
    send_backoff_cap_s: float = Field(default=8.0, gt=0, le=60)


@dataclass(frozen=True)
class LlmProvider:
    """One OpenAI-compatible endpoint; ``name`` is what logs call it (never the key)."""

    name: str
    base_url: str
    model: str
    api_key: SecretStr


class LlmSettings(_Group):
    """The providers in order of preference; one counts only when its base URL and key are both set."""

    model_config = SettingsConfigDict(env_prefix="LLM_")

    primary_name: str = "openai"
    primary_base_url: str | None = None
    primary_model: str = "gpt-4o-mini"
    primary_api_key: SecretStr | None = None
    secondary_name: str = "deepseek"
    secondary_base_url: str | None = None
    secondary_model: str = "deepseek-chat"
    secondary_api_key: SecretStr | None = None
    call_timeout_s: float = Field(default=8.0, gt=0, le=60)
    turn_budget_s: float = Field(default=25.0, gt=0, le=120)
    offline_reserve_s: float = Field(default=2.0, ge=0, le=30, description="budget kept for the offline reader")
    cooldown_s: float = Field(
        default=60.0, ge=0, le=3600, description="a provider that timed out, 429ed or 5xxed is skipped this long"
    )

    @field_validator("primary_base_url", "secondary_base_url")
    @classmethod
    def _http_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local fake)")
        return value or None

    def _candidates(self) -> list[tuple[str, str, str | None, str, SecretStr | None]]:
        return [
            ("LLM_PRIMARY", self.primary_name, self.primary_base_url, self.primary_model, self.primary_api_key),
            (
                "LLM_SECONDARY",
                self.secondary_name,
                self.secondary_base_url,
                self.secondary_model,
                self.secondary_api_key,
            ),
        ]

    def providers(self) -> list[LlmProvider]:
        """The configured providers, primary first."""
        return [
            LlmProvider(name, url, model, key)
            for _, name, url, model, key in self._candidates()
            if url and key is not None and key.get_secret_value()
        ]

    def incomplete(self) -> list[str]:
        """Providers given half their settings, each as "LLM_PRIMARY_API_KEY is not set (LLM_PRIMARY_BASE_URL is)"."""
        problems = []
        for prefix, _, url, _, key in self._candidates():
            has_key = key is not None and bool(key.get_secret_value())
            if bool(url) != has_key:
                missing, present = ("API_KEY", "BASE_URL") if url else ("BASE_URL", "API_KEY")
                problems.append(f"{prefix}_{missing} is not set ({prefix}_{present} is)")
        return problems


class SyncSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="SYNC_")

    clients_page_size: int = Field(default=200, ge=1, le=200)
    records_page_size: int = Field(default=200, ge=1, le=1000)
    pages_per_batch: int = Field(
        default=1, ge=1, le=100, description="one page each: a run's last pages are fetched side by side"
    )
    bookings_batch_size: int = Field(default=50, ge=1, le=1000)
    history_years: int = Field(default=2, ge=1, le=10)
    lookback_days: int = Field(default=7, ge=0, le=365)
    lookahead_days: int = Field(default=60, ge=0, le=365)
    watermark_overlap_s: int = Field(default=3600, ge=0, le=86400)
    schedule_days: int = Field(default=30, ge=1, le=90)
    queue_url: str | None = Field(default=None, description="SQS queue of sync batches (from the template)")
    max_receives: int = Field(default=3, ge=1, le=20, description="must equal the queue's maxReceiveCount")


class ReminderSettings(_Group):
    """Defaults of reminders and booking notifications; a salon overrides the evening window and turns
    either reminder off in ``companies.settings`` (see domain/reminder_rules.py)."""

    model_config = SettingsConfigDict(env_prefix="REMINDERS_")

    evening_from: str = Field(default="19:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$", description="salon-local")
    evening_to: str = Field(default="21:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$", description="exclusive")
    hours_before_s: int = Field(default=7200, ge=600, le=86400, description="the second reminder, before the visit")
    min_booking_lead_s: int = Field(default=4 * 3600, ge=0, le=86400, description="no reminder for later bookings")
    max_attempts: int = Field(default=5, ge=1, le=20, description="sends of one notification, retries included")
    retry_base_s: int = Field(default=300, ge=1, le=86400, description="backoff after the first failed send")
    retry_cap_s: int = Field(default=3600, ge=1, le=86400)
    stale_claim_s: int = Field(default=600, ge=60, le=86400, description="a claim this old belongs to a dead run")
    stop_margin_s: float = Field(default=20.0, ge=0, le=300, description="claim nothing when less time is left")
    monitor_enabled: bool = Field(default=True, description="announce the salon's booking changes after a sync")
    monitor_news_for_s: int = Field(default=2 * 86400, ge=600, description="older creations are not announced")
    monitor_bot_margin_s: int = Field(default=900, ge=0, le=86400, description="sync lag allowed for bot changes")


class AppSettings(_Group):
    """Where this process runs and what it talks to (queues are provisioned by template.yaml)."""

    model_config = SettingsConfigDict(env_prefix="AI_ADMIN_")

    stage: str = Field(default="local", pattern=r"^[a-z0-9-]+$")
    aws_endpoint_url: str | None = Field(default=None, description="moto server in the local stack")
    aws_region: str = Field(default="eu-central-1", alias="AWS_REGION")
    conversation_queue_url: str | None = Field(default=None, description="FIFO queue of client turns")
    clock: Literal["system", "redis"] = Field(
        default="system", description="redis: the moment frozen by the local scenario runner"
    )
    brain: Literal["auto", "offline", "llm", "scripted"] = Field(
        default="auto",
        description="auto/scripted: the configured LLM providers, then the offline brain; llm: the same, and"
        " at least one provider must be configured (AWS); offline: no LLM",
    )
    llm_meter: Literal["off", "redis"] = Field(
        default="off", description="redis: count LLM calls and prompt tokens per turn (ai-admin eval reads them)"
    )


G = TypeVar("G", bound=_Group)


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _describe(group: type[_Group], error: ValidationError) -> str:
    prefix = str(group.model_config.get("env_prefix", "")).upper()
    parts = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        info = group.model_fields.get(field)
        name = (info.alias if info and info.alias else f"{prefix}{field}").upper()
        reason = "is not set" if item["type"] == "missing" else f"is invalid: {item['msg']}"
        parts.append(f"{name} {reason}")
    return "; ".join(parts)


@functools.cache
def load(group: type[G]) -> G:
    """The validated group, read once per process (a Lambda cold start)."""
    try:
        return group()
    except ValidationError as error:
        raise SettingsError(f"setting error: {_describe(group, error)}") from None


def reset() -> None:
    """Forget loaded groups and cached SSM values (tests and the local stack change the environment)."""
    load.cache_clear()
    _ssm_values.cache_clear()
