"""Sends sync batches to the SQS queue the sync worker consumes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ai_admin.domain.errors import QueueUnavailable
from ai_admin.sync.jobs import BatchSpec


class SqsBatchQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, batches: Sequence[BatchSpec]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        for start in range(0, len(batches), 10):
            chunk = batches[start : start + 10]
            entries = [{"Id": str(b.seq), "MessageBody": json.dumps(b.to_message())} for b in chunk]
            try:
                result = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            except (BotoCoreError, ClientError) as error:
                raise QueueUnavailable(f"SQS send failed: {type(error).__name__}") from error
            if result.get("Failed"):
                raise QueueUnavailable(f"SQS rejected {len(result['Failed'])} batch messages")
