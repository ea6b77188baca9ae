"""``sam local invoke`` without Docker: run a template function's handler in this process."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ai_admin import settings
from ai_admin.local.template import Function, Template, TemplateError

Handler = Callable[[dict[str, Any], Any], Any]


class InvokeError(RuntimeError):
    pass


@dataclass
class LocalContext:
    """The parts of ``LambdaContext`` that Powertools and our handlers read."""

    function_name: str
    timeout_s: int
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def function_environment(function: Function, local_env: Mapping[str, str]) -> dict[str, str]:
    """The template's literal environment for ``function``, overlaid (like ``sam local invoke
    --env-vars``) with every local value the function reads: its own template variables, whose
    CloudFormation expressions only the stack can resolve, and any setting of ours or of AWS/Powertools."""
    resolved = {
        name: str(value) for name, value in function.environment.items() if isinstance(value, str | int | float | bool)
    }
    resolved.update(
        {name: value for name, value in local_env.items() if name in function.environment or name.startswith(_OURS)}
    )
    resolved.pop("AI_ADMIN_SSM_PATH", None)  # locally, secrets come from the stack, not SSM
    return resolved


# Prefixes of the settings groups (shared/ai_admin/settings.py) and of AWS and Powertools variables.
_OURS = (
    "DATABASE_",
    "REDIS_",
    "YCLIENTS_",
    "WHATSAPP_",
    "LLM_",
    "SYNC_",
    "REMINDERS_",
    "AI_ADMIN_",
    "AWS_",
    "POWERTOOLS_",
)


@contextlib.contextmanager
def patched_environ(
    values: Mapping[str, str], *, drop_prefixes: Sequence[str] = (), cold: bool = False
) -> Iterator[None]:
    """``values`` set (and variables starting with ``drop_prefixes`` removed) for the block; settings
    re-read on entry and exit. ``cold`` also forgets every cached composition on entry and exit."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith(tuple(drop_prefixes))]:
        del os.environ[key]
    os.environ.update(values)
    settings.reset()
    if cold:
        forget_cold_starts()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.reset()
        if cold:
            forget_cold_starts()


def forget_cold_starts() -> None:
    """Every composition cached by ``ai_admin.bootstrap`` (``functools.cache`` builders, the sync's
    per-thread parts) is rebuilt from the current environment on next use."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("ai_admin.bootstrap."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()
        local = getattr(module, "_local", None)
        if local is not None:
            local.__dict__.clear()


def load_module(function: Function, container: int = 0) -> ModuleType:
    """Import the handler module once per container, as a warm Lambda execution environment would:
    module globals (a Powertools batch processor, say) are never shared by two concurrent invocations.
    Container 0 is the process's own; local SQS pollers give each of their threads another."""
    name = f"_lambda_{function.logical_id}" + (f"_{container}" if container else "")
    if name in sys.modules:
        return sys.modules[name]
    path = function.module_file
    if not path.is_file():
        raise InvokeError(f"{function.logical_id}: handler file {path} does not exist")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvokeError(f"{function.logical_id}: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def resolve_handler(function: Function, container: int = 0) -> Handler:
    module = load_module(function, container)
    handler = getattr(module, function.function_name, None)
    if not callable(handler):
        raise InvokeError(f"{function.logical_id}: {function.handler} is not a function")
    return handler  # type: ignore[no-any-return]


def read_event(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvokeError(f"cannot read event file {path}: {error.strerror}") from None
    try:
        event = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvokeError(f"event file {path} is not JSON: {error}") from None
    if not isinstance(event, dict):
        raise InvokeError(f"event file {path} must hold a JSON object")
    return event


def invoke(template: Template, logical_id: str, event: dict[str, Any], local_env: Mapping[str, str]) -> Any:
    try:
        function = template.function(logical_id)
    except TemplateError as error:
        raise InvokeError(str(error)) from None
    with patched_environ(function_environment(function, local_env)):
        handler = resolve_handler(function)
        return handler(event, LocalContext(function_name=logical_id, timeout_s=function.timeout))
