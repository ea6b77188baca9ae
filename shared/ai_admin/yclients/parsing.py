"""Tolerant readers for the value shapes YClients mixes freely: ids and money as strings or numbers,
phones as numbers or formatted text, timestamps as ISO (``+03:00`` or ``+0300``), naive wall time or
Unix seconds, and ``[]`` / ``0`` / ``""`` standing for "empty"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ai_admin.domain.phones import InvalidPhone, to_e164

_DOTTED_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_NO_COLON_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", value):
        return int(float(value)) if "." in value else int(value)
    raise ValueError(f"not an integer: {value!r}")


def parse_optional_int(value: Any) -> int | None:
    return None if _empty(value) else parse_int(value)


def parse_money(value: Any) -> Decimal:
    """A money amount in the branch currency; empty reads as zero."""
    if _empty(value):
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, int | float | str):
        try:
            amount = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
        if amount.is_finite():
            return amount
    raise ValueError(f"not an amount: {value!r}")


def parse_phone(value: Any) -> str | None:
    """E.164 (``+79161234567``); empty or undialable values (admins type anything) read as None."""
    if _empty(value) or value == 0 or isinstance(value, bool):
        return None
    if not isinstance(value, int | str):
        raise ValueError(f"not a phone: {value!r}")
    try:
        return to_e164(value)
    except InvalidPhone:
        return None


def parse_flag(value: Any) -> bool:
    if _empty(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in {"0", "1", "true", "false"}:
        return value.strip().lower() in {"1", "true"}
    raise ValueError(f"not a flag: {value!r}")


def parse_timestamp(value: Any) -> datetime | None:  # noqa: PLR0911 - one branch per documented form
    """Aware for ISO with an offset and for Unix seconds (UTC); naive for company-local wall time."""
    if _empty(value) or value in (0, "0"):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=UTC)
        if text.startswith("0000-00-00"):
            return None
        dotted = _DOTTED_DATE.match(text)
        if dotted:
            return datetime(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        try:
            return datetime.fromisoformat(_NO_COLON_OFFSET.sub(r"\1:\2", text) if "T" in text else text)
        except ValueError:
            pass
    raise ValueError(f"not a timestamp: {value!r}")


def parse_date(value: Any) -> date | None:
    """A calendar date from ``YYYY-MM-DD``, ``dd.mm.yyyy``, a datetime text or Unix seconds; 0 is empty."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    moment = parse_timestamp(value)
    return None if moment is None else moment.date()


def empty_to_dict(value: Any) -> Any:
    """PHP serialises an empty map as ``[]``."""
    return {} if value == [] or value is None else value


def empty_to_none(value: Any) -> Any:
    return None if value in ([], {}, "") else value


def text(value: Any) -> Any:
    """Free text that may arrive as a number (``"comment": 0``) or null."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value
