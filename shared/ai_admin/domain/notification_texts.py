"""The words of reminders and booking notifications: natural Russian with declined service and master
names ("на мужскую стрижку к Сергею"), several phrasings chosen by record id (so one visit always reads
the same, neighbours differ), times on the salon's clock.

Reminders carry two reply buttons whose ids name the record: ``visit_confirm:<record_id>`` and
``visit_decline:<record_id>``; outside the 24-hour window the same ids are the approved template's
quick-reply payloads. Template body parameters (every one non-empty, no line breaks):

- reminder template: ``{{1}}`` when ("завтра в 15:00"), ``{{2}}`` what ("на мужскую стрижку к Сергею"),
  ``{{3}}`` the salon's name;
- booking created: when, what, salon; booking moved: what, new when, old when; cancelled: what, when.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

from ai_admin.domain.booking_changes import BookingChange, ChangeKind
from ai_admin.domain.messages import ButtonsReply, ReplyButton, TemplateReply, TextReply
from ai_admin.domain.reminder_rules import ReminderKind, Visit
from ai_admin.domain.russian_format import clock, day_month, on_weekday
from ai_admin.domain.russian_words import Case, accusative, dative, genitive

CONFIRM_PREFIX = "visit_confirm:"
DECLINE_PREFIX = "visit_decline:"
CONFIRM_TITLE = "Подтверждаю"
DECLINE_TITLE = "Не смогу прийти"

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class VisitReply:
    """A tapped reminder button (or template quick reply): ``confirm`` or ``decline`` for a record."""

    action: str
    record_id: int


def parse_visit_reply(reply_id: str | None) -> VisitReply | None:
    for prefix, action in ((CONFIRM_PREFIX, "confirm"), (DECLINE_PREFIX, "decline")):
        if reply_id and reply_id.startswith(prefix) and reply_id[len(prefix) :].isdigit():
            return VisitReply(action, int(reply_id[len(prefix) :]))
    return None


def visit_reply_ids(record_id: int) -> tuple[str, str]:
    return f"{CONFIRM_PREFIX}{record_id}", f"{DECLINE_PREFIX}{record_id}"


# --- pieces ---------------------------------------------------------------------------------------


def when_phrase(start: datetime, now: datetime, tz: tzinfo) -> str:
    """ "сегодня в 09:30", "завтра в 15:00", "в четверг, 12 марта, в 15:00" (within a week),
    "12 марта в 15:00", "12 января 2027 года в 15:00" (another year)."""
    local, today = start.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    at = f"в {clock(local)}"
    if days == 0:
        return f"сегодня {at}"
    if days == 1:
        return f"завтра {at}"
    day = day_month(local.date())
    if 1 < days < 7:
        return f"{on_weekday(local.date())}, {day}, {at}"
    if local.year != today.year:
        return f"{day} {local.year} года {at}"
    return f"{day} {at}"


def _lower_first(title: str) -> str:
    """Service titles are capitalised in the CRM; mid-sentence they are not (abbreviations stay)."""
    head = title.split(" ", 1)[0]
    if len(head) > 1 and head[0].isupper() and head[1:].islower() and re.match(r"[А-ЯЁ]", head):
        return title[0].lower() + title[1:]
    return title


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " и " + items[-1]


def services_nominative(visit: Visit) -> str:
    titles = [_lower_first(_clean(t)) for t in visit.services if _clean(t)]
    return _join(titles) if titles else ""


def services_accusative(visit: Visit) -> str:
    titles = [_accusative(_clean(t)) for t in visit.services if _clean(t)]
    return _join(titles) if titles else ""


def master(visit: Visit, case: Case = Case.NOMINATIVE) -> str:
    name = _clean(visit.staff_name or "")
    return _declined_name(name, case) if name else ""


# A salon has a few dozen services and masters; a reminder run declines the same ones hundreds of times.
@lru_cache(maxsize=4096)
def _accusative(title: str) -> str:
    return _lower_first(accusative(title))


@lru_cache(maxsize=4096)
def _declined_name(name: str, case: Case) -> str:
    return {Case.DATIVE: dative, Case.GENITIVE: genitive}.get(case, lambda n: n)(name)


def what_phrase(visit: Visit) -> str:
    """ "на мужскую стрижку к Сергею", "на укладку", "к Сергею", or "на приём" when the record names neither."""
    services, to_master = services_accusative(visit), master(visit, Case.DATIVE)
    parts = ([f"на {services}"] if services else []) + ([f"к {to_master}"] if to_master else [])
    return " ".join(parts) or "на приём"


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _sentence(text: str) -> str:
    text = _clean(text)
    return text[:1].upper() + text[1:]


# --- reminders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    when: str
    what: str
    services: str
    master: str
    master_genitive: str
    address: str


def _words(visit: Visit, now: datetime, tz: tzinfo, address: str) -> _Words:
    return _Words(
        when=when_phrase(visit.start_at, now, tz),
        what=what_phrase(visit),
        services=services_nominative(visit),
        master=master(visit),
        master_genitive=master(visit, Case.GENITIVE),
        address=_clean(address),
    )


def _at_with(w: _Words) -> str:
    """ "Завтра в 15:00 у вас мужская стрижка у Сергея", degrading gracefully when a name is missing."""
    if w.services and w.master_genitive:
        return f"{w.when} у вас {w.services} у {w.master_genitive}."
    if w.services:
        return f"{w.when} у вас {w.services}."
    if w.master:
        return f"{w.when} вас ждёт {w.master}."
    return f"Напоминаем: {w.when} вы записаны {w.what}."


def _your_visit(w: _Words) -> str:
    details = ", ".join(p for p in (w.services, f"мастер {w.master}" if w.master else "") if p)
    return f"Ваша запись {w.when}: {details}. До встречи!" if details else f"Ждём вас {w.when}. До встречи!"


def _soon(w: _Words) -> str:
    if w.master and w.services:
        return f"Скоро увидимся! {_sentence(w.when)} вас ждёт {w.master}: {w.services}."
    return f"Скоро увидимся! Ждём вас {w.when} {w.what}."


def _with_address(w: _Words) -> str:
    return f"Ждём вас {w.when} {w.what}." + (f" Адрес: {w.address}." if w.address else "")


# No greetings: a reminder often lands in a conversation the bot has already greeted in.
_DAY_BEFORE: tuple[Callable[[_Words], str], ...] = (
    lambda w: f"Напоминаем: {w.when} вы записаны {w.what}.",
    lambda w: f"Ждём вас {w.when} {w.what}.",
    _at_with,
    lambda w: f"Напоминаем о записи {w.what} {w.when}.",
)
_DAY_BEFORE_ASK = (
    "Подтвердите, пожалуйста, визит: нажмите «Подтверждаю» или ответьте «да».",
    "Всё в силе? Нажмите кнопку или ответьте «да».",
    "Если планы изменились, нажмите «Не смогу прийти», и мы предложим другое время.",
)
_HOURS_BEFORE: tuple[Callable[[_Words], str], ...] = (
    lambda w: f"Напоминаем: {w.when} вы записаны {w.what}.",
    _soon,
    _with_address,
    _your_visit,
)
_HOURS_BEFORE_ASK = (
    "Если не успеваете, нажмите «Не смогу прийти», и мы что-нибудь придумаем.",
    "Всё в силе? Ответьте «да» или нажмите кнопку.",
)


def reminder_text(visit: Visit, kind: ReminderKind, now: datetime, tz: tzinfo, address: str = "") -> str:
    phrasings, asks = (
        (_DAY_BEFORE, _DAY_BEFORE_ASK) if kind is ReminderKind.DAY_BEFORE else (_HOURS_BEFORE, _HOURS_BEFORE_ASK)
    )
    w = _words(visit, now, tz, address)
    body = _sentence(phrasings[visit.record_id % len(phrasings)](w))
    ask = asks[(visit.record_id // len(phrasings)) % len(asks)]
    return f"{body}\n{ask}"


def reminder_message(visit: Visit, kind: ReminderKind, now: datetime, tz: tzinfo, address: str = "") -> ButtonsReply:
    confirm, decline = visit_reply_ids(visit.record_id)
    return ButtonsReply(
        reminder_text(visit, kind, now, tz, address),
        (ReplyButton(confirm, CONFIRM_TITLE), ReplyButton(decline, DECLINE_TITLE)),
    )


def reminder_template(
    visit: Visit, now: datetime, tz: tzinfo, *, name: str, language: str, salon: str
) -> TemplateReply:
    return TemplateReply(
        name,
        language,
        (when_phrase(visit.start_at, now, tz), what_phrase(visit), _clean(salon) or "салон"),
        visit_reply_ids(visit.record_id),
    )


# --- booking changes ------------------------------------------------------------------------------


def _moved_to(change: BookingChange, now: datetime, tz: tzinfo) -> str:
    new = when_phrase(change.visit.start_at, now, tz)
    old = change.previous_start
    if old is None:
        return new
    if old.astimezone(tz).date() == change.visit.start_at.astimezone(tz).date():
        return f"{new} вместо {clock(old.astimezone(tz))}"
    return f"{new} (было {when_phrase(old, now, tz)})"


def change_text(change: BookingChange, now: datetime, tz: tzinfo, address: str = "") -> str:
    visit, variant = change.visit, change.visit.record_id % 2
    when, what = when_phrase(visit.start_at, now, tz), what_phrase(visit)
    if change.kind is ChangeKind.CREATED:
        text = (f"Вы записаны {what} {when}. Ждём вас!", f"Мы записали вас {what} {when}. До встречи!")[variant]
        return text + (f" Адрес: {_clean(address)}." if _clean(address) else "")
    if change.kind is ChangeKind.MOVED:
        moved = _moved_to(change, now, tz)
        text = (
            f"Ваша запись {what} перенесена: теперь {moved}.",
            f"Время вашей записи {what} изменилось, теперь {moved}.",
        )[variant]
        return text + "\nЕсли так неудобно, напишите нам, и мы подберём другое время."
    return (
        f"Ваша запись {what} {when} отменена. Если хотите записаться снова, напишите нам.",
        f"Запись {what} {when} отменена. Напишите нам, и мы подберём другое время.",
    )[variant]


def change_message(change: BookingChange, now: datetime, tz: tzinfo, address: str = "") -> TextReply:
    return TextReply(change_text(change, now, tz, address))


def change_template(
    change: BookingChange, now: datetime, tz: tzinfo, *, names: dict[ChangeKind, str], language: str, salon: str
) -> TemplateReply:
    visit = change.visit
    when, what = when_phrase(visit.start_at, now, tz), what_phrase(visit)
    if change.kind is ChangeKind.CREATED:
        params: tuple[str, ...] = (when, what, _clean(salon) or "салон")
    elif change.kind is ChangeKind.MOVED:
        old = change.previous_start
        params = (what, when, when_phrase(old, now, tz) if old else "—")
    else:
        params = (what, when)
    return TemplateReply(names[change.kind], language, params)
