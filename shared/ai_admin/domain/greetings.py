"""When the bot says hello, and which hello fits the salon's hour."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def greeting_for(now: datetime, tz: tzinfo | None = None, *, language: str = "ru") -> str:
    """By the salon-local hour.

    04:00-11:59 "Доброе утро", 12:00-17:59 "Добрый день", 18:00-22:59 "Добрый вечер", else "Доброй ночи"
    (in English: Good morning, Good afternoon, Good evening, Hello).
    """
    hour = (now.astimezone(tz) if tz else now).hour
    english = language == "en"
    if 4 <= hour < 12:
        return "Good morning" if english else "Доброе утро"
    if 12 <= hour < 18:
        return "Good afternoon" if english else "Добрый день"
    if 18 <= hour < 23:
        return "Good evening" if english else "Добрый вечер"
    return "Hello" if english else "Доброй ночи"


def should_greet(last_bot_message_at: datetime | None, now: datetime, ttl: timedelta) -> bool:
    """Greet only in the bot's first message of a conversation.

    A conversation lives as long as its context: it is new when the bot has never written, or when its
    last message is at least ``ttl`` old. Both datetimes must be timezone-aware.
    """
    if last_bot_message_at is None:
        return True
    return now - last_bot_message_at >= ttl
