"""boto3 clients built once per cold start; locally they point at the moto server of the stack."""

from __future__ import annotations

import functools
from typing import Any

from ai_admin.settings import AppSettings, load


@functools.cache
def client(service: str) -> Any:
    import boto3

    app = load(AppSettings)
    return boto3.client(service, region_name=app.aws_region, endpoint_url=app.aws_endpoint_url)  # type: ignore[call-overload]
