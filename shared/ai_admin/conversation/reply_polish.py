"""Rules every reply obeys whatever wrote it: greet only in the bot's first message of a conversation,
never the same sentence twice in a reply, never restate what the previous reply already said."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_GREETING = re.compile(
    r"^\s*(здравствуйте|здравствуй|добрый\s+(день|вечер)|доброе\s+утро|доброй\s+ночи|привет(ствую)?|hello|hi|good\s+(morning|afternoon|evening))\b[^.!?\n]*[.!?]*\s*",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def _key(sentence: str) -> str:
    return re.sub(r"[\W_]+", " ", sentence.lower()).strip()


def strip_greeting(text: str) -> str:
    stripped = _GREETING.sub("", text, count=1)
    return stripped[:1].upper() + stripped[1:] if stripped else stripped


def polish(text: str, *, previous_reply: str, greeting: str | None) -> str:
    """``greeting`` (e.g. "Добрый день, Анна!") opens the reply when given; any greeting the brain
    wrote itself is removed either way."""
    body = strip_greeting(text.strip())
    said_before = {_key(s) for s in sentences(previous_reply)}
    lines: list[list[str]] = []
    seen: set[str] = set()
    for line in body.split("\n"):
        parts = []
        for sentence in sentences(line):
            key = _key(sentence)
            if key and key not in seen:
                seen.add(key)
                parts.append(sentence)
        lines.append(parts)
    if seen - said_before:
        lines = [[s for s in line if _key(s) not in said_before] for line in lines]
    body = "\n".join(" ".join(line) for line in lines if line)
    if greeting:
        return f"{greeting} {body}".strip() if body else greeting
    return body
