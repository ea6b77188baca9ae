"""Which brain the conversation worker uses during an eval, expressed as the worker's environment.

``AI_ADMIN_BRAIN`` names it (offline, llm or scripted); the worker's composition is expected to
honour it. ``offline`` also removes every ``LLM_*`` setting, so nothing can reach a model; ``llm``
keeps the caller's ``LLM_*`` settings; ``scripted`` points ``LLM_PRIMARY_BASE_URL`` at the local fake
OpenAI-compatible server (``ai_admin.local.fake_llm``) and loads each scenario's ``script:`` into it.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from typing import Any, Protocol

BRAINS = ("offline", "llm", "scripted")
FAKE_LLM_MODULE = "ai_admin.local.fake_llm"


class BrainUnavailable(RuntimeError):
    """The requested brain cannot run here; the message says what is missing."""


class ScriptedModel(Protocol):
    """What scripted mode needs from the fake LLM server."""

    url: str

    def load_script(self, turns: list[dict[str, Any]]) -> None: ...

    def stop(self) -> None: ...


def worker_env(brain: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to set for the worker (``LLM_*`` ones absent here are removed by the caller)."""
    if brain not in BRAINS:
        raise BrainUnavailable(f"unknown brain {brain!r} (choose from {', '.join(BRAINS)})")
    env = {"AI_ADMIN_BRAIN": brain}
    if brain == "llm":
        found = {k: v for k, v in environ.items() if k.startswith("LLM_")}
        if not (found.get("LLM_PRIMARY_BASE_URL") or found.get("LLM_PRIMARY_API_KEY")):
            raise BrainUnavailable("--brain llm needs LLM_PRIMARY_BASE_URL or LLM_PRIMARY_API_KEY in the environment")
        env.update(found)
    return env


def start_scripted_model() -> ScriptedModel:
    if importlib.util.find_spec(FAKE_LLM_MODULE) is None:
        raise BrainUnavailable(
            "--brain scripted needs the fake OpenAI-compatible server shared/ai_admin/local/fake_llm.py, "
            "which is not in this checkout yet; scenario scripts were validated"
        )
    module = importlib.import_module(FAKE_LLM_MODULE)
    factory = getattr(module, "FakeLlm", None)
    if factory is None:
        raise BrainUnavailable(f"{FAKE_LLM_MODULE} has no FakeLlm class")
    server = factory().start()
    for needed in ("url", "load_script", "stop"):
        if not hasattr(server, needed):
            server.stop()
            raise BrainUnavailable(f"{FAKE_LLM_MODULE}.FakeLlm lacks {needed!r}, which scripted mode uses")
    model: ScriptedModel = server
    return model
