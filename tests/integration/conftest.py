from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ai_admin.adapters.postgres_connection import connect
from ai_admin.local.eval.stage import Stage
from ai_admin.local.fake_llm import FakeLlm
from ai_admin.local.stack import Stack


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


@pytest.fixture
def stage(local_stack: Stack, clean_state: None) -> Iterator[Stage]:
    """The product as scenarios meet it (ai_admin.local.eval.stage), with the offline brain."""
    with Stage.on(local_stack, worker_env={"AI_ADMIN_BRAIN": "offline"}, drop_prefixes=("LLM_",)) as running:
        yield running


def rows(stack: Stack, sql: str, **params: Any) -> list[list[Any]]:
    """What ``sql`` finds in the stack's database now."""
    conn = connect(stack.env["DATABASE_URL"])
    try:
        return list(conn.run(sql, **params) or [])
    finally:
        conn.close()
