import httpx

from ai_admin.local.gateway import LocalHttpApi, bind_routes
from ai_admin.local.invoke import resolve_handler
from ai_admin.local.stack import Stack


def test_health_is_served_on_localhost(local_stack: Stack, stack_env: dict[str, str]) -> None:
    functions = list(local_stack.template.functions().values())
    api = LocalHttpApi(bind_routes(functions, resolve_handler), port=0).start()
    try:
        response = httpx.get(f"{api.url}/health", timeout=10)
        missing = httpx.get(f"{api.url}/nowhere", timeout=10)
    finally:
        api.stop()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["postgres"]["detail"].startswith("schema ")
    assert missing.status_code == 404


def test_health_reports_an_unreachable_redis(local_stack: Stack, stack_env: dict[str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ai_admin import settings
    from ai_admin.bootstrap import health

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    settings.reset()
    health.probes.cache_clear()
    try:
        report = health.report().as_dict()
    finally:
        health.probes.cache_clear()
    assert report["status"] == "degraded"
    assert report["checks"]["redis"]["ok"] is False  # type: ignore[index]
    assert report["checks"]["postgres"]["ok"] is True  # type: ignore[index]
