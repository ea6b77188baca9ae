"""What the bot says on its own, in Russian, before anyone smarter decides the answer."""

from __future__ import annotations

from ai_admin.conversation.ports import HandoffOutcome

PLEASE_WRITE_TEXT = (
    "Спасибо! К сожалению, я пока понимаю только текстовые сообщения. "
    "Пожалуйста, напишите ваш вопрос текстом — и я постараюсь помочь."
)
ASK_PHONE = (
    "Здравствуйте! Чтобы записать вас или найти вашу запись, пожалуйста, "
    "напишите ваш номер телефона, например +7 900 123-45-67."
)
TURN_FAILED = "Извините, у меня не получилось обработать ваше сообщение."


def handoff_said(outcome: HandoffOutcome, salon_phone: str = "") -> str:
    """The client's sentence about a hand-off: true to what happened (told, or nobody could be told)."""
    if outcome is HandoffOutcome.NOTIFIED:
        return "Передал ваш вопрос администратору — он свяжется с вами в ближайшее время."
    if outcome is HandoffOutcome.ALREADY_NOTIFIED:
        return "Администратор уже знает о вашем вопросе и свяжется с вами."
    call = f"позвоните, пожалуйста, в салон: {salon_phone}" if salon_phone else "позвоните, пожалуйста, в салон"
    return f"Не получилось сразу передать ваш вопрос администратору — {call}."
