"""The short list of failures the domain talks about; adapters translate infrastructure errors into these."""


class AiAdminError(Exception):
    """Base of every error raised on purpose by this package."""


class StorageUnavailable(AiAdminError):
    """PostgreSQL or Redis could not be reached or answered with an error."""


class UnknownSalon(AiAdminError):
    """No salon is configured for the given routing key (WhatsApp phone_number_id or company id)."""


class QueueUnavailable(AiAdminError):
    """A message could not be handed to the queue."""
