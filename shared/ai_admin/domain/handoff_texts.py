"""What the bot writes to a salon's administrators about hand-offs, and how it reads their "готово".

The alert names the client (name and full number: the administrator has to reach them), the reason and
the last messages, with one reply button ``handoff_done:<handoff_id>`` ("Готово"). Outside the 24-hour
window the approved template carries the same in one line per parameter (no line breaks are allowed
there): ``{{1}}`` the client, ``{{2}}`` the reason, ``{{3}}`` the last messages; the button id is its
quick-reply payload.

An administrator closes a hand-off by tapping the button, or by writing "готово" (with the last digits
of the client's number when several are open: "готово 0001").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DONE_PREFIX = "handoff_done:"
DONE_TITLE = "Готово"
MAX_BODY = 1024  # a reply-button message's body
MAX_PARAM = 300
_DONE = re.compile(r"^\W*готово\b\D*(\d{4,15})?", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Said:
    """One transcript line: ``by`` is "in" (the client) or "out" (the bot)."""

    by: str
    text: str


@dataclass(frozen=True)
class Alert:
    handoff_id: int
    client_name: str | None
    client_phone: str | None
    reason: str
    recent: tuple[Said, ...]
    bot_pauses: bool

    @property
    def done_id(self) -> str:
        return f"{DONE_PREFIX}{self.handoff_id}"


@dataclass(frozen=True)
class DoneRequest:
    """An administrator's "готово": for one hand-off (its button), a client's number ending, or any."""

    handoff_id: int | None = None
    phone_ending: str | None = None


def client_line(name: str | None, phone: str | None) -> str:
    """ "Анна, +79990000001"; whichever of the two is known."""
    parts = [p for p in (name, phone) if p]
    return ", ".join(parts) if parts else "клиент без имени и номера"


def _said(item: Said) -> str:
    return ("Клиент: " if item.by == "in" else "Бот: ") + _SPACES.sub(" ", item.text).strip()


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def alert_text(alert: Alert) -> str:
    """The free-form alert (inside the administrator's 24-hour window), at most ``MAX_BODY`` characters."""
    head = f"Нужен администратор: {alert.reason}.\nКлиент: {client_line(alert.client_name, alert.client_phone)}"
    tail = (
        "Бот не отвечает клиенту, пока вы не закроете передачу: нажмите «Готово» или ответьте «готово»."
        if alert.bot_pauses
        else "Бот продолжает отвечать клиенту. Когда закончите, нажмите «Готово» или ответьте «готово»."
    )
    lines = [_cut(_said(s), 200) for s in alert.recent]
    while lines:
        body = f"{head}\nПоследние сообщения:\n" + "\n".join(lines) + f"\n{tail}"
        if len(body) <= MAX_BODY:
            return body
        lines.pop(0)  # the oldest goes first
    return _cut(f"{head}\n{tail}", MAX_BODY)


def alert_params(alert: Alert) -> tuple[str, str, str]:
    """The template's ``{{1}}`` client, ``{{2}}`` reason, ``{{3}}`` last messages: one line each, non-empty."""
    recent = " / ".join(_said(s) for s in alert.recent) or "сообщений нет"
    return (
        _cut(client_line(alert.client_name, alert.client_phone), MAX_PARAM),
        _cut(_SPACES.sub(" ", alert.reason).strip() or "без причины", MAX_PARAM),
        _cut(recent, MAX_PARAM),
    )


def done_request(text: str, reply_ids: Sequence[str]) -> DoneRequest | None:
    """What an administrator's message asks to close, or None when it is not a "готово"."""
    for reply_id in reply_ids:
        if reply_id.startswith(DONE_PREFIX) and reply_id[len(DONE_PREFIX) :].isdigit():
            return DoneRequest(handoff_id=int(reply_id[len(DONE_PREFIX) :]))
    match = _DONE.match(text.replace("Ё", "Е").replace("ё", "е"))
    if match is None:
        return None
    return DoneRequest(phone_ending=match.group(1))


def closed_text(name: str | None, phone: str | None) -> str:
    return f"Передача закрыта: бот снова отвечает клиенту ({client_line(name, phone)})."


def already_closed_text() -> str:
    return "Эта передача уже закрыта: бот отвечает клиенту сам."


def nothing_open_text() -> str:
    return "Открытых передач нет: бот отвечает всем клиентам сам."


def which_one_text(open_clients: Sequence[tuple[str | None, str | None]]) -> str:
    listed = "\n".join(f"— {client_line(name, phone)}" for name, phone in open_clients)
    return (
        f"Открыто передач: {len(open_clients)}.\n{listed}\n"
        "Ответьте «готово» и последние 4 цифры номера клиента, например «готово 0001»."
    )


def admin_help_text(open_count: int) -> str:
    return (
        f"Это номер бота салона. Открытых передач: {open_count}. "
        "Когда закончите с клиентом, ответьте «готово» — бот снова будет ему отвечать."
    )
