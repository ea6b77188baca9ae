"""GET /webhook answers Meta's verification; POST /webhook takes signed deliveries and enqueues them."""

import base64
import hmac
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_admin.adapters.apigw_http import http_app
from ai_admin.bootstrap import webhook
from ai_admin.observability import logger, metrics, tracer
from ai_admin.settings import secret

app = http_app()


@app.get("/webhook")
def verify_subscription() -> Response[str]:
    event = app.current_event
    mode = event.get_query_string_value("hub.mode") or ""
    token = event.get_query_string_value("hub.verify_token") or ""
    challenge = event.get_query_string_value("hub.challenge") or ""
    expected = secret(webhook.settings().verify_token) or ""
    if mode == "subscribe" and challenge and hmac.compare_digest(token.encode(), expected.encode()):
        return Response(status_code=200, content_type=content_types.TEXT_PLAIN, body=challenge)
    return Response(status_code=403, content_type=content_types.TEXT_PLAIN, body="forbidden")


@app.post("/webhook")
@tracer.capture_method
def receive_delivery() -> Response[dict[str, Any]]:
    event = app.current_event
    raw = event.body or ""
    # The HMAC is over the exact bytes Meta sent: decode base64 ourselves rather than via text.
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    receipt = webhook.receiver().receive(body, event.headers.get("x-hub-signature-256"))
    metrics.add_metric(name="WebhookMessages", unit="Count", value=receipt.accepted)
    if receipt.dead_lettered:
        metrics.add_metric(name="WebhookDeadLetters", unit="Count", value=receipt.dead_lettered)
    logger.info("webhook delivery", extra={"receipt": receipt.__dict__})
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body={"ok": True})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
