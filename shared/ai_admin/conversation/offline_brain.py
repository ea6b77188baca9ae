"""The offline brain: a deterministic reading of Russian client messages that drives the same tools
as the LLM. It is the local default without an LLM and the last link of the provider chain.

It reads intents from lemmas (pymorphy3 via ``domain.russian_words``) rather than lists of spellings,
finds service, master and time with the catalogue-aware matchers, and asks one short question when
something it needs is missing instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ai_admin.conversation.brain import BrainReply, Toolbox, ToolResult, TurnContext
from ai_admin.domain.catalogue_matching import match_services, match_staff
from ai_admin.domain.client_answers import read_answer
from ai_admin.domain.messages import ReplyButton
from ai_admin.domain.russian_dates import resolve_when
from ai_admin.domain.russian_words import accusative, dative, fold, lemmas

_CANCEL = frozenset({"отменить", "отмена", "отменять", "аннулировать"})
_MOVE = frozenset({"перенести", "перенос", "переносить", "перезаписать", "перезаписаться", "сдвинуть", "поменять"})
_BOOK = frozenset(
    {
        "записать",
        "записаться",
        "запись",
        "записывать",
        "хотеть",
        "можно",
        "свободный",
        "окошко",
        "окно",
        "забронировать",
    }
)
# Words that ask for the booking itself ("запишите", "хочу", "можно", "давайте"), not just for free times.
_BOOK_NOW = frozenset({"записать", "записаться", "хотеть", "можно", "забронировать", "давать", "подходить"})
_PRICE = frozenset({"стоить", "цена", "стоимость", "прайс", "почём", "почем", "прейскурант", "сколько"})
_EXPLAIN = frozenset({"входить", "рассказать", "подробный", "включать", "описание"})
_SCHEDULE = frozenset({"график", "расписание", "выходной", "смена"})
_HANDOFF = frozenset({"администратор", "человек", "оператор", "менеджер", "позвать", "жалоба", "живой", "руководитель"})
_THANKS = frozenset({"спасибо", "благодарить", "спс", "благодарю"})
_GREETING = frozenset({"привет", "здравствуйте", "здравствовать", "добрый", "доброе", "здорово", "хай", "hello", "hi"})
_MY_BOOKINGS = re.compile(r"(мо[яие]\w* запис|когда я записан|я записан|на когда я|во сколько я|мой визит)")
_NAME = re.compile(r"(?:меня зовут|моё имя|мое имя|зовут меня|это)\s+([А-ЯЁA-Z][а-яёa-z]+)", re.IGNORECASE)
_STAFF_REF = re.compile(r"\b(?:к|ко|у)\s+([А-ЯЁ][а-яё]{2,})")
_SERVICE_REF = re.compile(r"\bна\s+([а-яё]{4,})", re.IGNORECASE)
_NOT_SERVICES = frozenset(
    {
        "завтра",
        "сегодня",
        "послезавтра",
        "неделя",
        "следующий",
        "этот",
        "утро",
        "вечер",
        "день",
        "время",
        "час",
        "понедельник",
        "вторник",
        "среда",
        "четверг",
        "пятница",
        "суббота",
        "воскресенье",
        "выходной",
        "запись",
        "приём",
        "прием",
        "другой",
        "другое",
        "любой",
        "месяц",
        "число",
        "полчаса",
    }
)
_OPT_OUT = re.compile(
    r"^\s*стоп\b|не присылай|не отправляй|отпиш|не пишите мне|без напоминаний|не напоминай", re.IGNORECASE
)

HELP = (
    "Я могу записать вас на услугу, подсказать цены и свободное время, показать, перенести или отменить "
    "вашу запись. Что вас интересует?"
)


@dataclass(frozen=True)
class Reading:
    """What the message mentions: the raw words for each slot, resolved later by the tools."""

    lemmas: frozenset[str]
    service: str | None
    staff: str | None
    when: str | None
    unknown_service: str | None
    unknown_staff: str | None


def read(ctx: TurnContext) -> Reading:
    text = ctx.text
    found_lemmas = frozenset(lemmas(text))
    services = match_services(text, ctx.catalogue.services)
    staff = match_staff(text, ctx.catalogue.staff)
    when = resolve_when(text, ctx.now, hours=ctx.catalogue.salon.hours)
    unknown_service = None
    if services.unknown:
        for word in _SERVICE_REF.findall(text):
            if lemmas(word) and lemmas(word)[0] not in _NOT_SERVICES and not resolve_when(word, ctx.now).date:
                unknown_service = word
                break
    unknown_staff = None
    if staff.unknown:
        for word in _STAFF_REF.findall(text):
            if match_services(word, ctx.catalogue.services).unknown and lemmas(word)[0] not in _NOT_SERVICES:
                unknown_staff = lemmas(word)[0].capitalize()
                break
    return Reading(
        lemmas=found_lemmas,
        service=text if not services.unknown else None,
        staff=text if not staff.unknown else None,
        when=text if not when.is_empty else None,
        unknown_service=unknown_service,
        unknown_staff=unknown_staff,
    )


class OfflineBrain:
    name = "offline"

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float) -> BrainReply:
        result = self._decide(ctx, tools)
        if isinstance(result, ToolResult):
            return BrainReply(result.say, list(result.buttons), brain=self.name)
        return BrainReply(result, brain=self.name)

    def _decide(self, ctx: TurnContext, tools: Toolbox) -> ToolResult | str:  # noqa: PLR0911, PLR0912
        state = ctx.state
        for button in ctx.button_ids:
            handled = self._button(button, ctx, tools)
            if handled is not None:
                return handled
        if _OPT_OUT.search(ctx.text):
            return tools.run("stop_reminders", {})
        reading = read(ctx)
        answer = read_answer(ctx.text)
        folded = fold(ctx.text)
        words = reading.lemmas

        reminded = state.extra.get("reminded")
        if isinstance(reminded, int) and state.pending is None:
            handled = self._answer_reminder(reminded, ctx, tools, reading)
            if handled is not None:
                return handled
        if state.pending is not None:
            handled = self._answer_pending(ctx, tools, reading)
            if handled is not None:
                return handled

        if name := _name_in(ctx.text, answered_question=False):
            result = tools.run("save_client_name", {"name": name})
            if not (reading.service or reading.when):
                return result

        if reading.unknown_staff and (words & (_BOOK | _SCHEDULE) or reading.when or reading.service):
            return tools.run(
                "search_slots", _args(service=reading.service, staff=reading.unknown_staff, when=reading.when)
            )

        if words & _CANCEL:
            return tools.run("cancel_booking", {})
        if words & _MOVE or "другое время" in folded or "другой день" in folded:
            return tools.run("reschedule_booking", _args(when=_move_target(ctx), staff=reading.staff))
        if _MY_BOOKINGS.search(folded):
            return tools.run("list_my_bookings", {})
        if words & _HANDOFF:
            return tools.run("hand_off_to_admin", {"reason": "клиент просит администратора"})
        if words & _PRICE:
            state.extra["topic"] = "price"
            if reading.unknown_service:
                return tools.run("show_prices", {"service": reading.unknown_service})
            return tools.run("show_prices", _args(service=reading.service))
        if words & _EXPLAIN or "что такое" in folded or "что за " in folded:
            state.extra["topic"] = "explain"
            if reading.service:
                return tools.run("explain_service", {"service": reading.service})
            return tools.run("show_prices", {})
        if words & _SCHEDULE or ("работает" in folded and reading.staff):
            return tools.run("staff_schedule", _args(staff=reading.staff, when=reading.when))

        booking = bool(words & _BOOK) or bool(reading.when) or bool(reading.staff)
        if reading.unknown_service and (booking or reading.service is None):
            return tools.run("search_slots", {"service": reading.unknown_service})
        if not booking and reading.service and state.extra.get("topic") in {"price", "explain"}:
            topic = state.extra["topic"]
            return tools.run("show_prices" if topic == "price" else "explain_service", {"service": reading.service})
        if answer == "yes" and len(state.offered) == 1 and not reading.when:
            return tools.run("create_booking", {})
        if answer == "yes" and state.extra.get("usual_offered") and not reading.when:
            state.extra.pop("usual_offered", None)
            return tools.run("search_slots", {})
        if booking or reading.service:
            state.extra["topic"] = "booking"
            if not reading.service and not state.service_ids:
                usual = self._usual(ctx)
                if usual:
                    return usual
            asks_to_book = bool(words & _BOOK_NOW) or bool(state.offered)
            has_time = bool(reading.when) and _has_time(ctx, reading.when or "")
            if has_time and asks_to_book and (state.service_ids or reading.service):
                return tools.run(
                    "create_booking", _args(service=reading.service, staff=reading.staff, when=reading.when)
                )
            return tools.run("search_slots", _args(service=reading.service, staff=reading.staff, when=reading.when))
        if answer == "no":
            state.offered = []
            return "Хорошо. Если понадобится — пишите, я на связи."
        if answer == "yes":
            return "Отлично! Если понадобится что-то ещё — пишите."
        if words & _THANKS:
            return "Пожалуйста! Будем рады вас видеть."
        if words & _GREETING:
            return "Чем могу помочь? " + HELP.split(". ", 1)[0] + "."
        return HELP

    def _answer_pending(self, ctx: TurnContext, tools: Toolbox, reading: Reading) -> ToolResult | str | None:
        """The bot asked something (a name, a yes to cancel/move); this turn may be the answer."""
        state = ctx.state
        pending = state.pending
        assert pending is not None
        answer = read_answer(ctx.text)
        if pending.kind == "book" and not reading.when and not reading.service:
            name = _name_in(ctx.text, answered_question=True)
            if name:
                return tools.run("save_client_name", {"name": name})
        if answer == "no" and not reading.when:
            state.pending = None
            state.offered = []
            return "Хорошо, оставляю всё как есть. Чем ещё могу помочь?"
        if answer == "yes" and pending.kind == "cancel":
            return tools.run("cancel_booking", {"record_id": pending.record_id})
        if answer == "yes" and pending.kind == "move" and pending.start is not None and not reading.when:
            return tools.run("reschedule_booking", {"record_id": pending.record_id})
        if pending.kind == "move" and reading.when and not (reading.lemmas & _CANCEL):
            return tools.run(
                "reschedule_booking", _args(record_id=pending.record_id, when=reading.when, staff=reading.staff)
            )
        return None

    def _answer_reminder(
        self, record_id: int, ctx: TurnContext, tools: Toolbox, reading: Reading
    ) -> ToolResult | str | None:
        """The bot's last message was a reminder of ``record_id``: "да"/"+"/"1"/"приду" confirm the visit,
        "нет"/"-"/"3"/"не приду" lead to cancel-or-move, "отмените" states the cancellation."""
        answer = read_answer(ctx.text)
        if reading.lemmas & _CANCEL:
            ctx.state.extra.pop("reminded", None)
            return tools.run("cancel_booking", {"record_id": record_id})
        if reading.lemmas & _MOVE:
            ctx.state.extra.pop("reminded", None)
            return tools.run("reschedule_booking", _args(record_id=record_id, when=reading.when))
        if answer == "yes":
            ctx.state.extra.pop("reminded", None)
            return tools.run("confirm_visit", {"record_id": record_id})
        if answer == "no":
            ctx.state.extra.pop("reminded", None)
            return self._decline(record_id)
        return None

    def _decline(self, record_id: int | None) -> ToolResult:
        raw = str(record_id or "")
        return ToolResult(
            True,
            {},
            "Жаль! Отменить запись или перенести на другое время?",
            [ReplyButton(f"visit_cancel:{raw}", "Отменить"), ReplyButton(f"visit_move:{raw}", "Перенести")],
        )

    def _usual(self, ctx: TurnContext) -> str | None:
        """ "Как обычно, к Сергею?" for a returning client who did not name a service."""
        profile = ctx.profile
        if profile is None or not profile.favourite_service_ids:
            return None
        service = ctx.catalogue.service(profile.favourite_service_ids[0])
        if service is None:
            return None
        member = next(
            (m for i in profile.favourite_staff_ids if (m := ctx.catalogue.member(i)) and service.id in m.service_ids),
            None,
        )
        ctx.state.service_ids = [service.id]
        ctx.state.staff_id = member.id if member else None
        ctx.state.extra["usual_offered"] = True
        who = f" к {dative(member.name)}" if member else ""
        return f"Как обычно — на {accusative(service.title).lower()}{who}? Подобрать время?"

    def _button(self, button: str, ctx: TurnContext, tools: Toolbox) -> ToolResult | str | None:
        kind, _, raw_id = button.partition(":")
        record_id = int(raw_id) if raw_id.isdigit() else None
        if kind == "visit_confirm":
            ctx.state.extra.pop("reminded", None)
            return tools.run("confirm_visit", {"record_id": record_id})
        if kind == "visit_decline":
            ctx.state.extra.pop("reminded", None)
            return self._decline(record_id)
        if kind == "visit_cancel":
            return tools.run("cancel_booking", {"record_id": record_id})
        if kind == "visit_move":
            return tools.run("reschedule_booking", {"record_id": record_id})
        return None


def _args(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _move_target(ctx: TurnContext) -> str | None:
    """The new day/time of a move: what follows the move word ("не успеваю завтра, перенесите на
    пятницу" means Friday), or the whole message when nothing follows it."""
    text = ctx.text
    for match in re.finditer(r"[а-яё]+", text.lower()):
        if set(lemmas(match.group())) & _MOVE:
            rest = text[match.end() :]
            if not resolve_when(rest, ctx.now, hours=ctx.catalogue.salon.hours).is_empty:
                return rest
    return text if not resolve_when(text, ctx.now, hours=ctx.catalogue.salon.hours).is_empty else None


def _has_time(ctx: TurnContext, text: str) -> bool:
    return resolve_when(text, ctx.now, hours=ctx.catalogue.salon.hours).time is not None


def _name_in(text: str, *, answered_question: bool) -> str | None:
    match = _NAME.search(text)
    if match:
        return match.group(1)
    if answered_question:
        cleaned = text.strip().strip(".!")
        parts = cleaned.split()
        if 1 <= len(parts) <= 2 and all(p.isalpha() for p in parts) and read_answer(cleaned) is None:
            return cleaned
    return None
