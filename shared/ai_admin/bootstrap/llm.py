"""The LLM brains a conversation worker asks, built once per cold start from ``LlmSettings``."""

from __future__ import annotations

import openai

from ai_admin.adapters.openai_brain import OpenAiBrain
from ai_admin.conversation.brain import Brain
from ai_admin.settings import LlmSettings


def build_brains(settings: LlmSettings) -> list[Brain]:
    """One brain per configured provider, primary first; an empty list when none is configured (the
    offline brain then answers alone)."""
    brains: list[Brain] = []
    for provider in settings.providers():
        client = openai.OpenAI(
            base_url=provider.base_url,
            api_key=provider.api_key.get_secret_value(),
            max_retries=0,
            timeout=settings.call_timeout_s,
        )
        brains.append(
            OpenAiBrain(provider.name, client, provider.model, settings.call_timeout_s, settings.max_tool_rounds)
        )
    return brains
