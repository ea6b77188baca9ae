import io
import json
import uuid

from aws_lambda_powertools import Logger

from ai_admin.observability import MaskingFormatter, redact


def _logged(**extra: object) -> dict[str, object]:
    stream = io.StringIO()
    logger = Logger(service=f"masking-{uuid.uuid4().hex}", logger_formatter=MaskingFormatter(), stream=stream)
    logger.info("reply sent to 79161234567 for record 1213336367 on 2026-03-11 15:00", extra=extra)
    return json.loads(stream.getvalue())


def test_phone_numbers_in_messages_are_masked() -> None:
    line = _logged()
    assert "79161234567" not in json.dumps(line)
    assert "+7916*****67" in str(line["message"])


def test_record_ids_dates_and_times_stay_readable() -> None:
    message = str(_logged()["message"])
    assert "1213336367" in message
    assert "2026-03-11 15:00" in message


def test_personal_fields_are_masked_whatever_their_shape() -> None:
    line = _logged(
        phone="+7 916 123-45-67",
        client_name="Анна Петрова",
        wa_id="79161234567",
        contact={"name": "Анна", "email": "anna@example.org"},
    )
    text = json.dumps(line, ensure_ascii=False)
    for secret in ("Анна", "Петрова", "anna@example.org", "123-45-67", "79161234567"):
        assert secret not in text


def test_redact_leaves_system_keys() -> None:
    assert redact({"timestamp": "2026-11-24 03:00:00,000+0000"}) == {"timestamp": "2026-11-24 03:00:00,000+0000"}


def test_uuids_and_arns_stay_whole_while_phones_beside_them_are_masked() -> None:
    """Correlation ids (SQS message ids, request ids, queue ARNs) end in digit runs that look like phones."""
    message_id = "059f36b4-1a2b-4c3d-8e9f-123456789012"
    arn = "arn:aws:sqs:eu-central-1:123456789012:ai-admin-prod-conversation.fifo"
    line = _logged(sqs_message_id=message_id, queue=arn, group="1:79161234567")
    assert line["sqs_message_id"] == message_id
    assert line["queue"] == arn
    assert line["group"] == "1:+7916*****67"
    assert redact(f"{arn}:79161234567") == f"{arn}:+7916*****67"
