"""WhatsApp Cloud API: the webhook's use case, payload parsing, signatures and reply delivery."""
