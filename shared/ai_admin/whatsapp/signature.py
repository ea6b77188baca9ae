"""Meta signs every webhook POST: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``,
keyed with the app secret. The check runs on the exact bytes received, before any parsing."""

from __future__ import annotations

import hashlib
import hmac

from ai_admin.domain.errors import InvalidSignature

PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, app_secret: str) -> None:
    if not header:
        raise InvalidSignature("X-Hub-Signature-256 is missing")
    if not header.startswith(PREFIX):
        raise InvalidSignature("X-Hub-Signature-256 is not sha256=<hex>")
    if not hmac.compare_digest(header[len(PREFIX) :].lower(), sign(body, app_secret)[len(PREFIX) :]):
        raise InvalidSignature("X-Hub-Signature-256 does not match the body")
