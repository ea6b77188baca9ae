"""The short list of failures the domain talks about; adapters translate infrastructure errors into these."""


class AiAdminError(Exception):
    """Base of every error raised on purpose by this package."""


class StorageUnavailable(AiAdminError):
    """PostgreSQL or Redis could not be reached or answered with an error."""


class UnknownSalon(AiAdminError):
    """No salon is configured for the given routing key (WhatsApp phone_number_id or company id)."""


class QueueUnavailable(AiAdminError):
    """The message queue (SQS) could not accept or return a message."""


class InvalidSignature(AiAdminError):
    """A webhook delivery whose X-Hub-Signature-256 is missing or does not match the app secret."""


class PayloadTooLarge(AiAdminError):
    """A webhook body above the configured size limit."""


class MessengerUnavailable(AiAdminError):
    """The WhatsApp Cloud API could not be reached or failed on its side; retrying later may work."""


class MessengerThrottled(MessengerUnavailable):
    """WhatsApp kept answering with a throughput or pair-rate limit (130429, 131056) after our retries."""


class MessageRejected(AiAdminError):
    """WhatsApp refused the message itself (bad parameters, undeliverable); a retry will not help."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"WhatsApp error {code}: {detail}")
        self.code = code
        self.detail = detail


class OutsideServiceWindow(MessageRejected):
    """131047: more than 24 h since the client's last message; only an approved template may be sent."""
