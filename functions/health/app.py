"""GET /health: can this deployment reach PostgreSQL (migrated) and Redis?"""

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_admin.adapters.apigw_http import http_app
from ai_admin.bootstrap import health
from ai_admin.observability import logger, metrics, tracer

app = http_app()


@app.get("/health")
@tracer.capture_method
def get_health() -> Response[dict[str, object]]:
    report = health.report()
    return Response(
        status_code=200 if report.ok else 503,
        content_type=content_types.APPLICATION_JSON,
        body=report.as_dict(),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
