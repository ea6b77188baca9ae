"""POST /yclients/{secret}: a salon's YClients record webhook; the record is re-read before anything is told."""

import base64
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_admin.adapters.apigw_http import http_app
from ai_admin.bootstrap import crm_webhook
from ai_admin.observability import logger, metrics, tracer

app = http_app()


@app.post("/yclients/<secret>")
@tracer.capture_method
def receive_record_event(secret: str) -> Response[dict[str, Any]]:
    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    result = crm_webhook.receive(secret, body)
    metrics.add_metric(name="CrmWebhookNotifications", unit="Count", value=result.notified)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body={"ok": True, **result.as_dict()})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
