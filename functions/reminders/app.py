"""EventBridge Scheduler target (every five minutes): due reminders for every salon, each sent once."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_admin.bootstrap import reminders
from ai_admin.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return reminders.run_from_event(event, remaining_ms=context.get_remaining_time_in_millis)
