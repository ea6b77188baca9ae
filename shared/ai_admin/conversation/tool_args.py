"""The tools the administrator (LLM or offline brain) may call, as validated argument models.

Arguments carry the client's own words for dates, services and masters ("завтра в 3", "стрижку",
"к Сергею"); code resolves them against the salon's clock and catalogue. The model never computes a
date, a price or a free time itself.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SearchSlots(_Args):
    """Free times for a service, optionally with a master and a day/time in the client's words."""

    service: str | None = Field(default=None, description="the service as the client named it")
    staff: str | None = Field(default=None, description="the master as the client named them")
    when: str | None = Field(default=None, description="the day and/or time in the client's words, e.g. 'завтра в 3'")


class CreateBooking(_Args):
    """Book the client. Times must be ones the client chose; code checks they are free."""

    service: str | None = None
    staff: str | None = None
    when: str | None = Field(default=None, description="the chosen day and time in the client's words")


class RescheduleBooking(_Args):
    """Move one of the client's own bookings; the first call states it, a confirmed turn executes it."""

    record_id: int | None = Field(default=None, description="which booking, when the client has several")
    when: str | None = Field(default=None, description="the new day and time in the client's words")
    staff: str | None = None


class CancelBooking(_Args):
    """Cancel one of the client's own bookings; the first call states it, a confirmed turn executes it."""

    record_id: int | None = None


class ConfirmVisit(_Args):
    """The client confirms they will come to a booking (after a reminder)."""

    record_id: int | None = None


class ListMyBookings(_Args):
    """The client's upcoming bookings."""


class ShowPrices(_Args):
    """Prices of a service or category, or the price list."""

    service: str | None = Field(default=None, description="a service or category; empty for the price list")


class ExplainService(_Args):
    """What a service includes and how long it takes."""

    service: str


class StaffSchedule(_Args):
    """Which days and hours a master works."""

    staff: str | None = None
    when: str | None = None


class SaveClientName(_Args):
    """Remember the name the client gave."""

    name: str = Field(min_length=1, max_length=60)


class StopReminders(_Args):
    """The client asks to stop reminders and notifications ("стоп", "не присылайте напоминания")."""


class HandOffToAdmin(_Args):
    """Pass the conversation to a human administrator (complaints, requests the tools cannot do)."""

    reason: str = Field(default="", max_length=300)


TOOLS: dict[str, type[_Args]] = {
    "search_slots": SearchSlots,
    "create_booking": CreateBooking,
    "reschedule_booking": RescheduleBooking,
    "cancel_booking": CancelBooking,
    "confirm_visit": ConfirmVisit,
    "list_my_bookings": ListMyBookings,
    "show_prices": ShowPrices,
    "explain_service": ExplainService,
    "staff_schedule": StaffSchedule,
    "save_client_name": SaveClientName,
    "hand_off_to_admin": HandOffToAdmin,
    "stop_reminders": StopReminders,
}


def openai_tools() -> list[dict[str, Any]]:
    """The tool list in the OpenAI chat-completions format, trimmed of what only costs prompt tokens
    (titles, null defaults, ``anyOf`` with null: an optional argument is simply left out; extra keys are
    rejected by the toolbox's validation, not by the schema)."""
    tools = []
    for name, model in TOOLS.items():
        tools.append(
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": (model.__doc__ or name).strip(),
                    "parameters": _compact(model.model_json_schema()),
                },
            }
        )
    return tools


def _compact(schema: dict[str, Any]) -> dict[str, Any]:
    properties = {}
    for key, spec in schema.get("properties", {}).items():
        kept = {k: v for k, v in spec.items() if k not in ("title", "default", "anyOf")}
        kept.update(next((a for a in spec.get("anyOf", []) if a.get("type") != "null"), {}))
        properties[key] = kept
    compact: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        compact["required"] = schema["required"]
    return compact
