from ai_admin.observability import Tracing


def handler(event: dict[str, object], context: object) -> dict[str, object]:
    return {"event": event}


def test_with_tracing_off_functions_run_untraced() -> None:
    tracing = Tracing(service="test", enabled=False)
    assert tracing.tracer is None
    assert tracing.capture_lambda_handler(handler) is handler
    assert tracing.capture_method(handler) is handler
