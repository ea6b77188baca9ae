"""Powertools logger, metrics and tracer shared by every handler, with personal data masked in logs.

Log records never carry a client's phone number or name in clear: values under keys that hold
personal data are replaced, and phone-like digit runs in any string are masked.

The X-Ray tracer exists only where tracing is on (in Lambda, unless ``POWERTOOLS_TRACE_DISABLED``):
Powertools builds its X-Ray recorder even when it will never record, and importing the X-Ray SDK
(botocore included) costs about 240 ms of every cold start.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from ai_admin.domain.phones import mask as mask_phone

SERVICE = "ai-admin"
NAMESPACE = "AIAdmin"

_PERSONAL_KEYS = frozenset(
    {"phone", "wa_id", "from", "recipient_id", "name", "client_name", "fullname", "email", "profile"}
)
# 11-15 digits (a phone with its country code, as wa_id and YClients write it) or a formatted "+7 916 ...";
# CRM record ids (up to 10 digits), dates and times are left alone.
_SYSTEM_KEYS = frozenset({"timestamp", "xray_trace_id", "function_request_id", "correlation_id"})
_PHONE_RUN = r"(?<![\w.])\+?\d{11,15}(?![\w.])|\+\d[\d \-()]{9,18}\d"
# Identifiers whose digit runs are not phones: UUIDs (request and SQS message ids) and the account
# part of ARNs. Matched first and kept whole, so correlation ids survive masking.
_IDENTIFIER = (
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    r"|\barn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}(?!\d)"
)
_TOKEN = re.compile(f"(?P<keep>{_IDENTIFIER})|(?P<phone>{_PHONE_RUN})")


def _mask_text(text: str) -> str:
    return _TOKEN.sub(lambda m: m.group(0) if m.group("keep") else mask_phone(m.group(0)), text)


def redact(value: Any, key: str = "") -> Any:
    """``value`` with personal data masked (used by the log formatter, and by tests)."""
    if key.lower() in _PERSONAL_KEYS and value not in (None, ""):
        return mask_phone(str(value)) if key.lower() in {"phone", "wa_id", "from", "recipient_id"} else "***"
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, dict):
        return {k: v if k in _SYSTEM_KEYS else redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, key) for v in value]
    return value


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any] | Any) -> str:
        return super().serialize(redact(log) if isinstance(log, dict) else log)


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is now, so ``ai-admin invoke`` can move logs to stderr."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter(), stream=_CurrentStdout())  # type: ignore[arg-type]
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def log_keys(**keys: Any) -> Iterator[None]:
    """``keys`` on every line this thread logs until the block ends (one SQS record, one batch), and on
    no other: not the next invocation's lines, nor another thread's (the local stack runs many
    functions in one process, all sharing this logger)."""
    logger.thread_safe_append_keys(**keys)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(keys)


class Tracing:
    """``capture_lambda_handler`` and ``capture_method`` of Powertools' Tracer when tracing is on;
    otherwise they return the function untouched (no X-Ray import, no dummy subsegment per call)."""

    def __init__(self, service: str, enabled: bool | None = None) -> None:
        # Powertools' own rule: off outside Lambda, under SAM local, or by POWERTOOLS_TRACE_DISABLED.
        on = not Tracer._is_tracer_disabled() if enabled is None else enabled
        self.tracer = Tracer(service=service) if on else None

    def capture_lambda_handler(self, handler: F) -> F:
        return handler if self.tracer is None else self.tracer.capture_lambda_handler(handler)  # type: ignore[return-value]

    def capture_method(self, method: F) -> F:
        return method if self.tracer is None else self.tracer.capture_method(method)


tracer = Tracing(service=SERVICE)
