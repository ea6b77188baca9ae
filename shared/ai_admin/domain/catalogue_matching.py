"""Which of the salon's services and staff a client's message refers to.

Matching compares lemmas ("стрижку" = "стрижка", "к Сергею" = "Сергей") with typo tolerance
("стришка"). Nothing is invented: when no title or name matches, the answer is ``unknown`` and carries
the salon's real list to offer instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from ai_admin.domain.russian_words import first_name_variants, fold, lemmas, words

T = TypeVar("T")


@dataclass(frozen=True)
class Service:
    id: int
    title: str
    category: str = ""
    price: float | None = None
    minutes: int = 60


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    score: float


@dataclass(frozen=True)
class Matches(Generic[T]):
    """Matches, best first; iterating, ``len`` and indexing go over them."""

    matches: tuple[Match[T], ...]
    available: tuple[T, ...]

    @property
    def unknown(self) -> bool:
        return not self.matches

    @property
    def best(self) -> T | None:
        return self.matches[0].item if self.matches else None

    @property
    def items(self) -> list[T]:
        return [match.item for match in self.matches]

    def __iter__(self) -> Iterator[Match[T]]:
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, index: int) -> Match[T]:
        return self.matches[index]


_SIMILAR = 0.8
_STOP = frozenset(
    [
        "в",
        "во",
        "на",
        "к",
        "ко",
        "с",
        "со",
        "у",
        "и",
        "или",
        "а",
        "для",
        "до",
        "от",
        "по",
        "за",
        "из",
        "о",
        "об",
        "не",
        "без",
        "мне",
        "меня",
        "я",
        "мы",
        "вы",
        "нам",
        "вас",
        "это",
        "тот",
        "хотеть",
        "записать",
        "записаться",
        "запись",
        "можно",
        "пожалуйста",
        "сколько",
        "стоить",
        "цена",
        "услуга",
        "мастер",
    ]
)
_NEUTRAL = frozenset({"мужской", "классический", "обычный", "стандартный", "простой"})
_CHILD = frozenset(
    {"детский", "ребенок", "дети", "сын", "сынок", "дочь", "дочка", "мальчик", "девочка", "школьник", "малыш"}
    | {"подросток", "ребята"}
)
_COMBO_WORDS = frozenset({"комплекс", "вместе"})
# Clients ask with a verb ("подстричься"); titles name the service with a noun.
_VERB_TO_NOUN = {
    "подстричься": "стрижка",
    "подстричь": "стрижка",
    "постричься": "стрижка",
    "постричь": "стрижка",
    "стричься": "стрижка",
    "стричь": "стрижка",
    "подровнять": "стрижка",
    "снять": "снятие",
    "снимать": "снятие",
    "нарастить": "наращивание",
    "тонировать": "тонирование",
    "затонировать": "тонирование",
    "ламинировать": "ламинирование",
    "покраска": "окрашивание",
    "подстригать": "стрижка",
    "побрить": "бритье",
    "побриться": "бритье",
    "брить": "бритье",
    "покрасить": "окрашивание",
    "покраситься": "окрашивание",
    "уложить": "укладка",
}


def match_services(text: str, services: Sequence[Service]) -> Matches[Service]:
    """Services the message names, best first.

    Rules, in the order they weigh: each title word found in the message counts (typos allowed);
    each title word not found costs a little, except plain modifiers like "мужская"; a combo ("+",
    "комплекс") is preferred only when the message asks for several things ("и", "+", "комплекс"),
    otherwise the plain service wins; children's services are preferred exactly when the message
    mentions a child ("детская", "ребёнку", "сыну"). With no title word matched, services whose
    category matches are returned; with nothing at all, the result is ``unknown``.
    """
    message = _message_tokens(text)
    folded = fold(text)
    wants_combo = "+" in folded or " и " in f" {folded} " or bool(message & _COMBO_WORDS)
    wants_child = bool(message & _CHILD)
    scored: list[tuple[float, int, Service]] = []
    for order, service in enumerate(services):
        score = _service_score(service, message, wants_combo, wants_child)
        if score is not None:
            scored.append((score, order, service))
    if not scored:
        for order, service in enumerate(services):
            category = _content(service.category)
            hits = [_similarity(word, message) for word in category]
            if category and max(hits) >= _SIMILAR:
                missing = sum(1 for hit in hits if not hit)
                scored.append(((sum(hits) - 0.35 * missing) / 2, order, service))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    return Matches(tuple(Match(service, round(score, 3)) for score, _, service in scored), tuple(services))


def match_staff(text: str, staff: Sequence[StaffMember]) -> Matches[StaffMember]:
    """Staff the message names, best first: "к Сергею", "Серёжа", "у Сергея Иванова", "Сергй".

    Short forms of first names ("Серёжа", "Саша") count as the full name; names shorter than five
    letters must match exactly. Each matched word of a full name adds to the score, so "к Сергею
    Смирнову" ranks Сергей Смирнов above Сергей Иванов.
    """
    variants: set[str] = set()
    for word in words(text):
        if word not in _STOP and len(word) >= 3:
            variants |= first_name_variants(word)
    scored: list[tuple[float, int, StaffMember]] = []
    for order, member in enumerate(staff):
        score = sum(
            max(_name_similarity(target, variants) for target in first_name_variants(name_word))
            for name_word in words(member.name)
        )
        if score >= _SIMILAR:
            scored.append((score, order, member))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    return Matches(tuple(Match(member, round(score, 3)) for score, _, member in scored), tuple(staff))


def _message_tokens(text: str) -> set[str]:
    tokens = words(text)
    raw = {word for word in tokens if word not in _STOP}
    # "гель лак" written apart still names "гель-лак"
    raw |= {f"{first}-{second}" for first, second in pairwise(tokens)}
    found = raw | (set(lemmas(text)) - _STOP)
    return found | {_VERB_TO_NOUN[word] for word in found if word in _VERB_TO_NOUN}


def _content(title: str) -> list[str]:
    return [word for word in lemmas(title) if word not in _STOP and not word.isdigit() and len(word) > 1]


def _similarity(word: str, message: set[str]) -> float:
    if word in message:
        return 1.0
    if len(word) < 5:
        return 0.0
    best = max((fuzz.ratio(word, other) for other in message if len(other) >= 4), default=0.0) / 100
    return best if best >= _SIMILAR else 0.0


def _name_similarity(target: str, variants: set[str]) -> float:
    if target in variants:
        return 1.0
    if len(target) < 5:
        return 0.0
    best = max((fuzz.ratio(target, other) for other in variants if len(other) >= 4), default=0.0) / 100
    return best if best >= _SIMILAR else 0.0


def _service_score(service: Service, message: set[str], wants_combo: bool, wants_child: bool) -> float | None:
    title = _content(service.title)
    if not title:
        return None
    is_child = bool(set(title) & _CHILD)
    is_combo = "+" in service.title or "комплекс" in title
    matched, missing, named = 0.0, 0, False
    for word in title:
        similarity = _similarity(word, message)
        if similarity:
            matched += similarity
            named = True
        elif word in _CHILD and wants_child:
            matched += 1.0
        elif word not in _NEUTRAL:
            missing += 1
    if is_combo and message & _COMBO_WORDS:
        matched += 1.0
        named = True
    if not named:
        return None
    score = matched - 0.35 * missing
    if is_combo:
        score += 0.5 if wants_combo else -1.0
    if is_child != wants_child:
        score -= 1.0
    elif is_child:
        score += 1.0
    return score


def title_words(service: Service) -> frozenset[str]:
    """The lemmas that name ``service``: its title's content words (modifiers like "мужская" excluded)."""
    return frozenset(word for word in _content(service.title) if word not in _NEUTRAL)


def named_words(text: str, service: Service) -> frozenset[str]:
    """The words of ``service``'s title (and category) that ``text`` names, typos allowed."""
    message = _message_tokens(text)
    candidates = set(_content(service.title)) | set(_content(service.category))
    return frozenset(word for word in candidates if word not in _NEUTRAL and _similarity(word, message))


def mentions_child(text: str) -> bool:
    """Whether the message speaks of a child ("сыну", "детскую", "ребёнку"), which picks children's services."""
    return bool(_message_tokens(text) & _CHILD)


def noun_for(word: str) -> str:
    """The service noun a verb names ("подстричься" -> "стрижка"); other words unchanged."""
    return _VERB_TO_NOUN.get(word, word)
