"""Short answers a client gives to a question the bot asked: yes, no, or neither.

Covers reminder replies too: "да", "+", "1", "приду", "буду" confirm; "нет", "-" (or "--", "—"), "3",
"не приду" decline. Word forms are compared after folding (ё -> е, lower case, punctuation dropped).
"""

from __future__ import annotations

import re
from typing import Literal

from ai_admin.domain.russian_words import fold

Answer = Literal["yes", "no"]

_YES_WORDS = frozenset(
    {
        "да",
        "ага",
        "угу",
        "конечно",
        "давайте",
        "давай",
        "подтверждаю",
        "подтверждаем",
        "верно",
        "точно",
        "хорошо",
        "ок",
        "окей",
        "ok",
        "okay",
        "yes",
        "согласен",
        "согласна",
        "приду",
        "придем",
        "буду",
        "будем",
        "отменяйте",
        "отмените",
        "отменить",
        "переносите",
        "перенесите",
        "записывайте",
        "запишите",
        "можно",
        "разумеется",
        "естественно",
        "подходит",
        "устраивает",
        "годится",
        "ладно",
        "норм",
        "нормально",
        "го",
        "пойдет",
        "подойдет",
        "договорились",
        "идет",
        "yep",
        "si",
        "ja",
    }
)
_NO_WORDS = frozenset({"нет", "не", "неа", "no", "nope", "отказываюсь", "передумал", "передумала", "нельзя"})
_NO_PHRASES = ("не приду", "не буду", "не смогу", "не получится", "не надо", "не нужно", "не стоит", "не подходит")
_TOKEN = re.compile(r"[0-9a-zа-я+\-]+")


def read_answer(text: str) -> Answer | None:  # noqa: PLR0911 - one exit per kind of answer
    """``yes``/``no`` for a short reply; None when the message says something else (a new request)."""
    folded = fold(text).strip()
    if not folded:
        return None
    stripped = folded.strip(" .!,)(")
    if stripped in {"1", "👍"} or re.fullmatch(r"\+{1,3}", stripped):
        return "yes"
    if stripped in {"3", "👎"} or re.fullmatch(r"[-–—]{1,3}", stripped):
        return "no"
    if any(phrase in folded for phrase in _NO_PHRASES):
        return "no"
    tokens = _TOKEN.findall(folded)
    if not tokens:
        return None
    if tokens[0] in _NO_WORDS:
        return "no"
    if tokens[0] in _YES_WORDS or (len(tokens) <= 4 and any(t in _YES_WORDS for t in tokens)):
        return "yes"
    return None
