import boto3
import pytest
from moto import mock_aws
from pydantic import SecretStr

from ai_admin import settings
from ai_admin.settings import (
    LlmSettings,
    PostgresSettings,
    RedisSettings,
    SettingsError,
    SyncSettings,
    WhatsAppSettings,
    YClientsSettings,
    load,
)


def test_every_tunable_has_a_valid_default() -> None:
    sync = load(SyncSettings)
    assert sync.bookings_batch_size == 50  # the old system crashed on this one being undefined
    assert sync.clients_page_size == 200


def test_missing_required_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SettingsError) as caught:
        load(PostgresSettings)
    assert str(caught.value) == "setting error: DATABASE_URL is not set"
    assert "\n" not in str(caught.value)


def test_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNC_CLIENTS_PAGE_SIZE", "500")
    with pytest.raises(SettingsError, match=r"^setting error: SYNC_CLIENTS_PAGE_SIZE is invalid: "):
        load(SyncSettings)


def test_wrong_scheme_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://localhost:6379")
    with pytest.raises(SettingsError, match="REDIS_URL is invalid"):
        load(RedisSettings)


def test_several_problems_are_reported_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as caught:
        load(WhatsAppSettings)
    message = str(caught.value)
    assert "WHATSAPP_APP_SECRET is not set" in message
    assert "WHATSAPP_ACCESS_TOKEN is not set" in message
    assert "\n" not in message


def test_groups_are_validated_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YCLIENTS_PARTNER_TOKEN", "first")
    first = load(YClientsSettings)
    monkeypatch.setenv("YCLIENTS_PARTNER_TOKEN", "second")
    assert load(YClientsSettings) is first
    settings.reset()
    assert load(YClientsSettings).partner_token == SecretStr("second")


def test_secrets_come_from_ssm_and_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
        ssm = boto3.client("ssm", region_name="eu-central-1")
        for name, value in {
            "WHATSAPP_APP_SECRET": "from-ssm-secret",
            "WHATSAPP_VERIFY_TOKEN": "from-ssm-verify",
            "WHATSAPP_ACCESS_TOKEN": "from-ssm-access",
        }.items():
            ssm.put_parameter(Name=f"/ai-admin/test/{name}", Value=value, Type="SecureString")
        monkeypatch.setenv("AI_ADMIN_SSM_PATH", "/ai-admin/test/")
        monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "from-env")
        settings.reset()
        whatsapp = load(WhatsAppSettings)
    assert whatsapp.app_secret.get_secret_value() == "from-ssm-secret"
    assert whatsapp.verify_token.get_secret_value() == "from-env"
    assert "from-ssm" not in repr(whatsapp)


def test_llm_providers_count_only_with_url_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(LlmSettings).providers() == []
    settings.reset()
    monkeypatch.setenv("LLM_PRIMARY_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("LLM_SECONDARY_BASE_URL", "https://api.deepseek.com")
    monkeypatch.setenv("LLM_SECONDARY_API_KEY", "sk-deepseek")
    assert [(p.name, p.base_url, p.model) for p in load(LlmSettings).providers()] == [
        ("deepseek", "https://api.deepseek.com", "deepseek-chat")
    ]
    settings.reset()
    monkeypatch.setenv("LLM_PRIMARY_API_KEY", "sk-openai")
    monkeypatch.setenv("LLM_SECONDARY_NAME", "qwen")
    monkeypatch.setenv("LLM_SECONDARY_MODEL", "qwen-plus")
    providers = load(LlmSettings).providers()
    assert [(p.name, p.model) for p in providers] == [("openai", "gpt-4o-mini"), ("qwen", "qwen-plus")]
    assert providers[0].api_key.get_secret_value() == "sk-openai"
    assert "sk-openai" not in repr(providers[0])


def test_an_empty_llm_url_means_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PRIMARY_BASE_URL", "")
    monkeypatch.setenv("LLM_PRIMARY_API_KEY", "sk-openai")
    assert load(LlmSettings).providers() == []


def test_an_llm_url_needs_a_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PRIMARY_BASE_URL", "api.openai.com/v1")
    with pytest.raises(SettingsError, match="LLM_PRIMARY_BASE_URL is invalid"):
        load(LlmSettings)
