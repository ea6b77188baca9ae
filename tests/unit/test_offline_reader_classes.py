"""Classes of misreadings found when the reader met the dialog engine, each fixed by one general rule.

Rows are our own wordings of each class (other salons, typos, word orders), plus the lead's examples;
the spec language is in ``reader_salons``. ``CLASSES`` maps a class to its rows, so a failure names it.
"""

from __future__ import annotations

import pytest

from ai_admin.conversation.offline_reader import OfflineReader
from tests.unit.reader_salons import compare
from tests.unit.test_offline_reader import _context

B, N, Y, T, G = "barber", "nails", "beauty", "topor", "nogotki"
NOON = "noon"

Row = tuple[str, str, str, str, str]

CLASSES: dict[str, list[Row]] = {
    # A "без"/"с" phrase of a service's own title names that service; a negation outside it excludes.
    "negation in a title": [
        (G, NOON, "", "маникюр без покрытия на четверг", "book svc=Маникюр_без_покрытия day=thu"),
        (G, NOON, "", "сколько стоит педикюр с покрытием?", "price svc=Педикюр_с_покрытием"),
        (G, NOON, "", "педикюр, только без покрытия пожалуйста", "book svc=Педикюр_без_покрытия"),
        (T, NOON, "", "стрижку без укладки к глебу", "book svc=Стрижка_без_укладки staff=Глеб"),
        (T, NOON, "", "стрижку, укладку не нужно", "book svc=Стрижка_без_укладки"),
        (T, NOON, "", "подстричься, только бороду не надо", "book svc=Мужская_стрижка nosvc=Моделирование_бороды"),
        (G, NOON, "", "маникюр бес покрытия", "book svc=Маникюр_без_покрытия"),
        (G, NOON, "", "педикюр с покрытеем сколько?", "price svc=Педикюр_с_покрытием"),
        (G, NOON, "", "маникюр с гель-лаком на субботу", "book svc=Маникюр_с_покрытием day=sat"),
        (G, NOON, "", "gel manicure on friday", "book svc=Маникюр_с_покрытием day=fri lang=en"),
        (N, NOON, "", "how much is a manicure with gel polish?", "price svc=Маникюр_с_покрытием_гель-лак lang=en"),
        (G, NOON, "", "manicure without polish tomorrow", "book svc=Маникюр_без_покрытия day=+1 lang=en"),
        (G, NOON, "", "маникюр без покрытия", "book svc=Маникюр_без_покрытия"),
        (G, NOON, "", "сколько стоит маникюр с покрытием", "price svc=Маникюр_с_покрытием"),
        (G, NOON, "", "маникюр, только без покрытия", "book svc=Маникюр_без_покрытия"),
        (T, NOON, "", "стрижка без укладки", "book svc=Стрижка_без_укладки"),
        (T, NOON, "", "стрижку, бороду не надо", "book svc=Мужская_стрижка nosvc=Моделирование_бороды"),
        (B, NOON, "", "стрижка без укладки", "book svc=Мужская_стрижка nosvc=Укладка"),
        (G, NOON, "", "manicure with gel polish", "book svc=Маникюр_с_покрытием lang=en"),
    ],
    # "любой" and "тот же" are words about the master, never a master's name.
    "any master": [
        (T, NOON, "", "мастер любой, завтра после 16", "book any day=+1 win=16:00-"),
        (B, NOON, "", "мастер - любой", "book any"),
        (Y, NOON, "", "Мастер любой, главное в субботу", "book any day=sat"),
        (G, NOON, "", "к любой свободной на пятницу", "book any day=fri"),
        (T, NOON, "", "мастер люббой", "book any"),
        (T, NOON, "", "запишите к тому же мастеру на субботу", "book usual day=sat firm"),
        (G, NOON, "", "можно к любому мастеру, кроме веры", "book any nostaff=Вера"),
        (B, NOON, "", "мастер любой", "book any"),
        (B, NOON, "", "любой мастер", "book any"),
        (B, NOON, "", "к любому", "book any"),
    ],
    # A sign alone is an answer.
    "a dash is no": [
        (B, NOON, "yes_no", "-", "no"),
        (G, NOON, "yes_no", " - ", "no"),
        (Y, NOON, "yes_no", "—", "no"),
        (T, NOON, "yes_no", "--", "no"),
        (N, NOON, "", "-", "no"),
        (T, NOON, "yes_no", "+", "yes"),
    ],
    # The move's target is what the client asks for, not the excuse; a later correction wins.
    "move target and corrections": [
        (
            G,
            NOON,
            "",
            "в пятницу не успеваю, перенесите на понедельник в 10",
            "move day=mon time=10:00 rday=fri",
        ),
        (T, NOON, "", "сегодня никак не получится, давайте лучше на субботу к 13", "move day=sat time=13:00 rday=0"),
        (T, NOON, "", "перенесите на пятницу, а то в четверг не успеваю", "move day=fri rday=thu"),
        (B, NOON, "", "на субботу в 11, ой нет, лучше в воскресенье", "book day=sun time=11:00"),
        (Y, NOON, "", "запишите в среду на 15:00\nхотя нет, в четверг", "book day=thu time=15:00 firm"),
        (T, NOON, "", "завтра в 18, точнее в 19", "book day=+1 time=19:00"),
        (G, NOON, "", "сегодня не успеваю, перенесите на завтра в это же время", "move day=+1 shift=0 rday=0"),
        (Y, NOON, "", "не получится в четверг, можно на то же время в субботу?", "move day=sat shift=0 rday=thu"),
        (B, NOON, "", "в субботу или воскресенье", "book day=sat until=sun"),
        (
            G,
            NOON,
            "",
            "до пятницы есть что-нибудь на маникюр с покрытием?",
            "book svc=Маникюр_с_покрытием day=0 until=fri !firm",
        ),
        (B, NOON, "time", "завтра не получится, давайте лучше на пятницу к 14", "book day=fri time=14:00 firm"),
        (B, NOON, "", "не успеваю в четверг, перенесите на субботу в 12", "move day=sat time=12:00 rday=thu"),
        (B, NOON, "", "завтра не получится, давайте лучше на пятницу к 14", "move day=fri time=14:00 rday=+1"),
        (B, NOON, "", "в четверг в 7 вечера... ой нет, лучше в пятницу", "book day=fri time=19:00"),
        (B, NOON, "", "в четверг в 7 вечера\nой нет, лучше в пятницу", "book day=fri time=19:00"),
        (B, NOON, "", "сегодня не успеваю, давайте на завтра в это же время", "move day=+1 shift=0 rday=0"),
        (B, NOON, "", "сегодня не смогу, можно на то же время, но в пятницу?", "move day=fri shift=0 rday=0"),
    ],
    # A verb names the service of its object: "подровнять бороду" is the beard's service.
    "verbs naming a service": [
        (T, NOON, "", "хочу подровнять бороду в субботу", "book svc=Моделирование_бороды day=sat firm"),
        (T, NOON, "", "нужно подправить брови", "book svc=Коррекция_бровей firm"),
        (T, NOON, "", "подстричь бороду и голову завтра", "book svc=Стрижка_и_борода day=+1"),
        (Y, NOON, "", "хочу брови подкрасить", "book svc=Окрашивание_бровей firm"),
        (T, NOON, "", "бороду подравнять можно?", "book svc=Моделирование_бороды"),
        (B, NOON, "", "подровнять бороду", "book svc=Стрижка_бороды"),
        (B, NOON, "", "подстричь бороду и голову", "book svc=Стрижка_+_борода"),
        (Y, NOON, "", "освежить стрижку", "book svc=Женская_стрижка"),
        (Y, NOON, "", "подправить брови", "book svc=Коррекция_бровей"),
    ],
    # Every service of one visit, in any order; a title's own "с X" is not a list.
    "several services": [
        (N, NOON, "", "маникюр с покрытием и ещё педикюр", "book svc=Маникюр_с_покрытием_гель-лак&Педикюр"),
        (
            G,
            NOON,
            "",
            "сначала снять гель-лак, потом маникюр с покрытием",
            "book svc=Снятие_гель-лака&Маникюр_с_покрытием",
        ),
        (Y, NOON, "", "коррекцию бровей с окрашиванием", "book svc=Коррекция_бровей&Окрашивание_бровей"),
        (
            G,
            NOON,
            "",
            "педикюр с покрытием, маникюр тоже с покрытием",
            "book svc=Педикюр_с_покрытием&Маникюр_с_покрытием",
        ),
        (Y, NOON, "", "окрашивание и коррекцию бровей", "book svc=Окрашивание_бровей&Коррекция_бровей"),
        (T, NOON, "", "стрижку, и камуфляж заодно", "book svc=Мужская_стрижка&Камуфляж_седины"),
        (Y, NOON, "", "сначала окрашивание, потом стрижку", "book svc=Окрашивание_волос&Женская_стрижка"),
        (B, NOON, "", "стрижку и бороду заодно", "book svc=Стрижка_+_борода"),
    ],
}

CASES = [(name, *row) for name, rows in CLASSES.items() for row in rows]


@pytest.mark.parametrize(
    ("cls", "salon", "clock", "expecting", "text", "spec"), CASES, ids=[f"{c[0]}: {c[4][:50]}" for c in CASES]
)
def test_reader_reads_the_class(cls: str, salon: str, clock: str, expecting: str, text: str, spec: str) -> None:
    ctx = _context(salon, clock, expecting, text)
    understanding = OfflineReader().understand(ctx)
    assert compare(understanding, spec, ctx.catalogue, ctx.now) == []


def test_each_class_has_rows_of_its_own() -> None:
    assert all(len(rows) >= 6 for rows in CLASSES.values())
