"""The HTTP API resolver every API function uses, with domain errors mapped to statuses in one place."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from ai_admin.domain.errors import (
    InvalidSignature,
    PayloadTooLarge,
    QueueUnavailable,
    StorageUnavailable,
    UnknownSalon,
)
from ai_admin.observability import logger
from ai_admin.settings import SettingsError
from ai_admin.yclients.errors import YClientsError


def _json(status: int, message: str) -> Response[dict[str, str]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body={"error": message})


def http_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.exception_handler(SettingsError)  # type: ignore[untyped-decorator]
    def _settings(error: SettingsError) -> Response[dict[str, str]]:
        logger.error(str(error))
        return _json(500, "service misconfigured")

    @app.exception_handler(StorageUnavailable)  # type: ignore[untyped-decorator]
    def _storage(error: StorageUnavailable) -> Response[dict[str, str]]:
        logger.error("storage unavailable", extra={"detail": str(error)})
        return _json(503, "temporarily unavailable")

    @app.exception_handler(InvalidSignature)  # type: ignore[untyped-decorator]
    def _signature(error: InvalidSignature) -> Response[dict[str, str]]:
        logger.warning("rejected an unsigned or badly signed request", extra={"detail": str(error)})
        return _json(401, "invalid signature")

    @app.exception_handler(PayloadTooLarge)  # type: ignore[untyped-decorator]
    def _too_large(error: PayloadTooLarge) -> Response[dict[str, str]]:
        logger.warning("request body too large", extra={"detail": str(error)})
        return _json(413, "payload too large")

    @app.exception_handler(QueueUnavailable)  # type: ignore[untyped-decorator]
    def _queue(error: QueueUnavailable) -> Response[dict[str, str]]:
        logger.error("queue unavailable", extra={"detail": str(error)})
        return _json(503, "temporarily unavailable")

    @app.exception_handler(UnknownSalon)  # type: ignore[untyped-decorator]
    def _unknown(error: UnknownSalon) -> Response[dict[str, str]]:
        logger.warning("request for no salon we serve", extra={"detail": str(error)})
        return _json(404, "not found")

    @app.exception_handler(YClientsError)  # type: ignore[untyped-decorator]
    def _crm(error: YClientsError) -> Response[dict[str, str]]:
        logger.error("YClients unavailable", extra={"detail": str(error)})
        return _json(503, "temporarily unavailable")

    return app
