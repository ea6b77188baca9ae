"""The few ways a YClients call fails, as features see them (the adapter maps every response here)."""

from __future__ import annotations

from ai_admin.domain.errors import AiAdminError


class YClientsError(AiAdminError):
    def __init__(self, endpoint: str, message: str) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        self.message = message


class NotFound(YClientsError):
    """The company, record, staff member or service does not exist (HTTP 404)."""


class Forbidden(YClientsError):
    """The token is valid but lacks the right (403), e.g. no delete rights or a blacklisted client (434)."""

    def __init__(self, endpoint: str, message: str, code: int | None = None) -> None:
        super().__init__(endpoint, message)
        self.code = code


class TokenRejected(YClientsError):
    """YClients rejected the token (HTTP 401): a wrong partner token or a revoked user token."""


class ValidationFailed(YClientsError):
    """YClients refused the request's content; ``code`` is its own code (433, 436...) when it sent one."""

    def __init__(self, endpoint: str, message: str, code: int | None = None, errors: object | None = None) -> None:
        super().__init__(endpoint, message if code is None else f"{message} (code {code})")
        self.code = code
        self.errors = errors


class TimeTaken(ValidationFailed):
    """The slot is busy or outside working hours (booking code 433, or 409 on a record write)."""


class RateLimited(YClientsError):
    """YClients throttled us: HTTP 429 or a 200 with ``success: false`` and "Превышен лимит запросов"."""

    def __init__(self, endpoint: str, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(endpoint, message)
        self.retry_after_s = retry_after_s


class Unavailable(YClientsError):
    """YClients did not answer usefully: 5xx, a timeout or a broken connection, after every retry."""


class MalformedResponse(YClientsError):
    """The response is not what the endpoint documents: not JSON, no ``data``, or wrong types."""


class RateBudgetExhausted(RateLimited):
    """Our own shared limiter found no room within the allowed wait; nothing was sent."""
