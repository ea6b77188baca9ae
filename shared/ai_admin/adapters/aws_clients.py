"""boto3 clients for this deployment; locally they point at the stack's moto server."""

from __future__ import annotations

import threading
from typing import Any

from ai_admin.settings import AppSettings

# Clients are thread-safe; creating them from boto3's default session is not (local workers are threads).
_creating = threading.Lock()


def client(service: str, app: AppSettings) -> Any:
    import boto3  # imported on first use: it dominates a cold start otherwise

    with _creating:
        return boto3.client(service, region_name=app.aws_region, endpoint_url=app.aws_endpoint_url)  # type: ignore[call-overload]
