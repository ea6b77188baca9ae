"""Which of the salon's services and staff a client's message refers to.

Matching compares lemmas ("стрижку" = "стрижка", "к Сергею" = "Сергей") with typo tolerance
("стришка"). Nothing is invented: when no title or name matches, the answer is ``unknown`` and carries
the salon's real list to offer instead.

Two readings keep the words of a title together with the words of the message:

* A word after "без" is negated, in a title and in a message alike: "Маникюр без покрытия" is named by
  "маникюр без покрытия" (and by a plain "маникюр", which says nothing of a coating), never by "маникюр
  с покрытием"; "Маникюр с покрытием" is never named by "без покрытия".
* A verb names the service of its object: "подровнять бороду" is the beard's service ("Стрижка
  бороды", "Моделирование бороды"), not the haircut the verb alone would name ("подровнять" =
  "стрижка"); a verb without an object (or with "голову", "волосы") names its own service, and so
  does a procedure: "окрашивание" alone is "Окрашивание в один тон" rather than "Окрашивание бровей".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from ai_admin.domain.russian_words import first_name_variants, fold, lemma, lemmas, words

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
    verb: noun
    for noun, verbs in {
        "стрижка": "подстричься подстричь постричься постричь стричься стричь подстригать подровнять подравнять "
        "подрезать обрезать подкоротить укоротить",
        "снятие": "снять снимать",
        "наращивание": "нарастить наращивать",
        "тонирование": "тонировать затонировать",
        "ламинирование": "ламинировать заламинировать",
        "окрашивание": "покраска покрасить покраситься подкрасить окрасить",
        "бритье": "побрить побриться брить сбрить",
        "укладка": "уложить",
        "коррекция": "подправить поправить скорректировать оформить выщипать",
        "покрытие": "накрасить",
        "укрепление": "укрепить",
        "моделирование": "смоделировать",
    }.items()
    for verb in verbs.split()
}
_PROCEDURE_NOUNS = frozenset(_VERB_TO_NOUN.values())
OBJECTS_OF = frozenset({"бороды", "бровей", "ресниц", "ногтей", "усов"})  # an object in the genitive: "стрижка бороды"
# What a service is done to: a verb with one of these names that object's service ("подровнять бороду").
_OBJECTS = frozenset({"борода", "бровь", "ресница", "ноготь", "ус"})
# Words that imply a title word: a gel polish is a coating.
_IMPLIES = {"гель-лак": "покрытие", "шеллак": "покрытие"}


def match_services(text: str, services: Sequence[Service]) -> Matches[Service]:
    """Services the message names, best first.

    Rules, in the order they weigh: each title word found in the message counts (typos allowed);
    each title word not found costs a little, except plain modifiers like "мужская" and a title's
    "без X" the message says nothing of; a title the message contradicts ("без покрытия" against "с
    покрытием") costs a lot; a combo ("+", "комплекс") is preferred only when the message asks for
    several things ("и", "+", "комплекс"), otherwise the plain service wins; children's services are
    preferred exactly when the message mentions a child ("детская", "ребёнку", "сыну"). With no title
    word matched, services whose category matches are returned; with nothing at all, the result is
    ``unknown``.
    """
    said = _read(text)
    message = said.tokens
    folded = fold(text)
    wants_combo = "+" in folded or " и " in f" {folded} " or bool(message & _COMBO_WORDS)
    wants_child = bool(message & _CHILD)
    scored: list[tuple[float, int, Service]] = []
    for order, service in enumerate(services):
        score = _service_score(service, said, wants_combo, wants_child)
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


@dataclass(frozen=True)
class _Said:
    """A message as matching reads it: its words, the words it negates ("без покрытия"), and the
    nouns of verbs bound to their object ("подровнять бороду" = стрижка of борода)."""

    tokens: frozenset[str]
    negated: frozenset[str]
    bound: frozenset[tuple[str, str]]


_WORD_OR_BREAK = re.compile(r"[0-9a-zа-яё]+(?:-[0-9a-zа-яё]+)*|[,;.!?+]", re.IGNORECASE)
_BREAKS = frozenset({",", ";", ".", "!", "?", "+", "и", "а", "плюс", "еще", "потом"})
_OBJECT_REACH = 3  # words between a verb and its object at most


@lru_cache(maxsize=8_192)
def _read(text: str) -> _Said:
    tokens = [fold(m.group()) for m in _WORD_OR_BREAK.finditer(text)]
    negated_at = {i + 1 for i, word in enumerate(tokens) if word == "без"}
    positive = [t for i, t in enumerate(tokens) if i not in negated_at and t not in _BREAKS]
    raw = {word for word in positive if word not in _STOP}
    # "гель лак" written apart still names "гель-лак"
    raw |= {f"{first}-{second}" for first, second in pairwise(positive)}
    found = raw | ({lemma(word) for word in positive} - _STOP)
    negated = {t for i, t in enumerate(tokens) if i in negated_at} | {
        lemma(t) for i, t in enumerate(tokens) if i in negated_at
    }
    bound: set[tuple[str, str]] = set()
    for index, token in enumerate(tokens):
        base = lemma(token)
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if base in _PROCEDURE_NOUNS and following in OBJECTS_OF and index not in negated_at:
            # "стрижка бороды": a procedure of an object names that object's service, not the head's
            bound.add((base, lemma(following)))
            found -= {base, token}
            continue
        noun = _VERB_TO_NOUN.get(base) or _VERB_TO_NOUN.get(token)
        if noun is None or index in negated_at:
            continue
        objects = _objects_near(tokens, index)
        if objects:
            bound |= {(noun, thing) for thing in objects}
        else:
            found.add(noun)
    found |= {_IMPLIES[word] for word in found if word in _IMPLIES}
    negated |= {_IMPLIES[word] for word in negated if word in _IMPLIES}
    return _Said(frozenset(found), frozenset(negated), frozenset(bound))


def _objects_near(tokens: list[str], index: int) -> set[str]:
    """Objects of the verb at ``index``: within reach on either side, with no list break between."""
    found: set[str] = set()
    for step in (1, -1):
        position = index + step
        while 0 <= position < len(tokens) and abs(position - index) <= _OBJECT_REACH:
            token = tokens[position]
            if token in _BREAKS:
                break
            if lemma(token) in _OBJECTS:
                found.add(lemma(token))
                break
            position += step
    return found


def _message_tokens(text: str) -> frozenset[str]:
    return _read(text).tokens


@lru_cache(maxsize=4_096)
def _title_terms(title: str) -> tuple[tuple[str, ...], frozenset[str], tuple[frozenset[str], ...]]:
    """A title's content lemmas, the lemmas it negates ("без покрытия"), and its parts ("Стрижка + борода")."""
    tokens = words(title)
    negated_at = {i + 1 for i, word in enumerate(tokens) if word == "без"}
    positive = tuple(
        lemma(t)
        for i, t in enumerate(tokens)
        if i not in negated_at and lemma(t) not in _STOP and not t.isdigit() and len(t) > 1
    )
    negated = frozenset(lemma(t) for i, t in enumerate(tokens) if i in negated_at)
    segments = tuple(frozenset(lemmas(part)) for part in _TITLE_PARTS.split(title) if part.strip())
    return positive, negated, segments


_TITLE_PARTS = re.compile(r"\s*[+,:/&()]\s*|\s+и\s+", re.IGNORECASE)


def _content(title: str) -> list[str]:
    return [word for word in lemmas(title) if word not in _STOP and not word.isdigit() and len(word) > 1]


def _similarity(word: str, message: Set[str]) -> float:
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


def _service_score(service: Service, said: _Said, wants_combo: bool, wants_child: bool) -> float | None:
    title, negated, segments = _title_terms(service.title)
    if not title and not negated:
        return None
    message = said.tokens
    is_child = bool(set(title) & _CHILD)
    is_combo = "+" in service.title or "комплекс" in title
    matched, missing, elsewhere, named, contradicted = 0.0, 0, 0, False, False
    similarities = {word: _similarity(word, message) or _bound(word, said, segments) for word in title}
    hits = {word for word, similarity in similarities.items() if similarity}
    for word in title:
        similarity = similarities[word]
        if similarity:
            matched += similarity
            named = True
        elif word in _CHILD and wants_child:
            matched += 1.0
        elif word in _OBJECTS and any(word in part and part & hits for part in segments):
            elsewhere += 1  # "окрашивание" alone is the hair's, not the brows' ("Окрашивание бровей")
        elif word not in _NEUTRAL:
            missing += 1
            contradicted = contradicted or bool(_similarity(word, said.negated))
    negated_named, negated_contradicted = _negated_score(negated, said)
    matched += negated_named
    named = named or bool(negated_named)
    contradicted = contradicted or negated_contradicted
    if is_combo and message & _COMBO_WORDS:
        matched += 1.0
        named = True
    if not named:
        return None
    score = matched - 0.35 * missing - 1.0 * elsewhere - (1.0 if contradicted else 0.0)
    if is_combo:
        score += 0.5 if wants_combo else -1.0
    if is_child != wants_child:
        score -= 1.0
    elif is_child:
        score += 1.0
    return score


def _negated_score(negated: frozenset[str], said: _Said) -> tuple[float, bool]:
    """A title's "без покрытия": each word is named by the same negation, contradicted by a plain "покрытие"."""
    named = sum(1.0 for word in negated if _similarity(word, said.negated))
    contradicted = any(not _similarity(word, said.negated) and bool(_similarity(word, said.tokens)) for word in negated)
    return named, contradicted


def _bound(word: str, said: _Said, segments: tuple[frozenset[str], ...]) -> float:
    """A verb's noun bound to its object names ``word`` only in a title part that has the object too."""
    for noun, thing in said.bound:
        if noun == word and any(word in segment and thing in segment for segment in segments):
            return 1.0
    return 0.0


def title_words(service: Service) -> frozenset[str]:
    """The lemmas that name ``service``: its title's content words (modifiers like "мужская" excluded)."""
    return frozenset(word for word in _content(service.title) if word not in _NEUTRAL)


def named_words(text: str, service: Service) -> frozenset[str]:
    """The words of ``service``'s title (and category) that ``text`` names, typos allowed; a title's
    negated word ("без покрытия") counts when ``text`` negates it too."""
    said = _read(text)
    title, negated, segments = _title_terms(service.title)
    candidates = set(title) | set(_content(service.category))
    named = {
        word
        for word in candidates
        if word not in _NEUTRAL and (_similarity(word, said.tokens) or _bound(word, said, segments))
    }
    return frozenset(named | {word for word in negated if _similarity(word, said.negated)})


def mentions_child(text: str) -> bool:
    """Whether the message speaks of a child ("сыну", "детскую", "ребёнку"), which picks children's services."""
    return bool(_message_tokens(text) & _CHILD)


def title_phrases(services: Sequence[Service]) -> frozenset[tuple[str, str]]:
    """The prepositional phrases of the titles, as (preposition, lemma): ("без", "покрытие"), ("с", "укладка")."""
    return _phrases(tuple(service.title for service in services))


@lru_cache(maxsize=64)
def _phrases(titles: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for title in titles:
        tokens = words(title)
        for first, second in pairwise(tokens):
            if first in ("без", "с", "со"):
                found.add(("с" if first == "со" else first, lemma(second)))
    return frozenset(found)


def in_phrases(preposition: str, word: str, phrases: frozenset[tuple[str, str]]) -> bool:
    """Whether "``preposition`` ``word``" is a phrase of some title ("без покрытия"), typos allowed."""
    bases = {lemma(word)} | {_IMPLIES[lemma(word)]} if lemma(word) in _IMPLIES else {lemma(word)}
    return any(
        prep == preposition and any(target == base or fuzz.ratio(target, base) >= _SIMILAR * 100 for base in bases)
        for prep, target in phrases
    )


def noun_for(word: str) -> str:
    """The service noun a verb names ("подстричься" -> "стрижка"); other words unchanged."""
    return _VERB_TO_NOUN.get(word, word)
