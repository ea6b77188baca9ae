"""What the salon's own data answers: prices, what a service is, who does it, the address, the hours.
Every figure comes from the synced catalogue and schedules, never from a model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ai_admin.conversation.model import Catalogue, ServiceInfo, StaffInfo
from ai_admin.conversation.tools.free_times import Calendar
from ai_admin.domain.beauty_terms import areas_of
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.russian_words import fold

PRICE_LIST_LINES = 15
LISTED_SERVICES = 8


@dataclass(frozen=True)
class Area:
    """Services near what the client asked for, and the category they share (when they share one)."""

    title: str | None
    services: tuple[ServiceInfo, ...]


def services_of(catalogue: Catalogue, ids: Sequence[int]) -> list[ServiceInfo]:
    return [s for i in ids if (s := catalogue.service(i)) is not None]


def area_of(words: str, catalogue: Catalogue) -> Area:
    """The salon's services in the area of an unknown service ("блонд" -> the colouring services);
    the first services of the list when no area is recognised."""
    for stems in areas_of(words):
        near = tuple(s for s in catalogue.services if any(stem in fold(f"{s.category} {s.title}") for stem in stems))
        if near:
            categories = {s.category for s in near if s.category}
            return Area(next(iter(categories)) if len(categories) == 1 else None, near[:LISTED_SERVICES])
    return Area(None, catalogue.services[:LISTED_SERVICES])


def listed(services: Sequence[ServiceInfo], total: int | None = None) -> str:
    titles = [s.title for s in services]
    more = (total or len(titles)) - len(titles)
    return ", ".join(titles) + (f" и ещё {more}" if more > 0 else "")


def able(catalogue: Catalogue, service_ids: Sequence[int]) -> list[StaffInfo]:
    return catalogue.staff_for(list(service_ids))


def week_hours(calendar: Calendar, start: date) -> list[tuple[date, TimeWindow | None]]:
    return [(day, calendar.salon_hours(day)) for day in (start + timedelta(days=n) for n in range(7))]
