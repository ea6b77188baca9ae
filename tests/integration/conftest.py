from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ai_admin.local.fake_llm import FakeLlm


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def fake_llm_factory() -> Iterator[Callable[..., FakeLlm]]:
    """Starts fake OpenAI-compatible servers (one per provider a test needs), stopped after the test."""
    started: list[FakeLlm] = []

    def start(*script: dict[str, Any], api_key: str | None = None) -> FakeLlm:
        fake = FakeLlm(script, api_key=api_key).start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def fake_llm(fake_llm_factory: Callable[..., FakeLlm]) -> FakeLlm:
    """A fake OpenAI-compatible chat API with an empty script: tests ``play(...)`` the model's turns."""
    return fake_llm_factory()
