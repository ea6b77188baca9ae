"""Enqueues "this client has a new message" on the FIFO conversation queue, one group per salon and
client so their turns are answered in order and never by two workers at once. The record carries the
buffered message itself: SQS is the durable copy of everything the webhook acknowledged, and Redis only
the debounce buffer."""

from __future__ import annotations

import json
import threading
from typing import Any

from ai_admin.adapters.aws_clients import client as aws_client
from ai_admin.domain.errors import QueueUnavailable
from ai_admin.settings import AppSettings


class SqsTurnQueue:
    def __init__(self, queue_url: str, app: AppSettings, client: Any = None) -> None:
        self._queue_url = queue_url
        self._app = app
        self._client = client
        self._lock = threading.Lock()

    def _sqs(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = aws_client("sqs", self._app)
            return self._client

    def enqueue(self, company_id: int, client_key: str, wamid: str, item: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        body = {"company_id": company_id, "client_key": client_key, "wamid": wamid, "item": item}
        try:
            self._sqs().send_message(
                QueueUrl=self._queue_url,
                MessageBody=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                MessageGroupId=f"{company_id}:{client_key}",
                # SQS allows 128 characters of [A-Za-z0-9 punctuation]; wamids fit.
                MessageDeduplicationId=wamid[:128],
            )
        except (BotoCoreError, ClientError) as error:
            raise QueueUnavailable(f"SQS send failed: {type(error).__name__}") from error
