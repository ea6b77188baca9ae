"""Log lines carry the keys of their own record only: a record's keys end with it, whatever the outcome,
and never show on another thread's lines (the local stack runs every function in one process)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ai_admin.bootstrap import sync
from ai_admin.local.event_sources import sqs_event
from ai_admin.local.invoke import forget_cold_starts, load_module
from ai_admin.local.template import Template
from ai_admin.observability import log_keys, logger
from ai_admin.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = Template.load(ROOT / "template.yaml").functions()
MESSAGE_ID = "059f36b4-1a2b-4c3d-8e9f-123456789012"


def _record(body: dict[str, Any]) -> SQSRecord:
    message = {
        "MessageId": MESSAGE_ID,
        "ReceiptHandle": "r",
        "Body": json.dumps(body),
        "Attributes": {"ApproximateReceiveCount": "1"},
    }
    return SQSRecord(sqs_event([message], "arn:aws:sqs:eu-central-1:123456789012:q", "eu-central-1")["Records"][0])


def _next_line(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    logger.info("a line of the next invocation")
    return dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))


def test_a_failed_turn_records_keys_do_not_reach_the_next_invocation(capsys: pytest.CaptureFixture[str]) -> None:
    worker = load_module(FUNCTIONS["ConversationWorkerFunction"], container=91)
    forget_cold_starts()  # no settings here: building the worker fails
    with pytest.raises(SettingsError):
        worker.answer(_record({"company_id": 5, "client_key": "79990000001", "wamid": "wamid.A"}))
    line = _next_line(capsys)
    assert "sqs_message_id" not in line
    assert "company_id" not in line


def test_a_sync_batchs_run_id_and_job_do_not_reach_the_next_invocation(capsys: pytest.CaptureFixture[str]) -> None:
    forget_cold_starts()
    body = {"run_id": 77, "seq": 3, "company_id": 5, "job": "clients", "part": "client_pages"}
    with pytest.raises(SettingsError):
        sync.handle_batch_record(_record(body))
    line = _next_line(capsys)
    assert not {"run_id", "batch", "job"} & set(line)


def test_keys_of_one_thread_never_show_on_another_threads_lines(capsys: pytest.CaptureFixture[str]) -> None:
    inside, done = threading.Event(), threading.Event()

    def one_record() -> None:
        with log_keys(run_id=42, job="clients"):
            inside.set()
            done.wait(5)

    thread = threading.Thread(target=one_record)
    thread.start()
    assert inside.wait(5)
    try:
        line = _next_line(capsys)
    finally:
        done.set()
        thread.join()
    assert "run_id" not in line and "job" not in line


def test_keys_are_on_their_records_lines(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    with log_keys(sqs_message_id=MESSAGE_ID, company_id=5):
        logger.info("inside the record")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["sqs_message_id"] == MESSAGE_ID  # a UUID is not a phone: it stays whole
    assert line["company_id"] == 5
