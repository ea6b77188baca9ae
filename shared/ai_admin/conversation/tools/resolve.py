"""The client's words for one slot to typed values, against the salon's catalogue and clock.

Both readers call these: the offline reader with the words of a clause, the LLM reader with the words
the model quotes per slot (service="стрижку и камуфляж", staff="не к артёму", when="на час позже").
Every function is pure and tolerant: typos, slang, ё/е, English, lower case. Nothing is guessed: words
that name no service or master come back as ``unknown``; a day that cannot be placed is ``unclear``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process

from ai_admin.conversation.model import Catalogue
from ai_admin.conversation.understanding import Language, RecordHint, WhenSpec
from ai_admin.domain.catalogue_matching import (
    OBJECTS_OF,
    Service,
    in_phrases,
    match_services,
    match_staff,
    mentions_child,
    named_words,
    noun_for,
    title_phrases,
    title_words,
)
from ai_admin.domain.english_glossary import to_russian
from ai_admin.domain.russian_dates import Ambiguity, resolve_when
from ai_admin.domain.russian_words import fold, is_first_name, is_known, lemma, verb_grammemes, words


def _split(words: str) -> list[str]:
    return words.split()


# --- normalising the client's words -----------------------------------------------------------

_SLANG = {
    "щас": "сейчас",
    "счас": "сейчас",
    "ща": "сейчас",
    "седня": "сегодня",
    "сёдня": "сегодня",
    "севодня": "сегодня",
    "плиз": "пожалуйста",
    "плз": "пожалуйста",
    "пжлст": "пожалуйста",
    "пжл": "пожалуйста",
    "пож": "пожалуйста",
    "пжалста": "пожалуйста",
    "пожалуйсто": "пожалуйста",
    "спс": "спасибо",
    "пасиб": "спасибо",
    "пасибо": "спасибо",
    "спасибки": "спасибо",
    "скока": "сколько",
    "скоко": "сколько",
    "скок": "сколько",
    "чо": "что",
    "че": "что",
    "чё": "что",
    "окей": "ок",
    "okay": "ок",
    "ok": "ок",
    "прив": "привет",
    "приветик": "привет",
    "здрасте": "здравствуйте",
    "здрасьте": "здравствуйте",
    "здрасти": "здравствуйте",
    "здравствуй": "здравствуйте",
    "ваще": "вообще",
    "кароч": "короче",
    "короч": "короче",
    "админ": "администратор",
    "админа": "администратора",
    "админу": "администратору",
    "завтро": "завтра",
    "бес": "без",
    "полчасика": "полчаса",
    "часик": "час",
    "часика": "часа",
    "минуток": "минут",
    "минутки": "минуты",
    # weekdays cut short ("пт", "сб" are read by the date resolver itself)
    "понед": "понедельник",
    "четв": "четверг",
    "пятн": "пятницу",
    "субб": "субботу",
    "воскр": "воскресенье",
}
# Forms clients misspell most; a word the dictionary does not know is replaced by its close match here.
_VOCABULARY = tuple(
    _split(
        "завтра послезавтра сегодня сейчас понедельник вторник среду среда четверг пятницу пятница субботу "
        "суббота воскресенье утром вечером днем выходные выходных неделе следующей записаться записать "
        "запишите запиши записан записана записи запись отменить отмените отмена перенести перенесите перенос "
        "стоит стоимость прайс адрес работаете работает работают мастера мастер администратор менеджер "
        "спасибо здравствуйте привет пожалуйста опоздаю опаздываю задерживаюсь задержусь напоминания пораньше "
        "попозже позже раньше свободно свободное окошко можно хочу давайте стрижку стрижка сколько подскажите "
        "находитесь добраться любой любому подъеду подъедем приеду делаете делают"
    )
)
_EMOJI = {
    "👍": " да ",
    "👌": " да ",
    "🙏": " спасибо ",
    "👎": " нет ",
    "😡": " ужасно ",
    "🤬": " ужасно ",
    "😠": " ужасно ",
}
_NOT_TEXT = re.compile(r"[^\w\s.,!?;:+\-/()'«»\"]")
_DASHES = re.compile(r"[–—−]")


@lru_cache(maxsize=4_096)
def normalise(text: str) -> str:
    """Lower case, ё as е, English in Russian, slang and common typos spelled out, emoji as words or dropped."""
    for emoji, meaning in _EMOJI.items():
        text = text.replace(emoji, meaning)
    text = fold(to_russian(_NOT_TEXT.sub(" ", _DASHES.sub("-", text))))
    text = re.sub(r"\bгель\s+лак", "гель-лак", text)  # written apart, one word
    return re.sub(r"[а-яa-z0-9]+(?:-[а-яa-z0-9]+)*", lambda m: _fix_word(m.group()), text)


@lru_cache(maxsize=20_000)
def _fix_word(word: str) -> str:
    if word in _SLANG:
        return _SLANG[word]
    if not re.fullmatch(r"[а-я]+", word) or is_known(word):
        return word
    drawn_out = re.sub(r"([а-я])\1+", r"\1", word)  # "неет", "дааа", "спасибоо"
    if drawn_out != word and (drawn_out in _SLANG or is_known(drawn_out)):
        return _SLANG.get(drawn_out, drawn_out)
    if len(word) < 5:
        return word
    found = process.extractOne(word, _VOCABULARY, scorer=fuzz.ratio, score_cutoff=80)
    return str(found[0]) if found else word


def detect_language(text: str) -> Language:
    """English when the message has English words and no Russian ones ("ok" and numbers are neither)."""
    if re.search(r"[а-яё]", text, re.IGNORECASE):
        return "ru"
    latin = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in {"ok", "okay"}]
    if not latin:
        return "ru"
    english = any(w in _ENGLISH for w in latin) or to_russian(" ".join(latin)) != " ".join(latin)
    return "en" if english else "ru"


_ENGLISH = frozenset(
    _split(
        "i you we me my your the a an is are am to for of in on at it this that what when where who how can "
        "could would will do does did have has please want need like just"
    )
)


# --- services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePick:
    ids: tuple[int, ...] = ()  # one visit, in the order named
    excluded: tuple[int, ...] = ()
    unknown: str | None = None  # the client's words for a service the salon does not offer


# Nouns that name a procedure, and the things procedures are done to: a word of the first kind that no
# matched service covers is a service the salon does not offer; one of the second kind only when
# nothing matched at all.
_PROCEDURES = frozenset(
    _split(
        "стрижка окрашивание наращивание ламинирование коррекция мелирование тонирование маникюр педикюр "
        "укладка бритье камуфляж депиляция эпиляция шугаринг массаж пилинг чистка татуаж перманент кератин "
        "ботокс блонд химия завивка выпрямление дизайн покрытие снятие макияж тату пирсинг шеллак френч омбре "
        "шатуш балаяж мейкап ваксинг лифтинг"
    )
)
_OBJECTS = frozenset(["бровь", "ресница", "ноготь", "волос", "борода", "ус", "ресницы", "брови", "ногти"])
_HAIR = frozenset({"голова", "волосы", "волос"})  # what a haircut is done to when nothing else is named
_PARTS = re.compile(r"\s*(?:[,;+&]|\bи\b|\bплюс\b|\bа также\b|\bа еще\b|\bеще\b|\bс\b|\bсо\b|\bпотом\b)\s*")
_SELF = re.compile(r"\b(?:себя|себе|сам|сама|меня|мне|я|мужа|жену|папу|маму)\b")
_EXCLUDERS = (
    re.compile(r"\b(?:без|кроме|не)\s+(?P<x>[а-я][а-я\-]+)"),
    re.compile(
        r"\b(?P<x>[а-я][а-я\-]+)\s+(?:не надо|не нужно|не нужна|не нужен|не хочу|не делайте|не делать|не трогайте"
        r"|не трогать)\b"
    ),
)
_WITH_PHRASE = re.compile(r"\b(?:с|со)\s+(?P<x>[а-я][а-я\-]+)")


def resolve_services(text: str, catalogue: Catalogue, staff_id: int | None = None) -> ServicePick:
    """The services ``text`` names for one visit, those it excludes ("без бороды"), and an unknown one.

    A "без X" or "с X" of a title's own words is part of that title, never a negation or a list:
    "маникюр без покрытия" names "Маникюр без покрытия", and so does "маникюр, покрытие не надо" when the
    salon has that title; "стрижку, бороду не надо" excludes the beard. With the master asked for
    (``staff_id``), words several titles share are read among that master's ("к Ольге подстричься" is
    her "Женская стрижка", not the salon's first haircut).
    """
    found = _resolve_services(text, catalogue)
    member = catalogue.member(staff_id) if staff_id is not None else None
    if member is None or not found.ids or set(found.ids) <= member.service_ids:
        return found
    theirs = replace(catalogue, services=tuple(s for s in catalogue.services if s.id in member.service_ids))
    own = _resolve_services(text, theirs)
    return own if own.ids and len(own.ids) == len(found.ids) else found


def _resolve_services(text: str, catalogue: Catalogue) -> ServicePick:
    said = normalise(text)
    phrases = title_phrases(catalogue.services)
    excluded: list[int] = []
    for pattern in _EXCLUDERS:
        for match in pattern.finditer(said):
            word = match.group("x")
            if in_phrases("без", word, phrases) and (pattern is _EXCLUDERS[1] or match.group().startswith("без")):
                said = said.replace(match.group(), f" без {word} ")  # the title's own words
                continue
            best = match_services(word, catalogue.services).best
            if best is not None:
                excluded.append(best.id)
                said = said.replace(match.group(), " ")
    ids, unknown = _services_in(said, catalogue, phrases)
    return ServicePick(tuple(i for i in ids if i not in excluded), tuple(dict.fromkeys(excluded)), unknown)


def _services_in(said: str, catalogue: Catalogue, phrases: frozenset[tuple[str, str]]) -> tuple[list[int], str | None]:
    said = _WITH_PHRASE.sub(lambda match: _glued(match, phrases), said)
    parts = _lend([part for part in _PARTS.split(said) if part.strip()], catalogue, phrases)
    picked: list[tuple[str, Service, frozenset[str]]] = []
    unknown: list[str] = []
    for part in parts:
        best, missing = _part_service(part, catalogue)
        if best is not None:
            picked.append((part, best, named_words(part, best)))
        if missing:
            unknown.append(missing)
    unknown_text = " ".join(unknown) or None
    if not picked:
        return [], unknown_text
    chosen = [service for _, service, _ in picked]
    if len({s.id for s in chosen}) > 1:
        needed = frozenset().union(*(words for _, _, words in picked))
        whole = [m.item for m in match_services(" и ".join(p for p, _, _ in picked), catalogue.services)]
        covering = [s for s in whole if needed <= named_words(" ".join(needed), s) and needed <= _title(s)]
        if covering:
            covering.sort(key=lambda s: ("+" not in s.title, len(_title(s) - needed)))
            chosen = [covering[0]]
    if mentions_child(said):
        chosen = _with_children(said, chosen, catalogue)
    if (age := _AGE.search(said)) is not None:
        chosen = [_for_age(service, int(age.group(1)), catalogue) for service in chosen]
    return list(dict.fromkeys(s.id for s in chosen)), unknown_text


_AGE = re.compile(r"\b(\d{1,2})\s*(?:лет|год|года|годик\w*)\b")
_AGE_SPAN = re.compile(
    r"(?:\bдо\s+(?P<upto>\d{1,2})|\bот\s+(?P<from>\d{1,2})|(?P<a>\d{1,2})\s*[-–—]\s*(?P<b>\d{1,2}))\s*(?:лет|год)"
)


def _ages(title: str) -> tuple[int, int] | None:
    """The ages a title is for: "до 7 лет" (0-6), "7–12 лет" (7-12), "от 12 лет" (12 and up)."""
    span = _AGE_SPAN.search(fold(title))
    if span is None:
        return None
    if span.group("upto"):
        return 0, int(span.group("upto")) - 1
    if span.group("from"):
        return int(span.group("from")), 200
    return int(span.group("a")), int(span.group("b"))


def _for_age(service: Service, age: int, catalogue: Catalogue) -> Service:
    """ "дочку (9 лет)": of the titles that differ only by age ("Детская стрижка до 7 лет", "... 7–12 лет"),
    the one for that age."""
    ages = _ages(service.title)
    if ages is None or ages[0] <= age <= ages[1]:
        return service
    base = _AGE_SPAN.sub("", fold(service.title)).strip()
    for other in catalogue.services:
        span = _ages(other.title)
        if span and span[0] <= age <= span[1] and _AGE_SPAN.sub("", fold(other.title)).strip() == base:
            return other
    return service


def _glued(match: re.Match[str], phrases: frozenset[tuple[str, str]]) -> str:
    """A title's own "с покрытием" is no list of two services: glued, so the parts do not split it."""
    return f"с_{match.group('x')}" if in_phrases("с", match.group("x"), phrases) else match.group()


def _lend(parts: list[str], catalogue: Catalogue, phrases: frozenset[tuple[str, str]]) -> list[str]:
    """Parts of one list share what they leave out.

    A part that is only a title's modifier ("только без покрытия") belongs to the part before it. A part
    with an action and its object ("коррекцию бровей", "подстричь бороду") lends its object to a
    neighbour that has only another action ("с окрашиванием"; "стрижка и стрижка бороды" are two) and
    its action to one that has only an object ("и голову"), when the lent reading names a title with both.
    """
    joined: list[str] = []
    for part in parts:
        if joined and _only_modifier(part, catalogue, phrases):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    shapes = [_shape(part) for part in joined]
    result = list(joined)
    for index, (action, thing) in enumerate(shapes):
        if action is None or thing is None:
            continue
        for other in (index - 1, index + 1):
            if not 0 <= other < len(joined):
                continue
            own_action, own_thing = shapes[other]
            if own_action is not None and own_thing is None and noun_for(lemma(own_action)) != noun_for(lemma(action)):
                result[other] = _lent(joined[other], f"{joined[other]} {thing}", own_action, thing, catalogue)
            elif own_action is None and own_thing is not None:
                result[other] = _lent(joined[other], f"{action} {joined[other]}", action, own_thing, catalogue)
    return _verbs_take_objects(joined, shapes, result, catalogue)


def _verbs_take_objects(
    joined: list[str], shapes: list[tuple[str | None, str | None]], result: list[str], catalogue: Catalogue
) -> list[str]:
    """ "бороду, ещё заодно оформить": a verb alone takes the object beside it when that names a title."""
    for index, (action, thing) in enumerate(shapes):
        if action is None or thing is not None or noun_for(lemma(action)) == lemma(action):
            continue
        for other in (index - 1, index + 1):
            if 0 <= other < len(joined) and shapes[other][0] is None and (object_ := shapes[other][1]) is not None:
                result[index] = _lent(joined[index], f"{joined[index]} {object_}", action, object_, catalogue)
                break
    return result


def names_object(text: str) -> bool:
    """Whether ``text`` is only what a service is done to ("и голову", "брови"): a part of a list of services."""
    tokens = words(normalise(text))
    return 0 < len(tokens) <= 3 and any(lemma(t) in _OBJECTS or lemma(t) in _HAIR for t in tokens)


def _shape(part: str) -> tuple[str | None, str | None]:
    """The action word (a procedure noun or verb) and the object word (брови, бороду, голову) of a part."""
    action = thing = None
    for token in words(part):
        base = lemma(token)
        if base in _OBJECTS or base in _HAIR:
            thing = thing or token
        elif _is_procedure(token) or noun_for(base) != base:
            action = action or token
    return action, thing


def _lent(own: str, lent: str, action: str, thing: str, catalogue: Catalogue) -> str:
    best = match_services(lent, catalogue.services).best
    if best is None:
        return own
    named = named_words(lent, best)
    object_ = set() if lemma(thing) in _HAIR else {lemma(thing)}
    # a verb is done to its object ("оформить бороду" = "Оформление бороды"); a procedure noun must be named
    verb = noun_for(lemma(action)) != lemma(action)
    wanted = object_ if verb and object_ else {noun_for(lemma(action))} | object_
    return lent if wanted <= named | {noun_for(w) for w in named} else own


def _only_modifier(part: str, catalogue: Catalogue, phrases: frozenset[tuple[str, str]]) -> bool:
    """A part whose only service words are a title's "без X"/"с X" ("только без покрытия")."""
    rest = re.sub(r"\b(?:без\s+|с_)(?P<x>[а-я\-]+)", lambda m: " " if _phrase_word(m, phrases) else m.group(), part)
    if rest == part:
        return False
    return (
        not any(_is_procedure(t) or lemma(t) in _OBJECTS for t in words(rest))
        and match_services(rest, catalogue.services).unknown
    )


def _phrase_word(match: re.Match[str], phrases: frozenset[tuple[str, str]]) -> bool:
    preposition = "без" if match.group().startswith("без") else "с"
    return in_phrases(preposition, match.group("x"), phrases)


def _title(service: Service) -> frozenset[str]:
    return frozenset(lemma(word) for word in words(service.title))


def _part_service(part: str, catalogue: Catalogue) -> tuple[Service | None, str | None]:
    """The service one part of a list names, and the words of a procedure none of the salon's covers."""
    best = match_services(part, catalogue.services).best
    tokens = words(part)
    procedures = [t for t in tokens if _is_procedure(t)]
    if best is None:
        found = [t for t in tokens if _is_procedure(t) or lemma(t) in _OBJECTS]
        return None, " ".join(found) or None
    covered = named_words(part, best)
    if not procedures and all(lemma(word) in _OBJECTS for word in covered) and _tells_of(tokens):
        return None, None  # "а то ногти слоятся": a sentence about the nails asks for no service of them
    # a verb done to an object the service covers ("подровнять бороду" = "Моделирование бороды") is that
    # service's, unless the title names another procedure ("снимать ногти" is no "Наращивание ногтей");
    done_to = any(lemma(t) in covered for t in tokens if lemma(t) in _OBJECTS) and not (
        title_words(best) & _PROCEDURES - {noun_for(lemma(t)) for t in procedures}
    )
    # so is a procedure of that object ("стрижка бороды" = "Оформление бороды")
    of_object = {t for t, following in pairwise(tokens) if following in OBJECTS_OF}
    uncovered = [
        t
        for t in procedures
        if noun_for(lemma(t)) not in covered
        and not named_words(t, best)
        and not (done_to and (noun_for(lemma(t)) != lemma(t) or t in of_object))
    ]
    if procedures and len(uncovered) == len(procedures):
        objects = [t for t in tokens if lemma(t) in _OBJECTS]
        return None, " ".join(uncovered + objects)
    return best, " ".join(uncovered) or None


def _tells_of(tokens: Sequence[str]) -> bool:
    """A verb in the third person: the part tells what something does ("слоятся", "выпадают")."""
    return any("3per" in verb_grammemes(token) for token in tokens)


def _is_procedure(word: str) -> bool:
    return word in _PROCEDURES or noun_for(lemma(word)) in _PROCEDURES


def _with_children(said: str, chosen: list[Service], catalogue: Catalogue) -> list[Service]:
    """A child named beside a service for adults: the child's variant, and the adult one too if the
    client names themself ("сына и себя постричь")."""
    result: list[Service] = []
    for service in chosen:
        child = match_services(f"детская {service.title}", catalogue.services).best
        if child is None or child.id == service.id or not mentions_child(child.title):
            result.append(service)
            continue
        if _SELF.search(said):
            result.append(service)
        result.append(child)
    return result


# --- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffPick:
    id: int | None = None
    excluded: tuple[int, ...] = ()
    any_staff: bool = False
    unknown: str | None = None  # a name that is none of the salon's masters, in its dictionary form


_ANY = re.compile(
    r"\bлюб(?:ой|ому|ого|ая|ую|ые|ым|ом)\b(?!\s+(?:день|дня|время|времени|число|удобн|час|слот|окн))"
    r"|\b(?:без разницы|все\s?равно|неважно|не важно)\b"
    r"(?!\s+(?:во сколько|когда|какой день|в какое|на какое|день|время))"
    r"|\b(?:кто|кому|кого)[\s-](?:угодно|нибудь|либо)\b|\bкто(?:[\s-]нибудь)? свобод\w*"
)
# "не к Руслану и Артёму" rules out both; "не к Руслану, к Артёму" asks for Артём
_NEGATED = re.compile(
    r"\b(?:только не|кроме|не|без)\s+(?:к |ко |у |с |со )?(?P<a>[а-я]+)"
    r"(?:(?:\s*,?\s*(?:или|и)\s+(?:к |ко |у )?|\s*,\s*)(?P<b>[а-я]+))?"
)
_NEGATED_AFTER = re.compile(r"\b(?:к |ко |у )?(?P<a>[а-я]+)\s+не (?:хочу|надо|нужно|стоит|хотелось бы)\b")
# "к тому же мастеру", "к своему": words about which master, never a name (pymorphy reads "тому" as one)
_DETERMINERS = frozenset(_split("тот этот свой мой твой ваш наш другой любой такой один каждый весь сам какой"))
_TO_MASTER = re.compile(r"\b(?:к|ко|у|мастер[а-я]*|с)\s+(?P<n>[а-я]{3,})")
_LATIN = {
    "shch": "щ", "sch": "щ", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "ts": "ц", "ya": "я", "yu": "ю",
    "yo": "е", "ey": "ей", "iy": "ий", "yi": "ый", "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф",
    "g": "г", "h": "х", "i": "и", "j": "дж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
    "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс", "y": "й", "z": "з",
}  # fmt: skip
_LATIN_PATTERN = re.compile("|".join(sorted(_LATIN, key=len, reverse=True)))


def _cyrillic(text: str) -> str:
    return re.sub(r"[a-z]+", lambda m: _LATIN_PATTERN.sub(lambda c: _LATIN[c.group()], m.group()), text)


def resolve_staff(text: str, catalogue: Catalogue) -> StaffPick:
    """The master ``text`` asks for, those it rules out ("не к Артёму", "кроме Олега"), "любой", or an unknown name."""
    said = _cyrillic(normalise(text))
    any_staff = bool(_ANY.search(said))
    said = _ANY.sub(" ", said)  # "мастер любой": a word about the master, never a name
    excluded: list[int] = []
    for match in [*_NEGATED.finditer(said), *_NEGATED_AFTER.finditer(said)]:
        for name in (match.group("a"), match.groupdict().get("b")):
            found = _member(name, catalogue) if name else None
            if found is not None:
                excluded.append(found)
                said = said.replace(match.group(), " ")
    matches = match_staff(said, catalogue.staff)
    positive = [m for m in matches if m.item.id not in excluded]
    staff_id = None
    if positive and (len(positive) == 1 or positive[0].score > positive[1].score):
        staff_id = positive[0].item.id
    elif len(positive) > 1 and re.search(r"\bили\b", said):
        # "к Артёму или Тимуру": either of them, which is every other master ruled out
        named = {m.item.id for m in positive}
        excluded += [m.id for m in catalogue.staff if m.id not in named]
        any_staff = True
    unknown = None
    if not matches and not excluded:
        for match in _TO_MASTER.finditer(said):
            if is_first_name(match.group("n")) and lemma(match.group("n")) not in _DETERMINERS:
                unknown = lemma(match.group("n")).capitalize()
                break
    return StaffPick(staff_id, tuple(dict.fromkeys(excluded)), any_staff, unknown)


def _member(word: str, catalogue: Catalogue) -> int | None:
    if len(word) < 3:
        return None
    best = match_staff(word, catalogue.staff).best
    return best.id if best else None


# --- when -------------------------------------------------------------------------------------

_COUNT_WORDS = {
    "один": 1, "одну": 1, "два": 2, "две": 2, "три": 3, "пару": 2, "пять": 5, "десять": 10, "пятнадцать": 15,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
}  # fmt: skip
_COUNT = "|".join(sorted(_COUNT_WORDS, key=len, reverse=True))  # "двадцать" before "два"
_AMOUNT = (
    r"(?P<amount>полчаса|пол часа|полтора часа|часик|часок|час"
    rf"|(?P<n>\d{{1,3}}|{_COUNT})\s*(?P<unit>минут[а-я]*|мин|час[а-я]*|ч)\b)"
)
_DIRECTION = r"(?P<dir>попозже|позже|позднее|пораньше|раньше|ранее|вперед|назад)"
_SHIFT_PATTERNS = (
    re.compile(rf"\bна\s+{_AMOUNT}\s+{_DIRECTION}\b"),
    re.compile(rf"\b{_DIRECTION}\s+на\s+{_AMOUNT}"),
)
_HOUR_WORDS = (
    "час|часа|один|два|двух|три|трех|четыре|четырех|пять|пяти|шесть|шести|семь|семи|восемь|восьми|девять|"
    "девяти|десять|десяти|одиннадцать|одиннадцати|двенадцать|двенадцати|обеда|полудня"
)
_NUDGE = re.compile(
    rf"(?<!не )\b(?P<dir>пораньше|попозже|раньше|позже|позднее|ранее)\b(?!\s*(?:\d|в\s*\d|{_HOUR_WORDS}|на\s))"
)
_DATE_WORDS = re.compile(
    r"\b(?:числ[аоу]|январ[а-я]*|феврал[а-я]*|март[а-я]*|апрел[а-я]*|мая|июн[а-я]*|июл[а-я]*|август[а-я]*|"
    r"сентябр[а-я]*|октябр[а-я]*|ноябр[а-я]*|декабр[а-я]*|через день|на днях)\b|\b\d{1,2}[./]\d{1,2}\b"
)
_ORDINALS = (
    (r"сам[а-я]* (?:ранн|раннее)[а-я]*", 1),  # "самое раннее" of the times offered
    (r"сам[а-я]* поздн[а-я]*", -1),
    (r"перв[а-я]*", 1),
    (r"втор[а-я]*", 2),
    (r"трет[а-я]*", 3),
    (r"четверт[а-я]*", 4),
    (r"пят[ао][а-я]*", 5),
    (r"последн[а-я]*", -1),
)


def _minutes(amount: str, count: str | None, unit: str | None) -> int:
    if amount.startswith(("полчаса", "пол часа")):
        return 30
    if amount.startswith("полтора"):
        return 90
    if count is None:
        return 60
    value = int(count) if count.isdigit() else _COUNT_WORDS[count]
    return value * 60 if unit and unit.startswith("ч") else value


def _take_shift(said: str) -> tuple[int | None, str]:
    for pattern in _SHIFT_PATTERNS:
        match = pattern.search(said)
        if match is not None:
            minutes = _minutes(match.group("amount"), match.group("n"), match.group("unit"))
            sign = 1 if _SHIFTS[match.group("dir")] else -1
            return sign * minutes, said.replace(match.group(), " ")
    return None, said


_SHIFTS = {"попозже": True, "позже": True, "позднее": True, "вперед": True}
_SHIFTS |= {"пораньше": False, "раньше": False, "ранее": False, "назад": False}


def ordinal_of(text: str) -> int | None:
    """ "вторую" = 2, "последнюю" = -1, a bare "2" = 2; None when no ordinal is said."""
    said = normalise(text).strip(" .!?)")
    if re.fullmatch(r"\d", said):
        return int(said) or None
    for pattern, value in _ORDINALS:
        if re.search(rf"\b{pattern}\b", said) and not re.search(rf"\b(?:пол|половин[а-я]*)\s*{pattern}", said):
            if value == 1 and re.search(r"\bперв\w* раз", said):
                continue
            return value
    return None


# A later word of the turn replaces an earlier one: "в четверг в 7... ой нет, лучше в пятницу".
_CORRECTION = re.compile(
    r"\b(?:(?:ой|хотя|а|или)\s+)?нет\b|\bточнее\b|\bвернее\b|\bлучше\b|\bпередумал\w*"
    r"|(?:\b(?:а|ой)\s+|(?<=,)\s*)не\b(?=\s*(?:[,.!]|$))"  # "в среду.. а не, в четверг"
)
# "на завтра в это же время": the booking's own time, kept (a shift of zero)
_SAME_TIME = re.compile(
    r"\b(?:в|на|к)\s+(?:это|то|тоже|туже|тому|этому)(?:\s+же)?(?:\s+самое|\s+самому)?\s+(?:время|времени)\b"
    r"|\b(?:туда же|туже)\s+(?:время|времени)\b"
    r"|\bпо времени так же\b"
)


def resolve_when_spec(
    text: str,
    now: datetime,
    catalogue: Catalogue,
    *,
    offered: Sequence[datetime] = (),
) -> WhenSpec:
    """*When* the words say, on the salon's clock. With ``offered`` (the starts the bot offered last), a bare
    hour takes the offered reading ("в 5" = 17:00 tomorrow) and an ordinal picks one ("второе").

    A correction ("ой нет", "лучше", "точнее") replaces what it names and keeps the rest: "в четверг в 7
    вечера, ой нет, лучше в пятницу" is Friday at 19:00. "В это же время" / "на то же время" is a shift
    of zero: the booking's time, on the day named with it.
    """
    pieces = _CORRECTION.split(normalise(text))
    spec = _when_of(pieces[0], now, catalogue, offered)
    for piece in pieces[1:]:
        spec = _corrected(spec, _when_of(piece, now, catalogue, offered), now.astimezone(catalogue.salon.tz))
    return replace(spec, text=text)


def _when_of(said: str, now: datetime, catalogue: Catalogue, offered: Sequence[datetime]) -> WhenSpec:
    shift, said = _take_shift(said)
    if shift is None and _SAME_TIME.search(said):
        shift, said = 0, _SAME_TIME.sub(" ", said)
    nudge_match = _NUDGE.search(said)
    nudge = None
    if nudge_match and shift is None:
        nudge = "earlier" if _SHIFTS.get(nudge_match.group("dir")) is False else "later"
        said = said.replace(nudge_match.group(), " ")
    salon = catalogue.salon
    when = resolve_when(said, now, tz=salon.tz, hours=salon.hours)
    day, moment = when.date, when.time
    ambiguous = Ambiguity.HOUR_AM_PM in when.ambiguities
    if moment is None and offered and when.window is None and (bare := _BARE_HOUR.search(said)):
        moment = time(int(bare.group(1)))  # "10 подходит", "10 works": an hour of the times just offered
    offer = _offer_for(said, moment, day, offered, salon.tz)
    if offer is None and moment is not None and when.time is None:
        moment = None  # a bare number that none of the offered times has is no time
    if offer is not None:
        day, moment, ambiguous = offer.date(), offer.time().replace(second=0, microsecond=0), False
    unclear = bool({Ambiguity.INVALID_DATE, Ambiguity.PAST_DATE} & when.ambiguities) or (
        day is None and (bool(_DATE_WORDS.search(said)) or _cut_day_word(said))
    )
    past = Ambiguity.DAY_PASSED in when.ambiguities or (
        Ambiguity.TIME_PASSED in when.ambiguities and offer is None and day == now.astimezone(salon.tz).date()
    )
    window, finish_by = when.window, None
    if _DEADLINE.search(said) and offer is None:
        # "мне к 12 на свадьбу, надо успеть": by then the visit is over; not the time it starts
        if moment is not None and re.search(r"\bк\s+(?:\d|[а-я]+\s+час)", said):
            finish_by, moment, past = moment, None, False
        elif window is not None and window.end is not None and window.start is None:
            finish_by, window = window.end, None
    return WhenSpec(
        day=day,
        day_until=when.date_until,
        time=moment,
        part_of_day=when.part_of_day,
        window=window,
        finish_by=finish_by,
        shift_minutes=shift,
        nudge=nudge,  # type: ignore[arg-type]
        unclear=unclear,
        past=past,
        ambiguous_hour=ambiguous,
    )


_DAY_WORDS = (
    "понедельник",
    "вторник",
    "среда",
    "четверг",
    "пятница",
    "суббота",
    "воскресенье",
    "сегодня",
    "завтра",
    "послезавтра",
)


def _cut_day_word(said: str) -> bool:
    """A word that starts a day's name and stops short ("в пят", "во вто", "в четве"): a day was meant,
    and a time beside it must not fall on today. Longer words of their own ("после", "воск") are not
    cut days; "чет" is slang for "что-то"."""
    return any(
        len(word) >= 3
        and word != "чет"
        and (len(word) == 3 or not is_known(word))
        and any(day.startswith(word) and day != word for day in _DAY_WORDS)
        for word in re.findall(r"[а-я]+", said)
    )


# the client must be somewhere by a time: "к 12 надо успеть", "к 6 на работу", "до 15 освободиться"
_DEADLINE = re.compile(
    r"\b(?:успеть|успевать|освободиться|освобожусь|закончить|закончили|быть (?:на|в) \w+|надо быть|нужно быть"
    r"|на свадьбу|на работу|на самол[её]т|на поезд|на собеседование|на выпускной|на праздник)\b"
)


_BARE_HOUR = re.compile(
    r"(?<![\d:.,/-])\b([1-9]|1\d|2[0-3])\b(?![\d:.,/-])(?!\s*(?:мин|час|руб|р\b|₽|%|лет|раз|чел|шт|минут))"
)


def _corrected(first: WhenSpec, then: WhenSpec, now: datetime) -> WhenSpec:
    """``first`` with what ``then`` names replaced: its day, or its time (an exact time, a part of day, a shift)."""
    day_from = then if then.day is not None or then.unclear else first
    timed = (then.time, then.part_of_day, then.window, then.shift_minutes, then.nudge)
    # "в среду в 6, ой нет, лучше в четверг в это же время": the time said before; with none said before it
    # is a move's "same time" ("лучше перенесите на понедельник на то же время")
    same_time = (
        then.shift_minutes == 0
        and then.time is None
        and any(v is not None for v in (first.time, first.part_of_day, first.window))
    )
    time_from = then if any(value is not None for value in timed) and not same_time else first
    day, moment = day_from.day, time_from.time
    past = (day_from.past and day is None) or (
        day == now.date() and moment is not None and moment <= now.time().replace(tzinfo=None)
    )
    return WhenSpec(
        day=day,
        day_until=day_from.day_until,
        time=moment,
        part_of_day=time_from.part_of_day,
        window=time_from.window,
        shift_minutes=time_from.shift_minutes,
        nudge=time_from.nudge,
        unclear=day_from.unclear,
        past=past,
        ambiguous_hour=time_from.ambiguous_hour,
        finish_by=time_from.finish_by,
    )


def _offer_for(said: str, moment: time | None, day: object, offered: Sequence[datetime], tz: object) -> datetime | None:
    if not offered:
        return None
    local = [start.astimezone(tz) for start in offered]  # type: ignore[arg-type]
    if moment is None:
        index = ordinal_of(said) if re.fullmatch(r"[\sа-я]*", said) else None
        if index is not None and -len(local) <= index <= len(local) and index:
            return local[index - 1 if index > 0 else index]
        return None
    for start in local:
        same_minute = start.minute == moment.minute
        if same_minute and start.hour % 12 == moment.hour % 12 and (day is None or start.date() == day):
            return start
    return None


def resolve_minutes_late(text: str) -> int | None:
    """How late the client says they will be: "на 10 минут" = 10, "на полчаса" = 30, "10-15 минут" = 15."""
    said = normalise(text)
    if re.search(r"\bпол\s?часа\b|\bполчасика\b", said):
        return 30
    if re.search(r"\bна час(?:ик|ок)?\b", said):
        return 60
    numbers = rf"(?P<a>\d{{1,3}}|{_COUNT})(?:\s*-\s*(?P<b>\d{{1,3}}))?"
    match = re.search(rf"{numbers}\s*(?:минут[а-я]*|мин)\b", said) or re.search(
        rf"\bминут[а-я]*\s+(?:на\s+|через\s+)?{numbers}", said
    )
    if match is None:
        return None
    values = [match.group("a"), match.group("b")]
    return max(int(v) if v.isdigit() else _COUNT_WORDS[v] for v in values if v)


# --- which booking ----------------------------------------------------------------------------


def resolve_record(text: str, now: datetime, catalogue: Catalogue) -> RecordHint:
    """Which of the client's bookings the words describe: "детскую, которая в субботу", "ту, что у
    Сергея", "вторую", "завтрашнюю"."""
    # "не до стрижки сейчас": the present moment is when the client speaks, never a booking's day
    said = re.sub(r"\b(?:сейчас|прямо сейчас|пока что|пока)\b", " ", normalise(text))
    when = resolve_when(said, now, tz=catalogue.salon.tz, hours=catalogue.salon.hours)
    services = resolve_services(text, catalogue)
    staff = resolve_staff(text, catalogue)
    return RecordHint(
        day=when.date,
        time=when.time,
        service_ids=services.ids,
        staff_id=staff.id,
        ordinal=ordinal_of(text),
    )
