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
from collections.abc import Callable
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


Resolve = Callable[[Function, int], Handler]


@dataclass
class SqsPoller:
    """One event source mapping: ``concurrency`` threads, each a container of its own (its own handler
    module, warmed by ``warm`` before the first poll) receiving and invoking batches.

    Receives never long-poll: an SQS long poll cannot be cut short, so stopping would wait out every poll
    in flight. An idle poller polls again after ``min_idle_s``, doubling up to ``max_idle_s``, and at once
    on ``wake()`` (what the code that just enqueued work calls, as a long poll would return at once)."""

    sqs: Any
    queue_url: str
    function: Function
    resolve: Resolve
    source: SqsSource
    region: str = "eu-central-1"
    warm: Callable[[], object] | None = None
    min_idle_s: float = 0.02
    max_idle_s: float = 0.5
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    # moto decides which FIFO groups are in flight per receive call without a lock, so two concurrent
    # receives could hand out one group twice; real SQS does not, and receiving one at a time matches it.
    # The thread holding it is the one idle poller; the others wait for it rather than poll too.
    _receiving: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    invocations: int = 0

    def start(self) -> SqsPoller:
        for index in range(max(1, min(self.source.max_concurrency or 2, 4))):
            handler = self.resolve(self.function, index + 1)  # imported here: the caller's next step may need it
            thread = threading.Thread(
                target=self._run, args=(handler,), name=f"sqs-{self.function.logical_id}-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=self.function.timeout + 5)

    def _run(self, handler: Handler) -> None:
        arn = queue_arn(self.queue_url, self.region)
        if self.warm is not None:
            try:
                self.warm()
            except Exception:
                logger.exception("local container warm-up failed; the first invocation builds its parts")
        while not self._stop.is_set():
            try:
                messages = self._receive()
                if messages:
                    self._invoke(handler, messages, arn)
            except Exception:
                logger.exception("local SQS poller failed; retrying")
                self._stop.wait(0.5)

    def _receive(self) -> list[dict[str, Any]]:
        """The next batch, or nothing once stopped."""
        idle = self.min_idle_s
        with self._receiving:
            while not self._stop.is_set():
                self._wake.clear()
                answer = self.sqs.receive_message(
                    QueueUrl=self.queue_url,
                    MaxNumberOfMessages=min(self.source.batch_size, 10),
                    WaitTimeSeconds=0,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
                messages: list[dict[str, Any]] = answer.get("Messages") or []
                if messages:
                    return messages
                self._wake.wait(idle)
                idle = min(idle * 2, self.max_idle_s)
        return []

    def _invoke(self, handler: Handler, messages: list[dict[str, Any]], arn: str) -> None:
        event = sqs_event(messages, arn, self.region)
        context = LocalContext(function_name=self.function.logical_id, timeout_s=self.function.timeout)
        try:
            result = handler(event, context) or {}
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
