"""Checks free text a model proposed (small talk, a question the salon's data answers) before it is
sent: every act it claims must have been done this turn, and every time, date, price or other number
in it must be one the salon's data or the engine's own sentences of this turn contain. Tool-call
markup or JSON is never client text. A reply that fails is not sent; the engine's sentence is."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from ai_admin.conversation.actions import Action
from ai_admin.conversation.model import Catalogue
from ai_admin.conversation.understanding import Understanding
from ai_admin.domain.russian_words import fold
from ai_admin.observability import logger

_ACT_CLAIMS: dict[Action, re.Pattern[str]] = {
    Action.BOOKED: re.compile(
        r"\bзаписал[аи]?\b|\bзаписан[аыо]?\b|\bоформил[аи]?\b|\bзабронировал[аи]?\b"
        r"|\b(запись|бронь)\s+(\S+\s+){0,3}(создана|оформлена|подтверждена|сделана|готова)"
        r"|\b(you are|you're|i have|i've)\s+booked\b"
        r"|\b(appointment|booking|reservation)\s+(\S+\s+){0,4}(is\s+)?(set|booked|confirmed|made|scheduled)\b",
    ),
    Action.MOVED: re.compile(r"\bперен[её]с(ла|ли)?\b|\bперенесена\b|\b(rescheduled|moved your)\b"),
    Action.CANCELLED: re.compile(r"\bотменил[аи]?\b|\bотменена\b|\bcancell?ed\b"),
    Action.CONFIRMED: re.compile(r"\bподтвердил[аи]?\s+(ваш|визит|запись)"),
    Action.OPTED_OUT: re.compile(r"\bотключил[аи]?\b|\bбольше не (буду|будем) (присылать|напоминать)|\bunsubscribed\b"),
    Action.HANDED_OFF: re.compile(r"\bпередал[аи]?\b|\bpassed (it|your)\b"),
}
# A model reads before anything is done, so nothing it writes can rest on a result of this turn: a time, a
# day or a booking in its text is the engine's to say (from the CRM), never the model's.
_ENGINE_ONLY = {
    "states a time": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(am|pm)\b|\bв\s+\d{1,2}\s+(утра|вечера|дня|час)"),
    "states a day": re.compile(
        r"\b(сегодня|завтра|послезавтра|понедельник|вторник|сред[аыуе]\b|четверг|пятниц|суббот|воскресень"
        r"|today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    ),
    "speaks of a booking": re.compile(
        r"\bзапис[аиыьяю]|\bзапишу\b|\bброн[иья]|\bжд[её]м\s+вас\b|\bappointment|\bbooking|\breservation"
        r"|\bbooked\b|\bsee you\b"
    ),
}
_MARKUP = re.compile(
    r"<\s*/?\s*(tool|function|tool_call|invoke|parameter)|```|\{\s*\"|\[\s*\{|\bfunction_call\b"
    r"|<\s*[|｜]|[|｜]\s*>|▁"  # DeepSeek's <｜tool▁calls▁begin｜>, Llama's <|python_tag|>
    r"|\b[a-z_]+\s*\(\s*(\w+\s*=|[\"'{)])",  # a call written out: book(when="завтра"), my_bookings()
    re.I,
)
_NUMBER = re.compile(r"\d+(?:[:.]\d+)*")
_MONTH = re.compile(
    r"\b(январ|феврал|март|апрел|ма[йя]\b|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    r"january|february|march|april|may\b|june|july|august|september|october|november|december)",
    re.I,
)


@dataclass(frozen=True)
class ClaimCheck:
    ok: bool
    problems: tuple[str, ...] = ()


def salon_facts(catalogue: Catalogue) -> str:
    """The figures a reply may quote without a tool: prices, durations, the address and phone, the hours."""
    salon = catalogue.salon
    parts = [salon.title, salon.address, salon.phone]
    for service in catalogue.services:
        parts.append(f"{service.title} {service.price or ''} {service.price_max or ''} {service.minutes}")
    for edge in (salon.hours.start, salon.hours.end):
        if edge is not None:
            parts.append(f"{edge:%H:%M} {edge.hour}")
    return " ".join(str(p) for p in parts if p)


def has_markup(text: str) -> bool:
    """Tool-call markup or JSON a model leaked into its text."""
    return bool(_MARKUP.search(text))


def check(text: str, *, acts: Collection[Action], known: str) -> ClaimCheck:
    """``known``: everything the reply may quote (the engine's sentences this turn and ``salon_facts``)."""
    problems: list[str] = []
    folded = fold(text)
    if has_markup(text):
        problems.append("markup")
    for action, claim in _ACT_CLAIMS.items():
        if claim.search(folded) and action not in acts:
            problems.append(f"claims {action.value}")
    problems += [problem for problem, said in _ENGINE_ONLY.items() if said.search(folded)]
    known_numbers = {_plain(n) for n in _NUMBER.findall(known)}
    for number in _NUMBER.findall(text):
        if _plain(number) not in known_numbers:
            problems.append(f"unsupported figure {number}")
    if _MONTH.search(folded) and not _MONTH.search(fold(known)):
        problems.append("unsupported date")
    return ClaimCheck(not problems, tuple(problems))


def _plain(number: str) -> str:
    """ "09:00" and "9:00" are one time; "1500.0" and "1500" one price."""
    head = number.split(".", maxsplit=1)[0] if re.fullmatch(r"\d+\.0+", number) else number
    return ":".join(part.lstrip("0") or "0" for part in head.split(":"))


@dataclass(frozen=True)
class CheckedReply:
    understanding: Understanding  # without the model's text when it failed the check
    claimed_acts: bool = False  # the text claimed an act that was not done: a person should look


def check_reply(understood: Understanding, catalogue: Catalogue) -> CheckedReply:
    """A reader's proposed text goes on only when ``check`` passes; the model reads before anything
    acts, so no act of this turn can bear a claim out."""
    if not understood.reply:
        return CheckedReply(understood)
    verdict = check(understood.reply, acts=(), known=salon_facts(catalogue))
    if verdict.ok:
        return CheckedReply(understood)
    logger.warning("model text dropped", extra={"problems": list(verdict.problems), "reader": understood.reader})
    kept = replace(understood, reply=None)
    return CheckedReply(kept, claimed_acts=any(p.startswith("claims") for p in verdict.problems))
