"""English client messages rewritten into the Russian the rest of the language core reads.

One mechanism for English: a small glossary of phrases (days, times, services, requests) is replaced
by its Russian equivalent, so "tomorrow at 3pm" resolves like "завтра в 15:00" and "how much is a
beard trim" matches like "сколько стоит стрижка бороды". Words in Cyrillic are never touched, so the
rewrite is safe on Russian text; English words the glossary does not know are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_WEEKDAYS = {
    "monday": "понедельник",
    "mon": "понедельник",
    "tuesday": "вторник",
    "tue": "вторник",
    "wednesday": "среда",
    "wed": "среда",
    "thursday": "четверг",
    "thu": "четверг",
    "friday": "пятница",
    "fri": "пятница",
    "saturday": "суббота",
    "sat": "суббота",
    "sunday": "воскресенье",
    "sun": "воскресенье",
}
_MONTHS = {
    "january": "января",
    "february": "февраля",
    "march": "марта",
    "april": "апреля",
    "may": "мая",
    "june": "июня",
    "july": "июля",
    "august": "августа",
    "september": "сентября",
    "october": "октября",
    "november": "ноября",
    "december": "декабря",
}
_NUMBERS = {"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "half an": "0.5", "half a": "0.5"}

_Rule = tuple[str, str | Callable[[re.Match[str]], str]]
_BODY = {"back": "спины", "neck": "шеи", "face": "лица", "foot": "стоп", "feet": "стоп"}


def _clock(match: re.Match[str]) -> str:
    hour, minute, half = int(match.group("h")), match.group("m") or "00", match.group("ampm")[0]
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return f" {hour:02d}:{minute} "


def _weekday(match: re.Match[str]) -> str:
    modifier = {"next": "следующий ", "this": "этот ", "coming": "ближайший "}.get(match.group("mod") or "", "")
    return f" в {modifier}{_WEEKDAYS[match.group('w')]} "


_FROM_DAY = {
    "понедельник": "понедельника",
    "вторник": "вторника",
    "среда": "среды",
    "четверг": "четверга",
    "пятница": "пятницы",
    "суббота": "субботы",
    "воскресенье": "воскресенья",
}
_TO_DAY = {"среда": "среду", "пятница": "пятницу", "суббота": "субботу"}


def _from_to(match: re.Match[str]) -> str:
    """ "from Thursday to Friday": the booking's day and the new one ("с четверга на пятницу")."""
    first, second = _WEEKDAYS[match.group("a")], _WEEKDAYS[match.group("b")]
    return f" с {_FROM_DAY[first]} на {_TO_DAY.get(second, second)} "


def _month_day(match: re.Match[str]) -> str:
    return f" {match.group('d')} {_MONTHS[match.group('mo')]} "


def _shift(match: re.Match[str]) -> str:
    amount = _NUMBERS.get(match.group("n"), match.group("n"))
    minutes = float(amount) * (60 if match.group("unit").startswith("h") else 1)
    direction = "позже" if match.group("dir") == "later" else "раньше"
    return f" на {round(minutes)} минут {direction} "


def _in(match: re.Match[str]) -> str:
    amount = _NUMBERS.get(match.group("n"), match.group("n"))
    unit = {"h": "часа", "m": "минут", "d": "дня", "w": "недели"}[match.group("unit")[0]]
    return f" через {amount} {unit} "


_WEEKDAY = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MONTH = "|".join(_MONTHS)
_COUNT = r"\d+|an?|one|two|three|half an?"
# Longest phrases first; each pattern is matched on lower-cased text at word boundaries.
_RULES: list[_Rule] = [
    (r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)(?![a-z])", _clock),
    (rf"\b(?P<n>{_COUNT})\s*(?P<unit>hours?|hrs?|minutes?|mins?)\s+(?P<dir>later|earlier|sooner)\b", _shift),
    (r"\b(?:at\s+)?(?:the\s+)?same time\b", " в то же время "),
    (r"\bsomething came up\b|\b(?:can'?t|cannot|won'?t) make it\b", " не получится "),
    (r"\b(?:a\s+)?beard\s+trim\b|\btrim\s+(?:my\s+|the\s+)?beard\b", " стрижка бороды "),
    (rf"\bin\s+(?P<n>{_COUNT})\s*(?P<unit>hours?|minutes?|mins?|days?|weeks?)\b", _in),
    (
        rf"\bfrom\s+(?:this\s+|next\s+)?(?P<a>{_WEEKDAY})s?\s+to\s+(?:this\s+|next\s+)?(?P<b>{_WEEKDAY})s?\b",
        _from_to,
    ),
    (rf"\b(?:on\s+)?(?:(?P<mod>next|this|coming)\s+)?(?P<w>{_WEEKDAY})s?\b", _weekday),
    (rf"\b(?P<mo>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b", _month_day),
    (rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mo>{_MONTH})\b", _month_day),
    (r"\bthe\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b", lambda m: f" {m.group('d')}-го "),
    (r"\bday after tomorrow\b", " послезавтра "),
    (r"\btomorrow\b", " завтра "),
    (r"\btoday\b", " сегодня "),
    (r"\btonight\b", " сегодня вечером "),
    (r"\byesterday\b", " вчера "),
    (r"\bnext weekend\b", " на следующих выходных "),
    (r"\b(?:this|the|on the|on)?\s*weekend\b", " в эти выходные "),
    (r"\bnext week\b", " на следующей неделе "),
    (r"\bthis week\b", " на этой неделе "),
    (r"\b(?:in the\s+)?morning\b", " утром "),
    (r"\b(?:in the\s+)?afternoon\b", " днем "),
    (r"\b(?:in the\s+)?evening\b", " вечером "),
    (r"\bat\s+noon\b|\bnoon\b", " в полдень "),
    (r"\bbetween\s+(\d{1,2}(?::\d{2})?)\s+and\s+(\d{1,2}(?::\d{2})?)", r" между \1 и \2 "),
    (r"\bfrom\s+(\d{1,2}(?::\d{2})?)\s+(?:to|till|until)\s+(\d{1,2}(?::\d{2})?)", r" с \1 до \2 "),
    (r"\b(?:after|from)\s+(?=\d)", " после "),
    (r"\b(?:before|until|till|by)\s+(?=\d)", " до "),
    (r"\b(?:at|around|about)\s+(?=\d)", " в "),
    # requests and questions
    (r"\bmy name is\b|\bmy name's\b|\bcall me\b", " меня зовут "),
    (r"\bi'?ll be\b", " буду "),
    (r"\b(?:i'?m|i am)\s+(?=\d|running)", " "),
    (r"\bi'?m\b|\bi am\b", " я "),
    (r"\bthis is\b", " это "),
    (r"\bhow much(?: is| are| does| do| for)?\b|\bwhat does it cost\b", " сколько стоит "),
    (r"\bprices?\b|\bcosts?\b|\bprice list\b", " цена "),
    (r"\bhow long\b", " сколько длится "),
    (r"\bwhat(?:'s| is| does)? included\b|\bwhat does .{1,30} include\b", " что входит "),
    (r"\bwhat time\b", " во сколько "),
    (r"\bopening hours\b|\bworking hours\b|\bbusiness hours\b|\bhours\b", " часы работы "),
    (r"\bare you open\b|\bdo you work\b|\bopen\b", " вы работаете "),
    (r"\bdo you close\b|\bclose\b|\bclosing\b", " закрываетесь "),
    (
        r"\bwhere (?:exactly |precisely )?are you(?: located)?\b|\bwhere is\b|\blocation\b|\blocated\b",
        " где вы находитесь ",
    ),
    (r"\baddress\b", " адрес "),
    (r"\bwhat(?:'s| is) your\b|\bwhat are your\b", " какой "),
    (r"\bwho(?:'s| is| are)? (?:booked|coming|signed up|scheduled)\b", " кто записан "),
    (r"\bwho(?:'s| is| are)? (?:before|ahead of) me\b", " кто до меня "),
    (r"\b(?:right |just |straight )?after (?:him|her|them)\b", " сразу после него "),
    (r"\bwho does\b|\bwho can do\b|\bwho makes\b", " кто делает "),
    (r"\bany (?:masters|barbers|stylists)\b", " мастера "),
    (r"\banyone\b|\banybody\b|\bwhoever\b|\bany (?:master|barber|stylist)\b|\bno preference\b", " любой мастер "),
    (r"\bmasters\b|\bbarbers\b|\bstylists\b|\bstaff\b", " мастера "),
    (r"\bavailable\b|\bfree\b|\bopenings?\b|\bslots?\b", " свободно "),
    (r"\bany time\b|\banything\b|\bany\b", " есть что-нибудь "),
    (r"\bdo you have\b|\bis there\b|\bare there\b|\bhave you got\b", " есть "),
    (r"\bcan i\b|\bcould i\b|\bmay i\b|\bcan we\b|\bcould we\b|\bcan you\b|\bcould you\b", " можно "),
    (r"\bi'?d like\b|\bi would like\b|\bi want\b|\bi need\b|\bi wanna\b|\bwant\b|\bneed\b", " хочу "),
    (r"\breschedule\b|\bmove\b|\bchange the time\b|\bpostpone\b|\bshift\b", " перенести "),
    (r"\bcancel\w*\b", " отменить "),
    (r"\bbook(?:ing)?\b|\bmake an appointment\b|\breserve\b|\bsign (?:me )?up\b", " записаться "),
    (r"\bmy appointments?\b|\bmy bookings?\b|\bmy reservations?\b", " мою запись "),
    (r"\bappointments?\b|\breservations?\b", " запись "),
    (r"\bstop sending\b|\bdon'?t send\b|\bdo not send\b|\bunsubscribe\b|\bstop texting\b", " не присылайте "),
    (r"\breminders?\b|\bnotifications?\b", " напоминания "),
    (r"\b(?:real |a |the )?(?:manager|human|person|administrator|admin|receptionist)\b", " администратор "),
    (r"\b(?:talk|speak)\s+(?:to|with)\b", " поговорить с "),
    (
        r"\bterrible\b|\bawful\b|\bhorrible\b|\bunhappy\b|\bdisappointed\b|\bruined\b|\bworst\b|\bdisgusting\b",
        " ужасно ",
    ),
    (r"\bcomplain\w*\b", " жалоба "),
    (r"\bearlier\b|\bsooner\b", " пораньше "),
    (r"\blater\b", " попозже "),
    (r"\blate\b", " опоздаю "),
    (r"\bminutes?\b|\bmins?\b", " минут "),
    (r"\bhaircuts?\b|\bhair cuts?\b|\bcuts?\b|\btrims?\b", " стрижка "),
    (r"\bkids'?\b|\bchild(?:ren)?'?s?\b|\bson'?s?\b|\bdaughter'?s?\b|\bboy'?s?\b|\bgirl'?s?\b", " детская "),
    (r"\bbeard\b", " борода "),
    (r"\bfull[- ]body massage\b|\bbody massage\b", " общий массаж тела "),
    (r"\b(?P<part>back|neck|face|foot|feet)\s+massage\b", lambda m: f" массаж {_BODY[m.group('part')]} "),
    (r"\bmassage\b", " массаж "),
    (r"\bshave\b", " бритье "),
    (r"\bwithout\s+(?:gel\s*)?(?:polish|gel|coating|shellac)\b|\bno\s+(?:gel\s*)?polish\b", " без покрытия "),
    (r"\bwithout\b", " без "),
    (r"\bgel(?:[- ]?polish)?\b|\bshellac\b|\b(?:nail\s+)?polish\b", " покрытие гель-лак "),
    (r"\bmanicure\b|\bnails\b", " маникюр "),
    (r"\bpedicure\b", " педикюр "),
    (r"\bcolou?r(?:ing)?\b|\bdye\b", " окрашивание "),
    (r"\bhighlights\b", " мелирование "),
    (r"\bstyling\b|\bblow ?dry\b", " укладка "),
    (r"\b(?:eye)?brows\b", " брови "),
    (r"\blashes\b", " ресницы "),
    (r"\bthank(?:s| you)\b|\bthx\b|\bty\b", " спасибо "),
    (r"\bgood (?:morning|afternoon|evening|day)\b|\bhello\b|\bhi\b|\bhey\b", " привет "),
    (r"\bgood ?bye\b|\bbye\b|\bsee you\b", " до свидания "),
    (r"\byes\b|\byeah\b|\byep\b|\bsure\b", " да "),
    (r"\bno\b|\bnope\b", " нет "),
    (r"\bplease\b|\bpls\b|\bplz\b", " пожалуйста "),
    (r"\band\b|\bplus\b", " и "),
    (r"\bwith\b", " с "),
    (r"\bfor\b|\bto\b|\bon\b", " на "),
    (r"\bfirst one\b|\bthe first\b|\bfirst\b", " первую "),
    (r"\bsecond one\b|\bthe second\b|\bsecond\b", " вторую "),
    (r"\bthird one\b|\bthe third\b|\bthird\b", " третью "),
    (r"\blast one\b|\bthe last\b", " последнюю "),
]
_COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in _RULES]
_LATIN_WORD = re.compile(r"[a-z]{2,}")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
# Day words clients misspell or shorten; a misread one would leave a bare time, which reads as today.
_DAY_WORDS = (*(w for w in _WEEKDAYS if len(w) > 3), "tomorrow", "today", "tonight", "yesterday", "weekend")
_SHORTHAND = {
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "tmw": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "2mrw": "tomorrow",
    "2day": "today",
    "tdy": "today",
    "2nite": "tonight",
    "tonite": "tonight",
    "wknd": "weekend",
}


# Short words a request hangs on, written with two letters swapped ("cna i", "wiht", "teh")
_SWAPPED = {
    "".join(sorted(w)): w for w in ("can", "with", "the", "and", "book", "for", "please", "time", "want", "need")
}


@lru_cache(maxsize=4_096)
def _spelled(word: str) -> str:
    """A misspelt day word as it is spelt ("tommorow", "thursdy", "wensday"), a short request word with two
    letters swapped ("cna", "wiht"); any other word as it is. One edit is allowed, two for a long word
    against a long day word."""
    if word in _SHORTHAND:
        return _SHORTHAND[word]
    swapped = _SWAPPED.get("".join(sorted(word)))
    if swapped is not None and swapped != word and Levenshtein.distance(word, swapped) == 2:
        return swapped  # the same letters, one pair swapped (two edits in Levenshtein's count)
    if len(word) < 5 or word in _DAY_WORDS:
        return word
    for day in _DAY_WORDS:
        allowed = 2 if len(word) >= 7 and len(day) >= 8 else 1
        if Levenshtein.distance(word, day, score_cutoff=allowed) <= allowed:
            return day
    return word


def to_russian(text: str) -> str:
    """``text`` lower-cased with every glossary phrase in Russian; a text with no Latin word is only lower-cased."""
    lowered = text.lower().replace("’", "'")
    if not _LATIN_WORD.search(lowered):
        return lowered
    lowered = _LATIN_TOKEN.sub(lambda m: _spelled(m.group()), lowered)
    for pattern, replacement in _COMPILED:
        lowered = pattern.sub(replacement, lowered)
    return re.sub(r"[ \t]+", " ", lowered).strip()
