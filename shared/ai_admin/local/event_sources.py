"""Lambda's SQS event source mapping, locally: poll a queue (in the moto server), hand batches to the
function's handler in this process with a real SQS event, delete what succeeded and leave reported
``batchItemFailures`` to come back after the visibility timeout (then to the DLQ by redrive policy).

FIFO semantics come from SQS itself: while a message of a group is in flight, no other message of
that group is handed out, so a group is never processed by two pollers at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ai_admin.local.invoke import Handler, LocalContext
from ai_admin.local.template import Function, SqsSource
from ai_admin.observability import logger


def queue_arn(queue_url: str, region: str) -> str:
    return f"arn:aws:sqs:{region}:000000000000:{queue_url.rsplit('/', 1)[-1]}"


def sqs_event(messages: list[dict[str, Any]], arn: str, region: str) -> dict[str, Any]:
    records = []
    for message in messages:
        attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": attributes,
                "messageAttributes": message.get("MessageAttributes") or {},
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


@dataclass
class SqsPoller:
    """One event source mapping: ``concurrency`` threads, each receiving and invoking batches."""

    sqs: Any
    queue_url: str
    function: Function
    handler: Handler
    source: SqsSource
    region: str = "eu-central-1"
    wait_s: int = 1
    _stop: threading.Event = field(default_factory=threading.Event)
    # moto decides which FIFO groups are in flight per receive call without a lock, so two concurrent
    # receives could hand out one group twice; real SQS does not, and receiving one at a time matches it.
    _receiving: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    invocations: int = 0

    def start(self) -> SqsPoller:
        for index in range(max(1, min(self.source.max_concurrency or 2, 4))):
            thread = threading.Thread(target=self._run, name=f"sqs-{self.function.logical_id}-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.wait_s + self.function.timeout + 5)

    def _run(self) -> None:
        arn = queue_arn(self.queue_url, self.region)
        while not self._stop.is_set():
            try:
                self.poll_once(arn)
            except Exception:
                logger.exception("local SQS poller failed; retrying")
                time.sleep(0.5)

    def poll_once(self, arn: str) -> int:
        with self._receiving:
            answer = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(self.source.batch_size, 10),
                WaitTimeSeconds=self.wait_s,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
        messages = answer.get("Messages") or []
        if not messages:
            return 0
        event = sqs_event(messages, arn, self.region)
        context = LocalContext(function_name=self.function.logical_id, timeout_s=self.function.timeout)
        try:
            result = self.handler(event, context) or {}
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures") or []}
        except Exception:
            logger.exception("local SQS invocation failed; the whole batch returns to the queue")
            failed = {m["MessageId"] for m in messages}
        self.invocations += 1
        for message in messages:
            if message["MessageId"] in failed:
                with contextlib.suppress(Exception):  # back to the queue now, like Lambda does
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=1
                    )
            else:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)
