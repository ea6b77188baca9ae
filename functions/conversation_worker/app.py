"""SQS FIFO consumer: answers each client's turn (see ai_admin.conversation.answer_turn)."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_admin.bootstrap import conversation_worker
from ai_admin.conversation.answer_turn import TurnRequest
from ai_admin.observability import log_keys, logger, metrics, tracer

processor = SqsFifoPartialProcessor()


@tracer.capture_method
def answer(record: SQSRecord) -> None:
    body = json.loads(record.body)
    item = body.get("item")
    request = TurnRequest(
        int(body["company_id"]), str(body["client_key"]), str(body["wamid"]), str(item) if item else None
    )
    with log_keys(company_id=request.company_id, sqs_message_id=record.message_id):
        outcome = conversation_worker.answerer().answer(request)
    if outcome.answered:
        metrics.add_metric(name="TurnsAnswered", unit="Count", value=1)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=answer, processor=processor, context=context)
