"""Phone numbers as the salon's CRM and WhatsApp know them, normalised to E.164."""

from __future__ import annotations

DEFAULT_REGION = "RU"


class InvalidPhone(ValueError):
    """The text is not a dialable phone number."""


def to_e164(raw: str | int, region: str = DEFAULT_REGION) -> str:
    """``+79161234567`` from any of ``79161234567``, ``89161234567``, ``9161234567``, ``+7 916 123-45-67``.

    WhatsApp ``wa_id`` values and YClients phones carry the country code without ``+``; a Russian
    trunk prefix 8 and a bare 10-digit mobile number are read in ``region``.
    """
    import phonenumbers  # here, not at the top: the webhook masks phones in logs but never parses them

    text = str(raw).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        raise InvalidPhone("no digits")
    if text.startswith("+"):
        candidate = "+" + digits
    elif region == "RU" and len(digits) == 11 and digits[0] == "8":
        candidate = "+7" + digits[1:]
    elif region == "RU" and len(digits) == 10 and digits[0] == "9":
        candidate = "+7" + digits
    else:
        candidate = "+" + digits
    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone(str(error)) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhone("impossible length for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_digits(e164: str) -> str:
    """The form YClients and WhatsApp expect in requests: country code and number, no ``+``."""
    return e164.lstrip("+")


def mask(phone: str) -> str:
    """``+7916*****67``: enough to tell clients apart in logs, not enough to call them."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 6:
        return "***"
    return f"+{digits[:4]}{'*' * (len(digits) - 6)}{digits[-2:]}"
