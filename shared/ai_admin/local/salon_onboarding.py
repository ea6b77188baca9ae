"""``ai-admin salon add``: a salon joins without SQL by hand. Every value is checked first (the YClients
company must exist and answer to our tokens, the WhatsApp number must not belong to another salon), and
nothing is written unless all of it holds."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pg8000.native

from ai_admin.domain.reminder_rules import clock_time
from ai_admin.handoff.ports import admin_phones
from ai_admin.yclients.errors import Forbidden, NotFound, TokenRejected, YClientsError

_PHONE_NUMBER_ID = re.compile(r"^\d{5,20}$")


class OnboardingError(ValueError):
    """A value is wrong, or YClients or the database says no; nothing was written."""


@dataclass(frozen=True)
class NewSalon:
    company_id: int
    phone_number_id: str
    timezone: str | None = None  # default: the one YClients has for the company
    admins: tuple[str, ...] = ()
    reminders_from: str | None = None
    reminders_to: str | None = None
    pause_bot: bool | None = None  # None: as it is (new salons: the bot pauses during a hand-off)
    pause_hours: float | None = None


@dataclass(frozen=True)
class Added:
    company_id: int
    title: str
    timezone: str
    admins: tuple[str, ...]
    settings: dict[str, Any]
    updated: bool


def checked(salon: NewSalon) -> tuple[tuple[str, ...], dict[str, str]]:
    """The administrators in E.164 and the reminder window, or every problem in one ``OnboardingError``."""
    problems = []
    if salon.company_id <= 0:
        problems.append(f"company id {salon.company_id} must be a positive YClients company id")
    if not _PHONE_NUMBER_ID.match(salon.phone_number_id):
        problems.append(f"phone_number_id {salon.phone_number_id!r} must be the digits Meta shows for the number")
    if salon.timezone is not None:
        try:
            ZoneInfo(salon.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"time zone {salon.timezone!r} is unknown (e.g. Europe/Moscow)")
    admins, invalid = admin_phones(salon.admins)
    problems += [f"admin {value!r} is not a phone number" for value in invalid]
    window: dict[str, str] = {}
    if (salon.reminders_from is None) != (salon.reminders_to is None):
        problems.append("--reminders-from and --reminders-to go together")
    elif salon.reminders_from is not None and salon.reminders_to is not None:
        start, end = clock_time(salon.reminders_from), clock_time(salon.reminders_to)
        if start is None or end is None or start >= end:
            problems.append(
                f"reminder window {salon.reminders_from}-{salon.reminders_to} must be HH:MM-HH:MM, start first"
            )
        else:
            window = {"evening_from": f"{start:%H:%M}", "evening_to": f"{end:%H:%M}"}
    if salon.pause_hours is not None and not 0 < salon.pause_hours <= 168:
        problems.append(f"--pause-hours {salon.pause_hours:g} must be more than 0 and at most 168 (a week)")
    if problems:
        raise OnboardingError("; ".join(problems))
    return admins, window


def add_salon(conn: pg8000.native.Connection, yclients: Any, salon: NewSalon, *, update: bool = False) -> Added:
    """Checks ``salon`` against the rules, YClients and the database, then writes its ``companies`` row."""
    admins, window = checked(salon)
    try:
        company = yclients.company(salon.company_id)
    except NotFound:
        raise OnboardingError(f"YClients has no company {salon.company_id}") from None
    except (TokenRejected, Forbidden) as error:
        raise OnboardingError(f"YClients refused our tokens for company {salon.company_id}: {error.message}") from None
    except YClientsError as error:
        raise OnboardingError(f"YClients did not confirm company {salon.company_id}: {error}") from None
    timezone = salon.timezone or company.timezone_name or "Europe/Moscow"
    existing = conn.run("SELECT title, settings FROM companies WHERE company_id = :id", id=salon.company_id)
    if existing and not update:
        raise OnboardingError(
            f"company {salon.company_id} is already a salon here ({existing[0][0]}): pass --update to change it"
        )
    taken = conn.run(
        "SELECT company_id FROM companies WHERE whatsapp_phone_number_id = :number AND company_id <> :id",
        number=salon.phone_number_id,
        id=salon.company_id,
    )
    if taken:
        raise OnboardingError(f"phone_number_id {salon.phone_number_id} already belongs to salon {taken[0][0]}")
    settings: dict[str, Any] = dict(existing[0][1] or {}) if existing else {}
    if admins or not existing:
        settings["admins"] = list(admins)
    if window:
        settings["reminders"] = {**(settings.get("reminders") or {}), **window}
    handoff = {
        key: value
        for key, value in (("pause_bot", salon.pause_bot), ("pause_hours", salon.pause_hours))
        if value is not None
    }
    if handoff:
        settings["handoff"] = {**(settings.get("handoff") or {}), **handoff}
    conn.run(
        "INSERT INTO companies (company_id, title, address, phone, timezone, whatsapp_phone_number_id, settings,"
        " active) VALUES (:id, :title, :address, :phone, :tz, :number, CAST(:settings AS jsonb), true)"
        " ON CONFLICT (company_id) DO UPDATE SET title = EXCLUDED.title, address = EXCLUDED.address,"
        " phone = EXCLUDED.phone, timezone = EXCLUDED.timezone,"
        " whatsapp_phone_number_id = EXCLUDED.whatsapp_phone_number_id, settings = EXCLUDED.settings, active = true",
        id=salon.company_id,
        title=company.title or f"Салон {salon.company_id}",
        address=company.address,
        phone=company.phone or None,
        tz=timezone,
        number=salon.phone_number_id,
        settings=json.dumps(settings, ensure_ascii=False),
    )
    return Added(salon.company_id, company.title, timezone, tuple(settings.get("admins", ())), settings, bool(existing))
