"""How the client's messages of a ``user:`` step are delivered in a replay (``--runs K``).

Run 1 plays the file as written. Later runs vary what a real client varies within one debounce
window: a single text is split in two at a sentence or comma boundary (half the time, when it has
one), and the messages of a step arrive in a shuffled order while their WhatsApp timestamps keep the
intended order (the worker sorts by timestamp). Everything follows from ``random.Random(seed, id,
run)``, so a run is reproduced from the printed seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"(?<=[.!?…,;])\s+")


@dataclass(frozen=True)
class Delivery:
    text: str
    position: int  # the intended order: its WhatsApp timestamp is the step's base + position


def rng_for(seed: int, scenario_id: str, run: int) -> random.Random:
    return random.Random(f"{seed}:{scenario_id}:{run}")  # noqa: S311 - replay variation, not security


def split_in_two(text: str, rng: random.Random) -> list[str]:
    """``text`` cut at one random sentence/comma boundary, or whole when it has none."""
    cuts = [m.start() for m in _BOUNDARY.finditer(text.strip()) if 0 < m.start() < len(text.strip())]
    if not cuts:
        return [text]
    cut = rng.choice(cuts)
    head, tail = text.strip()[:cut].strip(), text.strip()[cut:].strip()
    return [head, tail] if head and tail else [text]


def deliveries(texts: list[str], rng: random.Random | None) -> list[Delivery]:
    """The deliveries of one ``user:`` step in sending order; ``rng`` None plays it as written."""
    if rng is None:
        return [Delivery(text, n) for n, text in enumerate(texts)]
    if len(texts) == 1 and rng.random() < 0.5:
        texts = split_in_two(texts[0], rng)
    planned = [Delivery(text, n) for n, text in enumerate(texts)]
    rng.shuffle(planned)
    return planned
