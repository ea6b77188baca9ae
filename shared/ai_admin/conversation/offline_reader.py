"""The offline reader: the client's messages of one turn to an ``Understanding``, without a model.

How it reads, in order:

1. Buttons first: a tapped reply button is the answer (the text is only its title).
2. The words are normalised (``tools.resolve.normalise``: lower case, ё, English, slang, typos).
3. An explicit name ("меня зовут Лена", "Никита меня зовут", "я Андрей") and a late notice ("опоздаю на
   10 минут", "буду минут через 10", "могу задержаться") are taken out first, so neither becomes a
   master, a time or a service.
4. The rest is cut into clauses at punctuation and conjunctions. Each clause is matched against one cue
   table per intent (small grammars over stems); a clause with no cue but with slots (a service, a
   master, a time) continues the request before it ("хочу записаться. на стрижку. завтра в 19"), or
   is a request of its own: a booking, a move when it shifts ("на час позже"), a choice when the bot
   asked which booking. Adjacent clauses of one intent are merged, and each intent's slots are
   resolved from its own clauses by the shared resolvers. A clause that tells rather than asks is no
   request: a change in the past tense ("перенесли мою запись?") is about the client's bookings, as is
   being booked ("я же записан на пятницу?"); told with a grievance ("опять", "так и не", "слишком")
   it is a complaint. "X делаете?" asks about X; a question that names no service is about the
   service the question before it named ("балаяж делаете? сколько стоит"). A service and an exact
   time said as a statement ask to be booked (``firm``).
5. An excuse ("в четверг не успеваю", "завтра не получится") names the booking, never the new time:
   beside a request for another time it makes a move (unless the bot was arranging a new booking),
   alone it declines. A correction ("ой нет, лучше в пятницу", "хотя нет") stays with the times it
   corrects, so the later words win (``resolve_when_spec``).
6. A bare yes/no is read only from a clause that says nothing else ("-" and "+" too); a "нет"/"да"
   followed by a new request gives the request alone ("нет, лучше в субботу"). A greeting counts only
   when it is all the client said; a complaint or a late notice is never also read as a booking request.

Unclear text gives fewer intents, never invented ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import ClassVar

from ai_admin.conversation.model import Catalogue
from ai_admin.conversation.tools.resolve import (
    detect_language,
    names_object,
    normalise,
    ordinal_of,
    resolve_minutes_late,
    resolve_record,
    resolve_services,
    resolve_staff,
    resolve_when_spec,
)
from ai_admin.conversation.understanding import (
    Expecting,
    Intent,
    IntentKind,
    ReadContext,
    RecordHint,
    Understanding,
    WhenSpec,
)
from ai_admin.domain.client_answers import read_answer
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.notification_texts import parse_visit_reply
from ai_admin.domain.russian_words import is_first_name, is_known, is_verb, verb_grammemes

K = IntentKind


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_CUES: dict[IntentKind, re.Pattern[str]] = {
    K.CANCEL: _cue(r"\bотмен\w*", r"\bотмини\w*", r"\bудали\w* (?:\w+ )?запис\w*"),
    K.MOVE: _cue(
        r"\bперенес\w*",
        r"\bперенос\w*",
        r"\bперенест\w*",
        r"\bсдвин\w*",
        r"\bсдвиг\w*",
        r"\bпередвин\w*",
        r"\b(?:поменя|помен|измени)\w* (?:\w+ )?(?:время|дату|день)\b",
        r"\bна другое время\b",
        r"\bна другой день\b",
    ),
    K.MY_BOOKINGS: _cue(
        # the state of being booked, never a request: "я же записан на пятницу?" ("кто записан" asks of others)
        r"(?<!\bкто )(?<!\bкто у вас )\bзаписан[аоы]?\b",
        r"\b(?:меня|нас) (?:\w+ )?записали\b",
        r"\bмо[яиюей]\w* запис\w*",
        r"\bу (?:меня|нас) (?:\w+ ){0,4}запис\w*",
        r"\bкакие у меня\b",
        r"\bна когда я\b",
        r"\bво сколько я\b",
        r"\bзаписывал\w*",
        r"\bзаписал(?:ся|ась|ись)\b",
        r"\bмо[йи] визит\w*",
    ),
    K.OTHERS_BOOKINGS: _cue(
        # who else is booked: the salon tells no one of another client's booking ("моя жена" may be on this
        # phone, so a relative's booking stays the client's own question)
        r"\bкто\b(?:[ -][\w-]+){0,6} (?:записан[аоы]?|записал(?:ся|ась|ись))\b",
        r"\bкто (?:\w+ )?(?:будет |идет |стоит )?(?:до|после|перед) (?:мной|меня)\b",
        r"\bчь[яюе]\w* запис\w*",
    ),
    K.PRICE: _cue(
        r"\bсколько\s+(?:\w+\s+)?сто[ия]\w*",
        r"\bстоимост\w*",
        r"\bцен(?:а|ы|у|е|ой|ник\w*)?\b",
        r"\bпо ч[её]м\b",
        r"\bпочем\b",
        r"\bпрайс\w*",
        r"\bпрейскурант\w*",
        r"\bрасценк\w*",
        r"(?<!во )(?<!до )(?<!со )\bсколько\b"
        r"(?!\s+(?:(?:оно|она|он|это|у вас|примерно)\s+)?"
        r"(?:по времени|времени|длит\w*|минут\w*|час\w*|раз|лет|дней|человек|мастер\w*|можно|ждать))",
    ),
    K.EXPLAIN: _cue(
        r"\bчто (?:такое|входит|включ\w*|это)\b",
        r"\bрасскаж\w* (?:про|о|об|подробнее)\b",
        r"\bсколько (?:по времени|времени|длит\w*)",
        r"\bпо времени (?:сколько|долго)\b",
        r"\bдлит\w*",
        r"\bкак долго\b",
        r"\bпродолжительн\w*",
        r"\bчем отлича\w*",
        r"\bчто за (?:услуга|процедура)\b",
    ),
    K.ADDRESS: _cue(
        r"\bадрес\w*",
        r"\bгде (?:вы|вас|у вас|находит\w*|наход\w*|располож\w*|это)\b",
        r"\bкак (?:к вам |до вас )?(?:добрат\w*|доехат\w*|пройти|проехать|найти)\b",
        r"\bкуда (?:ехать|подъехать|идти|подходить)\b",
        r"\bлокаци\w*",
        r"\bгеолокац\w*",
    ),
    K.HOURS: _cue(
        r"\bдо скольки\b",
        r"\bсо скольки\b",
        r"\bс какого часа\b",
        r"\bво сколько (?:вы )?(?:открыва|закрыва|начина|заканчива|работа)\w*",
        r"\b(?:часы|график|режим|время) работы\b",
        r"\bоткрыва\w*",
        r"\bзакрыва\w*",
        r"\bоткрыты\b",
    ),
    K.STAFF_LIST: _cue(
        r"\bкакие (?:у вас )?(?:есть )?мастер\w*",
        r"\bкто (?:из мастеров|из них|из вас|у вас|делает|может|лучше|стриж\w*|красит|работает)\b",
        r"\bмастера есть\b",
        r"\bсписок мастеров\b",
        r"\bваши мастера\b",
    ),
    K.HUMAN: _cue(
        r"\bадминистратор\w*",
        r"\bменеджер\w*",
        r"\bуправляющ\w*",
        r"\bруководител\w*",
        r"\bжив\w* (?:человек\w*|оператор\w*)",
        r"\bс человеком\b",
        r"\bоператор\w*",
        r"\bпозовите\b",
        r"\bсоедините\b",
        r"\bсвяжите\b",
        r"\bперезвоните\b",
        r"\bпозвоните мне\b",
        r"\bдиректор\w*",
    ),
    K.COMPLAINT: _cue(
        r"\bотвратит\w*",
        r"\bиспорт\w*",
        r"\bнедовол\w*",
        r"\bкриво\b",
        r"\bкрив[аоыу]\w*",
        r"\bжалоб\w*",
        r"\bпожалу(?:юсь|емся)\b",
        r"\bобману\w*",
        r"\bобман\b",
        r"\bхам\w*",
        r"\bнахам\w*",
        r"\bбезобраз\w*",
        r"\bвер(?:ни|нуть|ните) (?:мне )?деньги\b",
        r"\bвозврат\w*",
        r"\bхалтур\w*",
        r"\bне понравил\w*",
        r"\bотслоил\w*",
        r"\bопоздал[аи]?\b",
        r"\bждал[аи]?\b",
        r"\bне (?:тот|та|то)\b",
        r"\bпретензи\w*",
        r"\bразочаров\w*",
        r"\bоставлю отзыв\b",
        r"\bоблез\w*",
        r"\bотвалил\w*",
        r"\bскол(?:ол|ы)\w*",
        r"\bпотрескал\w*",
        r"\bнагруб\w*",
        r"\bгруб(?:о|ая|ый|ит|ят|или|ила)\b",
        r"\bсколько можно\b",
        r"\bбез предупреждени\w*",
    ),
    K.STOP_REMINDERS: _cue(
        r"\bне (?:присыла|пришли|отправля|шли|пиши|беспоко)\w*",
        r"\bне (?:надо|нужно)\s+(?:\w+\s+)?(?:напомин|уведомл|рассыл|сообщен|писать)\w*",
        r"\bотпиш\w*",
        r"\bотписа\w*",
        r"\bотключ\w*\s+(?:\w+\s+)?(?:напомин|уведомл|рассыл)\w*",
        r"\b(?:хватит|перестаньте|прекратите) (?:мне )?(?:писать|присылать|слать)\b",
        r"\bуберите\s+(?:\w+\s+)?(?:напомин|рассыл)\w*",
    ),
    K.THANKS: _cue(r"\bспасиб\w*", r"\bблагодар\w*", r"\bсенкс\b", r"\bмерси\b"),
    K.GREETING: _cue(
        r"\bпривет\w*",
        r"\bздравствуй\w*",
        r"\bдобр(?:ый|ое|ого) (?:день|утро|вечер|дня|утра|вечера)\b",
        r"\bдоброго времени суток\b",
        r"\bхай\b",
        r"\bсалют\b",
    ),
    K.BYE: _cue(
        r"\bдо свидания\b",
        r"\bпока\b(?! не)",
        r"\bвсего (?:доброго|хорошего)\b",
        r"\bдо встречи\b",
        r"\bхорошего (?:дня|вечера)\b",
    ),
}
_BOOK_VERB = _cue(
    r"\bзапиш\w*",
    r"\bзаписат\w*",
    r"\bзаписыва(?:юсь|емся|ю|ть|йте|й)\b",
    r"\bзабронир\w*",
    r"\bбронир\w*",
    r"\bбронь\b",
)
# Words of distress that are a complaint only about what happened ("ужас, подстригли криво") or said alone;
# beside a request they tell of the client's own trouble ("ногти слоятся ужас, хочу укрепление")
_DISTRESS = _cue(r"\bужас\w*", r"\bкошмар\w*", r"\bплохо\b", r"\bтак себе\b")
_NOT_CANCELLING = _cue(r"\bне (?:надо |нужно |стоит |хочу )?отмен\w*")
# "не надо записывать", "не хочу записываться": a booking verb said to decline
_NOT_BOOKING = _cue(r"\bне (?:надо |нужно |хочу |буду |будем )?(?:запис|запиш|бронир|забронир)\w*")
_USUAL = _cue(
    r"\bкак обычно\b",
    r"\bкак всегда\b",
    r"\bкак (?:и )?в прошлый раз\b",
    r"\bкак в тот раз\b",
    r"\bто же самое\b",
    r"\bк (?:тому же|своему|моему|прежнему|прошлому)(?: самому)? мастер\w*",
)
_LAST_TIME = _cue(
    r"\bкак (?:и )?в прошлый раз\b", r"\bкак в тот раз\b", r"\bк (?:тому же|прошлому)(?: самому)? мастер\w*"
)
# a request, unless negated ("сегодня не подходит" is an excuse)
_REQUEST = _cue(
    r"(?<!не )\bхочу\b",
    r"(?<!не )\bхотел\w*",
    r"(?<!не )\bхотим\b",
    r"(?<!не )\bнуж(?:но|на|ен|ны)\b",
    r"(?<!не )\bнадо\b",
    r"(?<!не )\bмне бы\b",
    r"(?<!не )\bдавай\w*",
    r"(?<!не )\bго\b",
    r"(?<!не )\bможно\b",
    r"(?<!не )\bок\b",
    r"(?<!не )\bда\b",
    r"(?<!не )\bподходит\b",
    r"(?<!не )\bустраивает\b",
    r"(?<!не )\bпойдет\b",
    r"(?<!не )\bнорм\w*",
)
_AVAILABLE_STRONG = _cue(r"\bсвободн\w*", r"\bокн[аоу]\w*", r"\bокош\w*", r"\bесть (?:ли )?(?:время|места|запись)\b")
_AVAILABLE_WEAK = _cue(r"\bесть\b", r"\bкогда\b", r"\bчто-нибудь\b", r"\bчто-то\b", r"\bближайш\w*", r"\bзанят\w*")
_HOURS_WEAK = _cue(r"\bработаете\b", r"\bвы работаете\b", r"\bработает ли (?:салон|студия|барбершоп)\b")
_STAFF_WORKS = _cue(
    r"\bработа(?:ет|ют|ть)\b",
    r"\bбудет\b",
    r"\bбудут\b",
    r"\bвыходн(?:ой|ая)\b",
    r"\bсмен[аеуы]\b",
    r"\bграфик\w*",
    r"\bрасписани\w*",
)
_OFFER = _cue(r"\bделаете\b", r"\bделают\b", r"\bесть ли у вас\b", r"\bу вас есть\b")
_QUESTION_MARKS = _cue(r"\bесть ли\b", r"\bможно ли\b", r"\bу вас есть\b", r"\bпринимаете\b", r"\bкак\b", r"\bгде\b")
_OWN_QUESTION = _cue(r"\bесть ли\b", r"\bу вас есть\b", r"\bможно ли\b", r"\bпринимаете\b")
# Late: a word for it, or coming (буду, подойду, подъеду) by some minutes or later ("буду минут через 10")
_ARRIVAL = r"(?:буду|будем|подойду|подойдем|приду|придем|подъеду|подъедем|приеду|приедем|доеду|доедем)"
_LATER_BY = r"(?:минут\w*|мин|полчаса|позже|попозже)"
_LATE = _cue(
    r"\bопозда(?:ю|ем|ть)\b",
    r"\bопаздыва(?:ю|ем)\b",
    r"\bзадержива(?:юсь|емся)\b",
    r"\bзадерж(?:усь|имся|аться)\b",
    rf"\b{_ARRIVAL}\b(?:\s+[^\s,.!?]+){{0,3}}?\s+{_LATER_BY}\b",
    rf"\b{_LATER_BY}\b(?:\s+[^\s,.!?]+){{0,3}}?\s+{_ARRIVAL}\b",
)
# "не успеваю", "завтра не получится": the client cannot come when planned. Such words name the booking
# (its day, its time), never the new time; said alone they decline.
_EXCUSE = _cue(
    r"(?<!если )\b(?:никак |вообще |точно |уже |совсем )?не (?:успева\w*|успею|успеем|получится|получается|выйдет"
    r"|выходит|подходит|удобно|приду|придем|буду|будем)\b",
    r"(?<!если )\bне (?:с?могу|с?можем)\b(?!\s+(?!прийти|подойти|приехать|успеть|быть)[а-я]+(?:ть|ти|ться|тись)\b)",
)
_PREFERS = re.compile(r"\W*(?:(?:ну|а|но|тогда|давайте|хотя)\s+)*(?:лучше|давайте|тогда)\b")
_CORRECTS = re.compile(r"\W*(?:(?:(?:ой|хотя|а|или)\s+)?(?:нет|точнее|вернее)|(?:(?:а|ой)\s+)?не)\W*")
# Grievances that judge rather than tell ("это нормально вообще??"): they make a complaint of what the
# whole message tells, in whichever clause it is told ("лак слез через 3 дня((( это нормально?")
_JUDGING = (
    r"\bэто нормально\b",
    r"\bтак и должно\b",
    r"\bэто как\b",
    r"\bни разу\b",
    r"\bуже (?:второй|третий|не первый) раз\b",
)
_JUDGES = _cue(*_JUDGING)
# Marks of a grievance: beside a narration of what happened ("перенесли", "подстригли") they make a complaint.
_GRIEVANCE = _cue(
    r"\bопять\b",
    r"\bснова\b",
    r"\bтак и не\b",
    r"\bдаже не\b",
    r"\bникто (?:даже )?не\b",
    r"\bхотя\b",
    r"\bслишком\b",
    r"\bне (?:к |в |на )?(?:тот|та|то|тому|той|ту|туда|так)\b",
    r"\bвместо\b",
    r"\bпочему\b",
    *_JUDGING,
)
# Asking for a person, as opposed to speaking of one ("администратор нагрубила")
_PERSON_WANTED = _cue(
    r"\bпозов\w*", r"\bсоедин\w*", r"\bпоговор\w*", r"\bсвяж\w*", r"\bзвон\w*", r"\bдайте\b", r"\bнуж\w*", r"\bхочу\b"
)
# clauses end at punctuation and conjunctions ("так и не" is one phrase)
_CLAUSE = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[!?;\n])+|,|(?<!так)\s(?:а|но|или|еще|также|плюс|потом|и еще|а еще|и)\s")
_ANSWER_FILLER = frozenset(
    {"пожалуйста", "тогда", "конечно", "ну", "вот", "уж", "прийти", "приду", "подойду", "буду", "все", "хорошо"}
    | {"отлично", "так", "же", "мне", "я", "мы", "вас", "вам", "получится", "смогу", "могу", "точно"}
)
_NAME_BEFORE = re.compile(r"\b(?P<n>[а-яa-z]+)\s+меня зовут\b")
_NAME_AFTER = re.compile(
    r"\b(?:меня зовут|зовут меня|мое имя|меня)\s+(?P<n>[а-яa-z]+)(?:\s+(?P<s>[а-я]+))?(?P<tail>\s+зовут\b)?"
)
_NAME_SELF = re.compile(
    r"(?:^|[.,!?;]\s*|\b(?:привет|здравствуйте|добрый день|добрый вечер)\s+)(?:я|это)\s+(?P<n>[а-яa-z]+)"
    r"(?=\s*(?:[.,!?;)]|$)|\s+(?:хочу|хотел\w*|можно|запиш\w*|мне|я|с|из|подскажите)\b)"
)
_NOT_NAMES = frozenset(
    {"сколько", "что", "как", "где", "когда", "кто", "это", "тут", "вас", "вам", "мне", "ваш", "наш"}
)
_MINUTES_SAID = re.compile(
    r"(?:\b(?:на|через)\s+)?(?:\d{1,3}(?:\s*-\s*\d{1,3})?|пять|десять|пятнадцать|двадцать|тридцать|сорок)"
    r"\s*(?:минут\w*|мин)\b"
    r"|\bминут\w*\s+(?:на|через)\s+\S+|\b(?:на|через)\s+пол\s?часа\b|\bна час\w*\b"
)
# a cue that makes the other cues of its clause mere words: "кто у вас записан" asks of another client, not of
# the masters; "перенесите мою запись" changes a booking, it does not ask about it
_OUTRANKS: dict[IntentKind, tuple[IntentKind, ...]] = {
    K.OTHERS_BOOKINGS: (K.MY_BOOKINGS, K.STAFF_LIST, K.STAFF_SCHEDULE),
    K.CANCEL: (K.MY_BOOKINGS, K.STAFF_SCHEDULE, K.PRICE),
    K.MOVE: (K.MY_BOOKINGS, K.STAFF_SCHEDULE, K.PRICE),
    K.STOP_REMINDERS: (K.COMPLAINT,),
}
# a clause with one of these is no booking request, whatever slots it names
_NO_BOOKING_BESIDE = frozenset(
    {K.CANCEL, K.MOVE, K.MY_BOOKINGS, K.OTHERS_BOOKINGS, K.COMPLAINT, K.HUMAN, K.STOP_REMINDERS}
)
# after the booking just asked of: "сразу после него", "следом за ней"
_AFTER_THEM = re.compile(
    r"\b(?:сразу |прямо )?(?:после|следом за) (?:него|нее|ним|ней|них|этого|этой)\b|\bсразу после\b(?!\s*\d)"
)
_QUESTIONS = frozenset({K.PRICE, K.EXPLAIN})  # questions about a service, which a request before them names
_SLOT_TAKERS = frozenset({K.BOOK, K.MOVE, K.CANCEL, K.PRICE, K.EXPLAIN, K.STAFF_LIST, K.STAFF_SCHEDULE, K.CHOOSE})
_SOCIAL = frozenset({K.GREETING, K.THANKS, K.BYE, K.YES, K.NO})
_COURTESY = frozenset({K.GREETING, K.THANKS, K.BYE})
_ACTIONS = frozenset({K.BOOK, K.MOVE, K.CANCEL, K.CHOOSE})


@dataclass
class _Group:
    """Clauses read as one intent; ``implicit``: no cue, only slots (a continuation or a bare request)."""

    kind: IntentKind
    position: int
    texts: list[str] = field(default_factory=list)
    implicit: bool = False

    @property
    def text(self) -> str:
        return ", ".join(t.strip() for t in self.texts if t.strip())


class OfflineReader:
    name: ClassVar[str] = "offline"

    def understand(self, ctx: ReadContext) -> Understanding:
        language = detect_language(ctx.text)
        if ctx.button_ids:
            return Understanding(tuple(_button(b) for b in ctx.button_ids), language, reader=self.name)
        return Understanding(tuple(_Turn(ctx).read()), language, reader=self.name)


def _button(reply_id: str) -> Intent:
    visit = parse_visit_reply(reply_id)
    if visit is not None:
        kind = K.YES if visit.action == "confirm" else K.NO
        return Intent(kind, record=RecordHint(record_id=visit.record_id), reply_id=reply_id)
    if reply_id in {"answer_yes", "answer_no"}:
        return Intent(K.YES if reply_id == "answer_yes" else K.NO, reply_id=reply_id)
    return Intent(K.OTHER, reply_id=reply_id)  # the engine's own list rows and buttons


class _Turn:
    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.catalogue: Catalogue = ctx.catalogue
        self.said = normalise(ctx.text)
        self.found: list[tuple[int, Intent]] = []
        self.asked: set[str] = set()  # clauses a question mark closes

    def read(self) -> list[Intent]:
        if self.ctx.expecting is Expecting.NAME and (bare := self._bare_name()):
            return [Intent(K.NAME, name=bare)]
        self._take_names()
        late = self._take_late()
        groups = self._groups()
        intents = [(g.position, g, self._intent(g)) for g in groups]
        if not any(i.kind is K.COMPLAINT for _, _, i in intents) and _JUDGES.search(self.said) and _grieves(self.said):
            whole = _Group(K.COMPLAINT, 0, [self.said])  # the judging question is the complaint's, not another
            intents = [(0, whole, self._intent(whole))] + [(p, g, i) for p, g, i in intents if i.kind is not K.OTHER]
        if any(i.kind is K.COMPLAINT for _, _, i in intents):
            # a complaint is never also a booking, nor a question about the booking it tells of
            intents = [
                (p, g, i)
                for p, g, i in intents
                if i.kind is not K.BOOK and not (i.kind is K.MY_BOOKINGS and _narrates(g.text))
            ]
        if late:  # "опоздаю" is no booking, neither a yes nor, after "не успеваю", a no
            intents = [
                (p, g, i)
                for p, g, i in intents
                if not (g.implicit and i.kind in (K.BOOK, K.NO)) and i.kind is not K.YES
            ]
        intents = self._after_them(self._fold_booked(intents))
        ordered = sorted([(p, i) for p, _, i in intents] + self.found, key=lambda item: item[0])
        return _tidy(_carry_subject([intent for _, intent in ordered]))

    def _fold_booked(self, intents: list[tuple[int, _Group, Intent]]) -> list[tuple[int, _Group, Intent]]:
        """ "Отмените, я записан на субботу": being booked, said (not asked) beside a change, says which booking."""
        change = next((i for _, _, i in intents if i.kind in (K.CANCEL, K.MOVE)), None)
        stated = [
            (g, i)
            for _, g, i in intents
            if i.kind is K.MY_BOOKINGS
            and not any(t in self.asked for t in g.texts)
            and not _QUESTION_MARKS.search(g.text)
        ]
        if change is None or not stated:
            return intents
        record = change.record
        for _, said in stated:
            hint = said.record
            record = replace(
                record,
                day=record.day or hint.day,
                time=record.time or hint.time,
                service_ids=record.service_ids or hint.service_ids,
                staff_id=record.staff_id or hint.staff_id,
            )
        folded = replace(change, record=record)
        dropped = {id(i) for _, i in stated}
        return [(p, g, folded if i is change else i) for p, g, i in intents if id(i) not in dropped]

    def _after_them(self, intents: list[tuple[int, _Group, Intent]]) -> list[tuple[int, _Group, Intent]]:
        """ "Кто у Руслана на 19 записан? хочу сразу после него": the booking asked of is never told, but
        the time after it, with that master, is what the client asks for."""
        asked = next((i for _, _, i in intents if i.kind is K.OTHERS_BOOKINGS), None)
        after = _AFTER_THEM.search(self.said)
        if asked is None or after is None or asked.when.time is None:
            return intents
        when = WhenSpec(text=after.group(), day=asked.when.day, window=TimeWindow(asked.when.time, None))
        book = next((i for _, _, i in intents if i.kind is K.BOOK), None)
        if book is None:
            clause = _clause_at(self.said, after.start())
            firm = bool(_REQUEST.search(clause) or _BOOK_VERB.search(clause))
            request = Intent(K.BOOK, staff=asked.staff, when=when, firm=firm)
            return [*intents, (after.start(), _Group(K.BOOK, after.start(), [clause]), request)]
        if book.when.time is not None or book.when.window is not None or book.when.shift_minutes is not None:
            return intents
        later = replace(book, staff=book.staff or asked.staff, when=replace(when, day=book.when.day or when.day))
        return [(p, g, later if i is book else i) for p, g, i in intents]

    # --- what is taken out before the clauses ---------------------------------------------------

    def _blank(self, start: int, end: int) -> None:
        self.said = self.said[:start] + " " * (end - start) + self.said[end:]

    def _original(self, word: str) -> str:
        match = re.search(rf"\b{re.escape(word)}\b", self.ctx.text, re.IGNORECASE)
        found = match.group() if match else word
        return found[:1].upper() + found[1:].lower()

    def _bare_name(self) -> str | None:
        tokens = re.findall(r"[а-яa-z\-]+", self.said)
        if not 1 <= len(tokens) <= 3 or re.search(r"\d|\?", self.said):
            return None
        first = tokens[0]
        if first in _NOT_NAMES or not (is_first_name(first) or not is_known(first)):
            return None
        if len(tokens) > 1 and not all(
            is_first_name(t) or not is_known(t) or t.endswith(("ов", "ова", "ев", "ева", "ин", "ина"))
            for t in tokens[1:]
        ):
            return None
        return " ".join(self._original(t) for t in tokens)

    def _take_names(self) -> None:
        for pattern in (_NAME_BEFORE, _NAME_AFTER, _NAME_SELF):
            for match in pattern.finditer(self.said):
                word = match.group("n")
                if not _plausible_name(word, strict=pattern is _NAME_SELF):
                    continue
                written = re.search(rf"\b{re.escape(word)}\b", self.ctx.text, re.IGNORECASE)
                if re.fullmatch(r"[a-z]+", word) and not (written and written.group()[:1].isupper()):
                    continue  # "i'm fine", "this is late": a Latin name is written with a capital ("Im Alex")
                if pattern is _NAME_AFTER and word == "меня":
                    continue
                self.found.append((match.start(), Intent(K.NAME, name=self._original(word))))
                self._blank(match.start(), match.end("tail") if match.groupdict().get("tail") else match.end("n"))
                return

    def _take_late(self) -> bool:
        match = _LATE.search(self.said)
        if match is None or re.search(r"\b(?:по)?раньше\b", _clause_at(self.said, match.start())):
            return False  # "приду минут на 10 пораньше" is early
        minutes = resolve_minutes_late(self.said)
        self.found.append((match.start(), Intent(K.LATE, minutes_late=minutes)))
        self._blank(*match.span())
        for said in list(_MINUTES_SAID.finditer(self.said)):
            self._blank(*said.span())
        return True

    # --- clauses to groups ----------------------------------------------------------------------

    def _clauses(self) -> list[tuple[int, str, bool]]:
        """(position, words, asked): ``asked`` when a question mark closes the clause. A clause after "или"
        keeps the word, so the resolvers read an alternative ("в субботу или воскресенье")."""
        clauses, start, joiner = [], 0, ""
        for match in _CLAUSE.finditer(self.said):
            clauses.append((start, joiner + self.said[start : match.start()], "?" in match.group()))
            start, joiner = match.end(), "или " if match.group().strip() == "или" else ""
        clauses.append((start, joiner + self.said[start:], False))
        return [(p, t, q) for p, t, q in clauses if re.search(r"[\w+]", t) or re.fullmatch(r"\s*-+\s*", t)]

    def _groups(self) -> list[_Group]:
        groups: list[_Group] = []
        pending: list[tuple[int, str]] = []  # clauses of slots only, waiting for the request they belong to
        questions: list[_Group] = []  # questions with no cue: something else the salon may answer
        for position, text, asked in self._clauses():
            if asked:
                self.asked.add(text)
            kinds = self._request_cues(text)
            if _corrects(groups, pending, position, text):
                continue
            if kinds:
                pending = _add_cued(groups, self._request_before(groups, pending, kinds), position, text, kinds)
            elif self._has_slots(text) or self._when(text).finish_by is not None:
                self._place(groups, pending, position, text)
            elif (answer := self._answer(text)) is not None:
                if not groups or groups[-1].kind is not answer:
                    groups.append(_Group(answer, position, [text]))
            elif (asked or _QUESTION_MARKS.search(text)) and not self._is_filler(text):
                questions.append(_Group(K.OTHER, position, [text]))
        if pending:
            text = ", ".join(t for _, t in pending)
            groups.append(_Group(self._implicit_kind(text), pending[0][0], [t for _, t in pending], implicit=True))
        # a question of its own ("есть ли парковка"), or the only thing said; else a tag on the request
        alone = not groups and not self.found
        groups += [q for q in questions if alone or _OWN_QUESTION.search(q.text)]
        return [part for g in _merge(sorted(groups, key=lambda g: g.position)) for part in self._two_lists(g)]

    def _two_lists(self, group: _Group) -> list[_Group]:
        """ "какие у вас мастера есть? и кто из них бреет?": every master, and who does that, are two answers."""
        if group.kind is not K.STAFF_LIST or len(group.texts) < 2:
            return [group]
        parts: list[_Group] = []
        for text in group.texts:
            if not parts or _CUES[K.STAFF_LIST].search(text):
                parts.append(_Group(K.STAFF_LIST, group.position + len(parts), [text], group.implicit))
            else:
                parts[-1].texts.append(text)
        named = [bool(self._services(p.text)) for p in parts]
        return parts if len(parts) > 1 and any(named) and not all(named) else [group]

    def _place(self, groups: list[_Group], pending: list[tuple[int, str]], position: int, text: str) -> None:
        """A clause of slots joins the request before it, or waits for the one after it. A deadline alone
        ("..., к 12 надо успеть") only ever goes with a request; it asks for nothing by itself."""
        host = next((g for g in reversed(groups) if g.kind not in _SOCIAL), None)
        if _PREFERS.match(text):  # "лучше в пятницу": a wish, so the request's, past a question between
            host = next((g for g in reversed(groups) if g.kind in _ACTIONS), host)
        if host is not None and host.kind in _SLOT_TAKERS and not pending:
            host.texts.append(text)
        elif pending or self._has_slots(text):
            pending.append((position, text))

    def _request_cues(self, text: str) -> list[tuple[int, IntentKind]]:
        """The clause's cues; courtesy beside slots is the request's words ("привет, ... завтра в 18 к Глебу",
        "только не к Диме, спасибо")."""
        kinds = self._cues(text)
        if kinds and {k for _, k in kinds} <= _COURTESY and (self._has_slots(text) or self._when(text).finish_by):
            return []
        return kinds

    def _cues(self, text: str) -> list[tuple[int, IntentKind]]:
        found = {kind: match.start() for kind, pattern in _CUES.items() if (match := pattern.search(text))}
        self._distress(text, found)
        _told(text, found)
        for kind, outranked in _OUTRANKS.items():
            if kind in found:
                for other in outranked:
                    found.pop(other, None)
        if K.EXPLAIN in found and re.search(r"сколько (?:\w+ )?(?:по времени|времени|длит)|\bпо времени\b", text):
            found.pop(K.PRICE, None)
        self._schedule_or_hours(text, found)
        if kept := _NOT_CANCELLING.search(text):  # "не отменяйте": the booking stays, a no to the cancel
            found.pop(K.CANCEL, None)
            found.setdefault(K.NO, kept.start())
        if declined := _NOT_BOOKING.search(text):
            found.setdefault(K.NO, declined.start())
            return sorted(((p, k) for k, p in found.items()), key=lambda item: item[0])
        if not found.keys() & _NO_BOOKING_BESIDE:
            book = self._book_cue(text, answers_question=bool(found.keys() - _SOCIAL))
            if book is not None:
                shifted = self._when(text).shift_minutes is not None and not _BOOK_VERB.search(text)
                found[K.MOVE if shifted else K.BOOK] = book
        self._asked_of_a_service(text, found)
        if found and found.keys() <= _SOCIAL:
            bare = text
            for kind in (K.THANKS, K.GREETING, K.BYE):
                bare = _CUES[kind].sub(" ", bare)
            if (answer := self._answer(bare)) is not None:
                found.setdefault(answer, 0)
        return sorted(((p, k) for k, p in found.items()), key=lambda item: item[0])

    def _distress(self, text: str, found: dict[IntentKind, int]) -> None:
        distress = _DISTRESS.search(text)
        if distress and K.COMPLAINT not in found and (_tells_past(text) or not self._requests()):
            found[K.COMPLAINT] = distress.start()

    def _requests(self) -> bool:
        """The message asks for something: a booking, a change, a time."""
        return bool(_REQUEST.search(self.said) or _BOOK_VERB.search(self.said) or _CUES[K.MOVE].search(self.said))

    def _asked_of_a_service(self, text: str, found: dict[IntentKind, int]) -> None:
        """ "X делаете?": about the service (what it is, that it is done), or one the salon may not have;
        "X сделаете?", "успеете?" (will you) ask for it to be done: a request."""
        offer = _OFFER.search(text) or _asks_you(text)
        if found.keys() - _SOCIAL - {K.BOOK} or not offer or not self._services(text) or _BOOK_VERB.search(text):
            return
        known = bool(resolve_services(text, self.catalogue).ids)
        if known and "futr" in verb_grammemes(offer.group()):
            found.setdefault(K.BOOK, offer.start())
            return
        found.pop(K.BOOK, None)
        found[K.EXPLAIN if known else K.OTHER] = offer.start()

    def _schedule_or_hours(self, text: str, found: dict[IntentKind, int]) -> None:
        """A master named with "работает"/"будет" asks for their days; "вы работаете в субботу?" for the salon's."""
        works = _STAFF_WORKS.search(text)
        if works and resolve_staff(text, self.catalogue).id is not None and not re.search(r"\bкакие\b|\bкто\b", text):
            found.pop(K.HOURS, None)
            found[K.STAFF_SCHEDULE] = works.start()
            return
        weak = _HOURS_WEAK.search(text)
        if weak is None or K.HOURS in found or K.STAFF_LIST in found:
            return
        if not self._when(text).is_empty or re.search(r"праздн|\bвыходн", text) or len(text.split()) <= 2:
            found[K.HOURS] = weak.start()

    def _book_cue(self, text: str, answers_question: bool) -> int | None:
        for pattern in (_BOOK_VERB, _USUAL, _AVAILABLE_STRONG):
            match = pattern.search(text)
            if match is not None:
                return match.start()
        if answers_question:
            return None
        for pattern in (_REQUEST, _AVAILABLE_WEAK):
            match = pattern.search(text)
            if match is not None and self._has_slots(text):
                return match.start()
        return None

    def _implicit_kind(self, text: str) -> IntentKind:
        if self.ctx.expecting is Expecting.CHOICE:
            return K.CHOOSE
        if self._when(text).shift_minutes is not None:
            return K.MOVE
        return K.BOOK

    def _has_slots(self, text: str) -> bool:
        if _EXCUSE.search(text):
            return True
        if _narrates(text):
            return False
        if self._names_a_visit(text):
            return True
        if self.ctx.expecting in (Expecting.CHOICE, Expecting.TIME) and ordinal_of(text) is not None:
            return True
        # a deadline alone ("мне к 3 на работу надо успеть") asks for nothing
        return not replace(self._when(text), finish_by=None).is_empty

    def _request_before(
        self, groups: list[_Group], pending: list[tuple[int, str]], kinds: list[tuple[int, IntentKind]]
    ) -> list[tuple[int, str]]:
        """Slot clauses before a question about a service stay a request of their own when they arrange a
        visit (a master, a day or a time): "к Кристине в пятницу после 6. и сколько это будет стоить?"."""
        if not pending or not {k for _, k in kinds} <= _QUESTIONS:
            return pending
        text = ", ".join(t for _, t in pending)
        staff = resolve_staff(text, self.catalogue)
        if staff.id is None and not staff.excluded and self._when(text).is_empty:
            return pending
        groups.append(_Group(K.BOOK, pending[0][0], [t for _, t in pending], implicit=True))
        return []

    def _names_a_visit(self, text: str) -> bool:
        services = resolve_services(text, self.catalogue)
        staff = resolve_staff(text, self.catalogue)
        return bool(services.ids or services.excluded or services.unknown or _USUAL.search(text)) or bool(
            staff.id is not None or staff.excluded or staff.any_staff or staff.unknown or names_object(text)
        )

    def _answer(self, text: str) -> IntentKind | None:
        answer = read_answer(text)
        if answer is None:
            return None
        rest = re.sub(r"\bне (?:приду|буду|смогу|получится|надо|нужно|стоит|подходит)\b", " ", text)
        tokens = [t for t in re.findall(r"[а-яa-z0-9+\-]+", rest) if t not in _ANSWER_FILLER]
        meaningful = [t for t in tokens if read_answer(t) is None and t not in {"не", "ок"}]
        if meaningful:
            return None
        return K.YES if answer == "yes" else K.NO

    def _is_filler(self, text: str) -> bool:
        return not re.search(r"[а-яa-z]{3,}", text)

    # --- slots ----------------------------------------------------------------------------------

    def _services(self, text: str) -> bool:
        """Whether ``text`` names a service, the salon's or one it lacks; a verb alone ("оформить успеете?")
        names none: it is done to something said beside it."""
        pick = resolve_services(text, self.catalogue)
        unknown = pick.unknown is not None and not all(is_verb(w) for w in re.findall(r"[а-я]+", pick.unknown))
        return bool(pick.ids) or unknown

    def _when(self, text: str) -> WhenSpec:
        offered = self.ctx.offered if self.ctx.expecting is Expecting.TIME else ()
        return resolve_when_spec(text, self.ctx.now, self.catalogue, offered=offered)

    def _intent(self, group: _Group) -> Intent:  # noqa: PLR0911 - one shape per kind
        text, kind = group.text, group.kind
        if kind is K.BOOK and all(_EXCUSE.search(t) for t in group.texts):
            return Intent(K.NO, record=self._record_of(text))  # "завтра не смогу"
        if kind is K.BOOK and self._excused(group):
            return self._move(group)
        if kind is K.BOOK:
            return self._book(group)
        if kind is K.MOVE:
            return self._move(group)
        if kind is K.CHOOSE:  # "косички, на воскресенье в это же время": which one, and perhaps where it goes
            return Intent(kind, record=resolve_record(text, self.ctx.now, self.catalogue), when=self._when(text))
        if kind in (K.CANCEL, K.MY_BOOKINGS):
            return Intent(kind, record=resolve_record(text, self.ctx.now, self.catalogue))
        if kind in (K.PRICE, K.EXPLAIN, K.OTHER, K.STAFF_LIST):
            services = resolve_services(text, self.catalogue)
            when = self._when(text) if kind is K.STAFF_LIST else WhenSpec()
            return Intent(kind, services=services.ids, services_unknown=services.unknown, when=when)
        if kind is K.HOURS:
            return Intent(kind, when=self._when(text))
        if kind in (K.STAFF_SCHEDULE, K.OTHERS_BOOKINGS):  # another's booking: kept for "хочу сразу после него"
            return Intent(kind, staff=resolve_staff(text, self.catalogue).id, when=self._when(text))
        return Intent(kind)

    def _book(self, group: _Group) -> Intent:
        """Firm when the client asks to be booked: a booking verb, a request ("давайте", "хочу"), a time picked
        from the offer, or a service and an exact time said as a statement ("стрижка завтра в 15"). An
        excuse's time is not the time asked for ("на 15:00 не успеваю, есть попозже?")."""
        text = group.text
        asked = any(t in self.asked for t in group.texts)
        staff = resolve_staff(text, self.catalogue)
        services = resolve_services(text, self.catalogue, staff.id)
        when = self._when(_excuse_and_target(group.texts)[1])
        available = bool(_AVAILABLE_STRONG.search(text) or _AVAILABLE_WEAK.search(text))
        chose_offer = self.ctx.expecting is Expecting.TIME and when.time is not None
        stated = bool(services.ids) and when.time is not None and not asked and not _QUESTION_MARKS.search(text)
        firm = bool(_BOOK_VERB.search(text)) or (
            not available and (bool(_REQUEST.search(text)) or chose_offer or stated)
        )
        return Intent(
            K.BOOK,
            services=services.ids,
            services_excluded=services.excluded,
            services_unknown=services.unknown,
            staff=staff.id,
            staff_excluded=staff.excluded,
            any_staff=staff.any_staff,
            staff_unknown=staff.unknown,
            when=when,
            firm=firm,
            usual=bool(_USUAL.search(text)),
            as_last_time=bool(_LAST_TIME.search(text)),
        )

    def _excused(self, group: _Group) -> bool:
        """An excuse and a new time ("завтра не получится, давайте на пятницу") move the booking, unless the
        bot was arranging a new one (it offered times or asked for a day, a service, a master) or the
        client asks to be booked."""
        if self.ctx.expecting in (Expecting.TIME, Expecting.DAY, Expecting.SERVICE, Expecting.STAFF):
            return False
        if _BOOK_VERB.search(group.text):
            return False  # "запишите на завтра, в 11 не могу": a new booking, the excuse only narrows it
        excuse, target = _excuse_and_target(group.texts)
        return bool(excuse) and not self._when(target).is_empty

    def _record_of(self, words: str) -> RecordHint:
        when = resolve_when_spec(words, self.ctx.now, self.catalogue) if words.strip() else WhenSpec()
        return RecordHint(day=when.day, time=when.time)

    def _move(self, group: _Group) -> Intent:
        """The new time from what the client asks for (after "на", past any excuse); the booking from the
        excuse ("в четверг не успеваю"), "с <день>", "субботнюю", its service and master."""
        text = group.text
        record_words, target = _excuse_and_target(group.texts)
        split = re.search(r"\b(?:с|со)\s+(?P<from>[^,]+?)\s+на\s+(?P<to>.+)$", target)
        if split and not resolve_when_spec(f"в {split.group('from')}", self.ctx.now, self.catalogue).is_empty:
            record_words, target = f"{record_words} в {split.group('from')}", f"на {split.group('to')}"
        # "мою запись на завтра сдвинуть ...": said before the change, the day is the booking's ("перенесите
        # запись на завтра" asks for tomorrow)
        own = _BOOKING_ON.search(target)
        verb = _CUES[K.MOVE].search(target)
        if (
            own
            and (verb is None or verb.start() > own.end())
            and resolve_when_spec(own.group("on"), self.ctx.now, self.catalogue).day is not None
        ):
            record_words, target = f"{record_words} {own.group('on')}", target.replace(own.group("on"), " ", 1)
        adjective = _DAY_ADJECTIVE.search(target)
        if adjective and re.search(r"\bна\b", target[adjective.end() :]):
            record_words += f" {adjective.group()}"
            target = target.replace(adjective.group(), " ")
        booked = self._record_of(record_words)
        staff = resolve_staff(text, self.catalogue)
        services = resolve_services(text, self.catalogue, staff.id)
        when = self._when(target)
        record_time = booked.time
        if when.shift_minutes and when.time is not None:
            # "не успеваю к 15, перенесите на час позже": the time said is the booking's, the shift is the move
            record_time, when = record_time or when.time, replace(when, time=None)
        record = RecordHint(day=booked.day, time=record_time, service_ids=services.ids, staff_id=staff.id)
        return Intent(K.MOVE, when=when, record=record)


# "субботнюю перенесите на ...": the booking named by an adjective of its day
_DAY_ADJECTIVE = re.compile(r"\b(?:субботн|воскресн|понедельничн|пятничн|завтрашн|сегодняшн|послезавтрашн)\w*")
# the booking named by its day ("запись на завтра", "записи в субботу"), before the change asked of it
_BOOKING_ON = re.compile(r"\bзапис[а-я]*\s+(?P<on>(?:на|в|во)\s+(?!\d)[а-я]+(?:\s+\d{1,2}(?:[.:]\d{2})?)?)")


def _excuse_and_target(texts: list[str]) -> tuple[str, str]:
    """The words of the turn's excuses ("в четверг не успеваю") and the rest; a clause that goes on from
    its excuse to a request ("не успеваю перенесите на субботу") is cut where the request starts. An
    excuse after a time was asked for corrects it: "в четверг вечером, хотя нет, в четверг не смогу,
    давайте в пятницу" is Friday evening (the rest reads "..., нет, давайте в пятницу")."""
    excuses: list[str] = []
    targets: list[str] = []
    corrects = False  # an excuse came after a time was asked for: the next words correct it
    for text in texts:
        excuse = _EXCUSE.search(text)
        rest = text
        if excuse is not None:
            request = _CUES[K.MOVE].search(text, excuse.end()) or _REQUEST.search(text, excuse.end())
            cut = request.start() if request else len(text)
            excuses.append(text[:cut])
            corrects = corrects or any(t.strip() for t in targets)
            rest = text[cut:]
        if rest.strip():
            targets.append(f"нет, {rest}" if corrects else rest)
            corrects = False
    return ", ".join(excuses), ", ".join(targets)


def _narrates(text: str) -> bool:
    """A clause telling what happened ("Сергей отлично подстриг") asks for nothing."""
    if re.search(r"\bбы\b|\bхотел\w*|\bмог\w*", text):
        return False
    return any("past" in verb_grammemes(word) for word in re.findall(r"[а-я]+", text))


def _tells_past(text: str) -> bool:
    return any("past" in verb_grammemes(word) for word in re.findall(r"[а-я]+", text))


def _told(text: str, found: dict[IntentKind, int]) -> None:
    """What the clause tells rather than asks: a change in the past tense ("перенесли мою запись", "вы
    отменили?") is about the booking; a grievance is a complaint, and then its booking words, prices
    and people are not requests ("администратор нагрубила")."""
    for kind in (K.CANCEL, K.MOVE):
        match = _CUES[kind].search(text)
        if match and "past" in verb_grammemes(match.group()):
            found.pop(kind)
            found.setdefault(K.MY_BOOKINGS, match.start())
    if K.COMPLAINT not in found and _grieves(text):
        found[K.COMPLAINT] = 0
    if K.COMPLAINT in found:
        for kind in (K.MY_BOOKINGS, K.PRICE, K.CANCEL, K.MOVE):
            found.pop(kind, None)
        if not _PERSON_WANTED.search(text):
            found.pop(K.HUMAN, None)


def _clause_at(text: str, position: int) -> str:
    start = max(text.rfind(mark, 0, position) for mark in ",.!?;\n")
    ends = [end for mark in ",.!?;\n" if (end := text.find(mark, position)) >= 0]
    return text[start + 1 : min(ends, default=len(text))]


def _grieves(text: str) -> bool:
    """What happened, told with a grievance: "опять перенесли", "мастер так и не вышел", "обрезали слишком коротко"."""
    if not _GRIEVANCE.search(text):
        return False
    told = [w for w in re.findall(r"[а-я]+", text) if not re.fullmatch(r"записыва?л(?:ся|ась|ись)", w)]
    return any("past" in verb_grammemes(word) for word in told)


# "смотрите", "слушайте": said to get attention, they ask nothing of the salon
_DISCOURSE = frozenset({"работаете", "смотрите", "слушайте", "знаете", "понимаете", "представляете", "видите"})


def _asks_you(text: str) -> re.Match[str] | None:
    """ "вы снимаете нарощенные?", "стрижёте детей?": the salon is asked whether it does something.
    Not when the client says what they want ("мне надо подстричься")."""
    if _REQUEST.search(text):
        return None
    for match in re.finditer(r"[а-я]+", text):
        grammemes = verb_grammemes(match.group())
        # "стрижёте детей?", and the perfective "бороду подравняете?", "сделаете?"
        if {"2per", "plur"} <= grammemes and grammemes & {"pres", "futr"} and match.group() not in _DISCOURSE:
            return match
    return None


def _plausible_name(word: str, strict: bool) -> bool:
    if word in _NOT_NAMES or len(word) < 2 or word.isdigit():
        return False
    if re.fullmatch(r"[a-z]+", word):
        return True
    return is_first_name(word) if strict else is_first_name(word) or not is_known(word)


def _corrects(groups: list[_Group], pending: list[tuple[int, str]], position: int, text: str) -> bool:
    """ "хотя нет" between two times stays with them, so the later one wins; True when it was kept."""
    if not _CORRECTS.fullmatch(text):
        return False
    if pending:
        pending.append((position, text))
        return True
    if groups and groups[-1].kind in _SLOT_TAKERS:
        groups[-1].texts.append(text)
        return True
    return False


def _add_cued(
    groups: list[_Group], pending: list[tuple[int, str]], position: int, text: str, kinds: list[tuple[int, IntentKind]]
) -> list[tuple[int, str]]:
    """Adds a clause with cues; slot-only clauses waiting before it join its request. Returns what still waits."""
    for offset, kind in kinds:
        last = groups[-1] if groups else None
        if last is not None and last.kind is kind:
            last.texts.append(text)
        elif kind in _SLOT_TAKERS:
            start = pending[0][0] if pending else position + offset
            groups.append(_Group(kind, start, [t for _, t in pending] + [text]))
            pending = []
        else:
            groups.append(_Group(kind, position + offset, [text]))
    return pending


def _merge(groups: list[_Group]) -> list[_Group]:
    merged: list[_Group] = []
    for group in groups:
        last = merged[-1] if merged else None
        if last is not None and last.kind is group.kind and group.kind not in (K.OTHER,):
            last.texts += [t for t in group.texts if t not in last.texts]
            last.implicit = last.implicit and group.implicit
            continue
        merged.append(group)
    return merged


def _carry_subject(intents: list[Intent]) -> list[Intent]:
    """A question about a service names it for the next question that names none: "а балаяж делаете?
    сколько стоит" is one price question about балаяж, "камуфляж делаете? сколько по времени?" one explain;
    so does a request before the question ("стрижку на пятницу, сколько это будет стоить?"), and a question
    names it for the request after it ("кератин делаете? хотела бы на субботу")."""
    result: list[Intent] = []
    for intent in intents:
        last = result[-1] if result else None
        if (
            last is not None
            and last.kind in (K.OTHER, K.EXPLAIN, K.STAFF_LIST)
            and intent.kind in (K.PRICE, K.EXPLAIN)
            and (last.services or last.services_unknown)
            and not (intent.services or intent.services_unknown)
        ):
            priced = replace(intent, services=last.services, services_unknown=last.services_unknown)
            if last.kind is K.STAFF_LIST:  # "кто делает X и сколько это стоит": both are answered
                result.append(priced)
            else:
                result[-1] = priced
            continue
        if (
            last is not None
            and last.kind in (K.OTHER, K.EXPLAIN)
            and intent.kind is K.BOOK
            and (last.services or last.services_unknown)
            and not (intent.services or intent.services_unknown)
        ):  # "кератин делаете? хотела бы на субботу": the booking is for what was asked of
            booking = replace(intent, services=last.services, services_unknown=last.services_unknown)
            result[-1:] = [last, booking] if last.kind is K.EXPLAIN else [booking]
            continue
        if (
            last is not None
            and last.kind is K.BOOK
            and intent.kind in _QUESTIONS
            and last.services
            and not (intent.services or intent.services_unknown)
        ):  # "стрижку к Кристине в пятницу, и сколько это будет стоить?": the price of what is asked for
            result.append(replace(intent, services=last.services))
            continue
        result.append(intent)
    return result


def _tidy(intents: list[Intent]) -> list[Intent]:
    """A greeting beside anything else is dropped; a yes/no followed by a request gives way to it."""
    if any(i.kind is not K.GREETING for i in intents):
        intents = [i for i in intents if i.kind is not K.GREETING]
    kept: list[Intent] = []
    for index, intent in enumerate(intents):
        later = intents[index + 1 :]
        if intent.kind in (K.YES, K.NO) and any(i.kind in _ACTIONS for i in later):
            continue
        if kept and kept[-1].kind is intent.kind and intent.kind in _SOCIAL:
            continue
        kept.append(intent)
    return [replace(i) for i in kept]
