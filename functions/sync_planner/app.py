"""EventBridge Scheduler target: plan one sync run per company for the job named in the input."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_admin.bootstrap import sync
from ai_admin.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sync.plan_from_event(event)
