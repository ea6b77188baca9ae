"""What the booking monitor tells a client: a visit the salon created, moved or cancelled.

The monitor compares each mirrored record with the state it last saw (its snapshot). A record it has
never seen counts as created only when the CRM created it after the monitor started watching the salon
and recently enough to still be news; a record seen active and now cancelled (deleted or attendance -1)
is cancelled; a record seen at another start is moved. Past visits are never announced, nor changes
to a confirmed or attended flag (a 0 -> 2 or -> 1 change is not the client's business).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ai_admin.domain.reminder_rules import Visit


class ChangeKind(StrEnum):
    CREATED = "created"
    MOVED = "moved"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SeenState:
    """What the monitor last saw of a record, and how fresh the mirror's copy was then."""

    start_at: datetime
    cancelled: bool
    synced_at: datetime | None = None


@dataclass(frozen=True)
class BookingChange:
    kind: ChangeKind
    visit: Visit
    previous_start: datetime | None = None

    @property
    def notification_kind(self) -> str:
        """The ``sent_notifications.kind``: one key per record and change, and per new start for moves."""
        if self.kind is ChangeKind.MOVED:
            return f"monitor_moved:{iso_minute(self.visit.start_at)}"
        return f"monitor_{self.kind.value}"


def iso_minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def detect_change(
    visit: Visit,
    seen: SeenState | None,
    *,
    watching_since: datetime,
    now: datetime,
    news_for: timedelta,
) -> BookingChange | None:
    if visit.start_at.astimezone(UTC) <= now.astimezone(UTC):
        return None
    if seen is None:
        created = visit.crm_created_at
        if visit.cancelled or created is None or created < watching_since or now - created > news_for:
            return None
        return BookingChange(ChangeKind.CREATED, visit)
    if visit.cancelled:
        return None if seen.cancelled else BookingChange(ChangeKind.CANCELLED, visit, seen.start_at)
    if not seen.cancelled and seen.start_at != visit.start_at:
        return BookingChange(ChangeKind.MOVED, visit, seen.start_at)
    return None  # unchanged, or restored after a cancellation (told nothing, like the CRM's own UI)


def made_by_bot(change: BookingChange, bot_changes: set[str]) -> bool:
    """Whether the bot's own log (or the record's flag) explains the change."""
    if change.kind is ChangeKind.CREATED and change.visit.created_by_bot:
        return True
    return change.kind.value in bot_changes
