"""Russian word forms: lemmas for matching and declined names and service titles for replies.

pymorphy3 and its dictionary load once, on first use (about 0.1 s), not at import.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache, lru_cache
from typing import Any

import pymorphy3

_WORD = re.compile(r"[0-9a-zа-яё]+(?:-[0-9a-zа-яё]+)*", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_TITLE_SEPARATOR = re.compile(r"(\s*\+\s*|\s*,\s*|\s*:\s*|\s*/\s*|\s*&\s*|\s+и\s+|\s*\([^)]*\)\s*)", re.IGNORECASE)


class Case(Enum):
    NOMINATIVE = "nomn"
    GENITIVE = "gent"
    DATIVE = "datv"
    ACCUSATIVE = "accs"
    INSTRUMENTAL = "ablt"
    PREPOSITIONAL = "loct"


# Everyday short forms of first names, as clients write them, to the names the salon may have on file.
_NAME_VARIANTS = {
    "сережа": ("сергей",),
    "серега": ("сергей",),
    "саша": ("александр", "александра"),
    "шура": ("александр", "александра"),
    "дима": ("дмитрий",),
    "миша": ("михаил",),
    "леша": ("алексей",),
    "алеша": ("алексей",),
    "женя": ("евгений", "евгения"),
    "коля": ("николай",),
    "паша": ("павел",),
    "ваня": ("иван",),
    "андрюша": ("андрей",),
    "вова": ("владимир",),
    "володя": ("владимир",),
    "костя": ("константин",),
    "тема": ("артем",),
    "рома": ("роман",),
    "слава": ("вячеслав",),
    "стас": ("станислав",),
    "витя": ("виктор",),
    "гоша": ("георгий",),
    "толя": ("анатолий",),
    "макс": ("максим",),
    "даня": ("даниил",),
    "валя": ("валентин", "валентина"),
    "катя": ("екатерина",),
    "маша": ("мария",),
    "настя": ("анастасия",),
    "лена": ("елена",),
    "оля": ("ольга",),
    "таня": ("татьяна",),
    "юля": ("юлия",),
    "наташа": ("наталья",),
    "света": ("светлана",),
    "аня": ("анна",),
    "мариша": ("марина",),
    "маришка": ("марина",),
    "ира": ("ирина",),
    "галя": ("галина",),
    "люба": ("любовь",),
    "надя": ("надежда",),
    "вика": ("виктория",),
    "лиза": ("елизавета",),
    "ксюша": ("ксения",),
    "даша": ("дарья",),
}


@cache
def _analyzer() -> Any:
    return pymorphy3.MorphAnalyzer()


def fold(text: str) -> str:
    """Lower case with ё read as е, the way clients type."""
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Word tokens, folded; hyphenated words stay whole."""
    return [fold(match.group()) for match in _WORD.finditer(text)]


@lru_cache(maxsize=20_000)
def lemma(word: str) -> str:
    """The dictionary form, folded: "стрижку" -> "стрижка", "Сергею" -> "сергей"; other scripts kept."""
    if not _CYRILLIC.search(word):
        return fold(word)
    # parsed before folding: "серёже" is a name, "сереже" could be a place
    return fold(_analyzer().parse(word.lower())[0].normal_form)


@lru_cache(maxsize=20_000)
def is_known(word: str) -> bool:
    """Whether the dictionary has this exact form (a typo or a made-up word is unknown)."""
    return bool(_analyzer().word_is_known(fold(word)))


@lru_cache(maxsize=5_000)
def is_first_name(word: str) -> bool:
    """Whether ``word`` reads as a person's first name ("Лена", "Никиту"); question words and nouns do not."""
    if not _CYRILLIC.search(word):
        return False
    return any("Name" in parse.tag for parse in _analyzer().parse(word.lower()))


@lru_cache(maxsize=20_000)
def verb_grammemes(word: str) -> frozenset[str]:
    """The grammemes of ``word`` read as a finite verb ("подстриг" -> past, "делаете" -> 2per plur pres), else empty."""
    if not _CYRILLIC.search(word):
        return frozenset()
    parse = _analyzer().parse(word.lower())[0]
    return frozenset(parse.tag.grammemes) if parse.tag.POS == "VERB" else frozenset()


def is_verb(word: str) -> bool:
    """ "оформить", "сделаете": a verb, infinitive or finite."""
    return bool(_CYRILLIC.search(word)) and _analyzer().parse(word.lower())[0].tag.POS in {"VERB", "INFN"}


def lemmas(text: str) -> list[str]:
    return [lemma(match.group()) for match in _WORD.finditer(text)]


@lru_cache(maxsize=5_000)
def first_name_variants(word: str) -> frozenset[str]:
    """Forms a first name can take in a message: its name lemmas and the full names behind a short one."""
    folded = fold(word)
    found = {folded, lemma(word)}
    if _CYRILLIC.search(folded):
        for parse in _analyzer().parse(folded):
            if {"Name", "Surn", "Patr"} & set(parse.tag.grammemes):
                found.add(fold(parse.normal_form))
    for form in list(found):
        found.update(_NAME_VARIANTS.get(form, ()))
        found.update(_affectionate(form))
    return frozenset(found)


# "Настюша", "Катенька", "Олечка": a short name's stem with an affectionate suffix, in any case
_AFFECTIONATE = re.compile(r"(?:юш|юшк|еньк|ечк|очк|ушк|уль|ульк)[а-я]?")


def _affectionate(form: str) -> tuple[str, ...]:
    for short, full in _NAME_VARIANTS.items():
        stem = short[:-1]
        if len(stem) >= 2 and form.startswith(stem) and _AFFECTIONATE.fullmatch(form[len(stem) :]):
            return (short, *full)
    return ()


def dative(name: str) -> str:
    """``dative("Сергей") == "Сергею"`` (к Сергею)."""
    return inflect_name(name, Case.DATIVE)


def genitive(name: str) -> str:
    """``genitive("Сергей") == "Сергея"`` (у Сергея)."""
    return inflect_name(name, Case.GENITIVE)


def accusative(title: str) -> str:
    """``accusative("Мужская стрижка") == "Мужскую стрижку"`` (на мужскую стрижку)."""
    return inflect_title(title, Case.ACCUSATIVE)


@lru_cache(maxsize=4096)  # a salon has a few dozen names and titles; each is declined often
def inflect_name(name: str, case: Case) -> str:
    """Every Cyrillic word of a person's name declined: "Сергей Иванов" -> "Сергею Иванову".

    Names in other scripts and indeclinable names ("Бари") stay as they are. A word the dictionary
    does not know is declined by its ending like a first name (-й, -а, -я, a consonant).
    """
    return _rebuild(name, lambda word: _inflect_name_word(word, case))


@lru_cache(maxsize=4096)
def inflect_title(title: str, case: Case) -> str:
    """A service title declined as Russian noun phrases: the head noun and the adjectives before it.

    "Стрижка бороды" -> "стрижку бороды"; each part of a combo is declined on its own
    ("Стрижка + борода" -> "стрижку + бороду"); words in other scripts and words the dictionary does not
    know stay as they are.
    """
    pieces = _TITLE_SEPARATOR.split(title)
    return "".join(piece if index % 2 else _inflect_phrase(piece, case) for index, piece in enumerate(pieces))


def _rebuild(text: str, change: Any) -> str:
    return _WORD.sub(lambda match: _same_case(match.group(), change(match.group())), text)


def _same_case(original: str, changed: str) -> str:
    if len(original) > 1 and original.isupper():
        return changed.upper()
    if original[:1].isupper():
        return changed[:1].upper() + changed[1:]
    return changed


def _nominative_parses(word: str) -> list[Any]:
    return [p for p in _analyzer().parse(word.lower()) if "nomn" in p.tag]


def _inflect_name_word(word: str, case: Case) -> str:
    if not _CYRILLIC.search(word) or case is Case.NOMINATIVE:
        return word
    lowered = word.lower()
    if not _analyzer().word_is_known(lowered):
        return _decline_unknown_name(lowered, case)
    parses = _nominative_parses(lowered)
    named = [p for p in parses if {"Name", "Surn", "Patr"} & set(p.tag.grammemes)]
    chosen = (named or [p for p in parses if p.tag.POS == "NOUN"] or [None])[0]
    if chosen is None or "Fixd" in chosen.tag:
        return lowered
    inflected = chosen.inflect({case.value})
    return str(inflected.word) if inflected else lowered


def _last_part(word: str) -> str:
    if "-" in word and not _analyzer().word_is_known(word.lower()):
        return word.rsplit("-", 1)[1]
    return word


def _decline_unknown_name(word: str, case: Case) -> str:
    """Endings of regular first names, for names the dictionary lacks; anything else is indeclinable."""
    endings = {
        "й": ("я", "ю", "я", "ем", "е"),
        "а": ("ы", "е", "у", "ой", "е"),
        "я": ("и", "е", "ю", "ей", "е"),
    }
    order = [Case.GENITIVE, Case.DATIVE, Case.ACCUSATIVE, Case.INSTRUMENTAL, Case.PREPOSITIONAL]
    index = order.index(case)
    last = word[-1]
    if last in endings:
        ending = endings[last][index]
        if last == "а" and case is Case.GENITIVE and word[-2:-1] in set("гкхжчшщ"):
            ending = "и"
        if last == "я" and word.endswith("ия") and case in (Case.DATIVE, Case.PREPOSITIONAL):
            ending = "и"
        return word[:-1] + ending
    if re.fullmatch(r"[бвгджзклмнпрстфхцчшщ]", last):
        return word + ("а", "у", "а", "ом", "е")[index]
    return word


def _head_noun(cores: list[str]) -> tuple[int | None, Any]:
    """The first noun of a phrase, after any adjectives; none when an unknown or foreign word comes first."""
    for position, core in enumerate(cores):
        parses = _nominative_parses(core)
        if not _CYRILLIC.search(core) or not parses:
            return None, None
        nouns = [p for p in parses if p.tag.POS == "NOUN"]
        adjectives = [p for p in parses if p.tag.POS in ("ADJF", "PRTF")]
        if adjectives and (not nouns or adjectives[0].score >= nouns[0].score):
            continue
        if nouns and _analyzer().word_is_known(core.lower()):
            return position, nouns[0]
        return None, None
    return None, None


def _inflect_phrase(phrase: str, case: Case) -> str:
    if case is Case.NOMINATIVE:
        return phrase
    tokens = list(_WORD.finditer(phrase))
    # "экспресс-стрижка" declines like its last part
    cores = [_last_part(token.group()) for token in tokens]
    head_at, head = _head_noun(cores)
    if head is None or head_at is None or "Fixd" in head.tag:
        return phrase
    replacements: dict[int, str] = {}
    head_form = head.inflect({case.value})
    if head_form is None:
        return phrase
    replacements[head_at] = str(head_form.word)
    agreement = {case.value, head.tag.number or "sing"}
    if head.tag.number != "plur" and head.tag.gender:
        agreement.add(head.tag.gender)
    if case is Case.ACCUSATIVE and head.tag.animacy and (head.tag.gender == "masc" or head.tag.number == "plur"):
        agreement.add(head.tag.animacy)
    for position in range(head_at):
        adjective = next(p for p in _nominative_parses(cores[position]) if p.tag.POS in ("ADJF", "PRTF"))
        form = adjective.inflect(agreement) or adjective.inflect(agreement - {"anim", "inan"})
        if form is not None:
            replacements[position] = str(form.word)
    result, cursor = [], 0
    for position, token in enumerate(tokens):
        if position in replacements:
            result.append(phrase[cursor : token.start()])
            prefix = token.group()[: len(token.group()) - len(cores[position])]
            result.append(prefix + _same_case(cores[position], replacements[position]))
            cursor = token.end()
    result.append(phrase[cursor:])
    return "".join(result)
