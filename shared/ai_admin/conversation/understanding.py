"""What the client's messages of one turn mean, as typed data: the contract between the readers (the
offline parser and the LLM) and the dialog engine.

A reader only understands; it never acts. The engine (``conversation/engine.py``) decides what to do
with an ``Understanding`` given the dialog state, acts through the tools and writes every factual
sentence itself. Values are resolved against the salon's catalogue and clock by the shared resolvers
in ``conversation/tools/resolve.py``, so the offline parser and the LLM (which passes the client's own
words) end up with the same ids, days and times.

Rules every reader follows:

* Only what the client said is filled in; nothing is guessed. A slot left empty means "not said", so
  the engine can carry it over from the dialog (the service being discussed, the offered day).
* ``services`` lists every service named for ONE visit ("стрижка и камуфляж" = two ids, one record).
  ``services_unknown`` holds the words of a service the salon does not offer ("блонд").
* Negation is explicit: "не к Артёму" fills ``staff_excluded``, never ``staff``; "без бороды" fills
  ``services_excluded``. "любой мастер" sets ``any_staff``.
* ``when`` is about the target of the intent (the new time of a move); ``record`` describes which
  existing booking is meant ("субботнюю", "детскую, которая в субботу", "ту, что у Сергея").
* A date the reader saw but could not place (a stale year, words it does not know) makes
  ``when.unclear`` true: the engine asks, and never fills in today.
* ``name`` is set only for an explicit self-introduction ("меня зовут Лена", "я Лена", "это Лена"),
  or for a bare name when the bot had asked for one (``Expecting.NAME``). A question word or a
  service is never a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from ai_admin.conversation.model import Catalogue
from ai_admin.domain.day_parts import PartOfDay, TimeWindow


class IntentKind(StrEnum):
    BOOK = "book"  # wants an appointment, or asks when one is possible ("есть окна в субботу?")
    MOVE = "move"  # move one of their bookings
    CANCEL = "cancel"  # cancel one of their bookings
    MY_BOOKINGS = "my_bookings"  # "какие у меня записи", "во сколько я записан"
    OTHERS_BOOKINGS = "others_bookings"  # someone else's booking ("кто у Руслана на 19 записан"): never told
    PRICE = "price"  # "сколько стоит", the price list
    EXPLAIN = "explain"  # what a service is or includes, how long it takes
    ADDRESS = "address"  # where the salon is, how to get there
    HOURS = "hours"  # when the salon is open (optionally on a day: "в воскресенье работаете?")
    STAFF_LIST = "staff_list"  # "какие мастера есть", "кто делает X" (``services`` then names X)
    STAFF_SCHEDULE = "staff_schedule"  # when a master works ("Сергей завтра работает?")
    NAME = "name"  # the client tells their name (``name``)
    LATE = "late"  # "опоздаю на 10 минут" (``minutes_late``), "задерживаюсь"
    STOP_REMINDERS = "stop_reminders"  # explicitly asks for no reminders or notices
    HUMAN = "human"  # asks for a person, the administrator, a manager
    COMPLAINT = "complaint"  # unhappy with a visit, a master, the service
    YES = "yes"  # agrees, confirms ("да", "ок", "давайте", "приду", "+")
    NO = "no"  # declines ("нет", "не надо", "не приду", "-")
    THANKS = "thanks"
    GREETING = "greeting"  # a greeting and nothing else of substance
    BYE = "bye"
    CHOOSE = "choose"  # picks one of the bookings the bot listed ("вторую", "ту, что у Сергея"): ``record``
    OTHER = "other"  # something else the salon's data may answer (parking, cards, "вы работаете с детьми?")


class Expecting(StrEnum):
    """What the bot's previous message asked for, so a bare answer can be read ("Лена", "детскую", "в 5")."""

    NOTHING = "nothing"
    NAME = "name"  # "Как вас зовут?"
    TIME = "time"  # free times were offered, or "на какое время?"
    DAY = "day"  # "на какой день?"
    SERVICE = "service"  # "на какую услугу?"
    STAFF = "staff"  # "к какому мастеру?"
    CHOICE = "choice"  # "какую именно запись?"
    YES_NO = "yes_no"  # "Отменить эту запись?", "Записать вас?"


Nudge = Literal["earlier", "later"]


@dataclass(frozen=True)
class WhenSpec:
    """*When*, as far as the client's words fix it.

    Absolute parts (``day`` .. ``window``) are resolved on the salon's clock. ``shift_minutes`` is a
    move relative to the booking in question ("на час позже" = +60, "на полчаса раньше" = -30): the
    booking's day is kept unless ``day`` is given too; a shift of 0 with a day keeps the booking's time
    on that day ("на завтра в это же время", "на то же время, но в пятницу"). ``nudge`` is relative to
    the times the bot last offered ("пораньше", "попозже", "а позже есть?"). ``unclear``: a day was
    mentioned but could not be placed; ``past``: the day or time named is already over (said as such,
    not as "занято"). ``finish_by``: the visit must be over by then ("к 12 на свадьбу, надо успеть").
    """

    text: str = ""  # the words it came from (logs, the LLM's argument)
    day: date | None = None
    day_until: date | None = None  # a span of days: "в эти выходные", "на следующей неделе"
    time: dt.time | None = None
    part_of_day: PartOfDay | None = None
    window: TimeWindow | None = None  # "после 18", "с 12 до 15"
    shift_minutes: int | None = None
    nudge: Nudge | None = None
    unclear: bool = False
    past: bool = False
    ambiguous_hour: bool = False  # "в 9": morning or evening both plausible
    finish_by: dt.time | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.day is None
            and self.time is None
            and self.part_of_day is None
            and self.window is None
            and self.finish_by is None
            and self.shift_minutes is None
            and self.nudge is None
            and not self.unclear
        )

    @property
    def has_exact_time(self) -> bool:
        return self.time is not None


@dataclass(frozen=True)
class RecordHint:
    """Which of the client's bookings is meant; every field narrows the choice, none is required."""

    record_id: int | None = None  # a CRM id (from a button, or the LLM quoting our list)
    day: date | None = None
    time: dt.time | None = None
    service_ids: tuple[int, ...] = ()
    staff_id: int | None = None
    ordinal: int | None = None  # "первую" = 1, "вторую" = 2, "последнюю" = -1 (in the order we listed)

    @property
    def is_empty(self) -> bool:
        return (
            self.record_id is None
            and self.day is None
            and self.time is None
            and not self.service_ids
            and self.staff_id is None
            and self.ordinal is None
        )


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    services: tuple[int, ...] = ()  # catalogue ids, one visit
    services_excluded: tuple[int, ...] = ()
    services_unknown: str | None = None  # words naming a service the salon does not have
    staff: int | None = None
    staff_excluded: tuple[int, ...] = ()
    any_staff: bool = False
    staff_unknown: str | None = None  # a name that is none of the salon's masters
    when: WhenSpec = field(default_factory=WhenSpec)
    record: RecordHint = field(default_factory=RecordHint)
    firm: bool = False  # BOOK: the client asks to be booked ("запишите", "давайте в 15"), not only for times
    usual: bool = False  # BOOK: "как обычно" (the client's usual service, master and time)
    as_last_time: bool = False  # BOOK: "как в прошлый раз" (the last visit's service and master)
    name: str | None = None  # NAME
    minutes_late: int | None = None  # LATE
    reply_id: str | None = None  # the id of the button or list row this intent came from
    tentative: bool = False  # a model read it but the client's own words do not bear it out: ask first


Language = Literal["ru", "en"]


@dataclass(frozen=True)
class Understanding:
    """Everything one turn says, in the order the client said it.

    ``reply`` is free text a reader may propose for what no intent covers (small talk, a question the
    salon's data answers); the engine checks every claim, time, date and price in it before use.
    """

    intents: tuple[Intent, ...]
    language: Language = "ru"
    reply: str | None = None
    reader: str = ""  # which reader produced it (offline, or the LLM provider's name)
    llm_calls: int = 0  # what reading it cost, for the scorecard and the benchmarks
    prompt_tokens: int = 0  # the largest prompt sent while reading it

    def of(self, kind: IntentKind) -> list[Intent]:
        return [intent for intent in self.intents if intent.kind == kind]

    def has(self, kind: IntentKind) -> bool:
        return any(intent.kind == kind for intent in self.intents)


@dataclass(frozen=True)
class ReadContext:
    """What a reader may use besides the words: the salon's clock and catalogue, and what the bot asked."""

    text: str  # the client's messages of this turn, joined with newlines
    now: datetime  # aware, salon time zone
    catalogue: Catalogue
    expecting: Expecting = Expecting.NOTHING
    offered: tuple[datetime, ...] = ()  # the start times the bot offered last ("в 5" after offering 17:00)
    button_ids: tuple[str, ...] = ()  # reply buttons or list rows tapped this turn
