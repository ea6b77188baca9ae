"""The LLM readers a conversation worker asks, built once per cold start from ``LlmSettings``."""

from __future__ import annotations

import openai

from ai_admin.adapters.openai_reader import OpenAiReader
from ai_admin.conversation.offline_reader import OfflineReader
from ai_admin.conversation.reader import Reader
from ai_admin.settings import LlmSettings


def build_readers(settings: LlmSettings, own_words: OfflineReader) -> list[Reader]:
    """One reader per configured provider, primary first; an empty list when none is configured (the
    offline reader then reads alone). ``own_words`` corroborates what a model reads into a message."""
    readers: list[Reader] = []
    for provider in settings.providers():
        client = openai.OpenAI(
            base_url=provider.base_url,
            api_key=provider.api_key.get_secret_value(),
            max_retries=0,
            timeout=settings.call_timeout_s,
        )
        readers.append(
            OpenAiReader(provider.name, client, provider.model, settings.call_timeout_s, own_words.understand)
        )
    return readers
