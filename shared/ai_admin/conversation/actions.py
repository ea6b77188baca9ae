"""What the bot can do to the world in a turn. One list for the tools that act, the check that no
reply claims an act not done, and the notes that keep the booking monitor from announcing our own
changes (``Action.value`` is the change name stored in ``bot_record_changes``)."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    BOOKED = "created"
    MOVED = "moved"
    EXTENDED = "extended"  # services added to a booking, at its own start
    CANCELLED = "cancelled"
    CONFIRMED = "confirmed"
    OPTED_OUT = "opted_out"
    HANDED_OFF = "handed_off"
