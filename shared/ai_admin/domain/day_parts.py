"""Parts of the salon day as clients name them: утро, день, вечер."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import Enum


@dataclass(frozen=True)
class TimeWindow:
    """Start times from ``start`` (inclusive) up to ``end`` (exclusive); ``None`` leaves that side open."""

    start: time | None = None
    end: time | None = None

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, time):
            return False
        if self.start is not None and moment < self.start:
            return False
        return self.end is None or moment < self.end


class PartOfDay(Enum):
    """Morning is before 12:00, afternoon 12:00-18:00, evening 18:00 to midnight.

    The evening runs to midnight (not to closing time) so late slots are never left out of every group.
    """

    MORNING = "утро"
    AFTERNOON = "день"
    EVENING = "вечер"

    @property
    def window(self) -> TimeWindow:
        return _WINDOWS[self]

    @classmethod
    def of(cls, moment: time) -> PartOfDay:
        if moment < _NOON:
            return cls.MORNING
        if moment < _SIX_PM:
            return cls.AFTERNOON
        return cls.EVENING


_NOON = time(12)
_SIX_PM = time(18)
_WINDOWS = {
    PartOfDay.MORNING: TimeWindow(None, _NOON),
    PartOfDay.AFTERNOON: TimeWindow(_NOON, _SIX_PM),
    PartOfDay.EVENING: TimeWindow(_SIX_PM, None),
}
