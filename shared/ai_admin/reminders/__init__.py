"""Reminders before visits and notifications of the salon's booking changes."""
