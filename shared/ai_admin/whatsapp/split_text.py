"""WhatsApp takes at most 4,096 characters per text message; longer replies go out in parts."""

from __future__ import annotations

import re

MAX_TEXT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` characters, cut after a sentence (or a line) where possible, else at a
    space, else anywhere; no part is empty and no words are lost."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max((m.start() for m in _SENTENCE_END.finditer(window) if 0 < m.start() <= limit), default=0)
        if not cut:
            cut = window.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
