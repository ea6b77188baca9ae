"""The offline reader on messages written from client situations (see ``reader_salons`` for the spec language).

Each row: salon, clock, what the bot had asked, the client's text, the expected intents in order.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from ai_admin.conversation.offline_reader import OfflineReader
from ai_admin.conversation.understanding import Expecting, IntentKind, ReadContext
from tests.unit.reader_salons import CLOCKS, SALONS, compare

B, N, Y = "barber", "nails", "beauty"
NOON, LATE, SUN, MIDNIGHT, EOM = "noon", "late", "sunday", "midnight", "eom"

CASES: list[tuple[str, str, str, str, str]] = [
    # --- a man books a haircut -------------------------------------------------------------------
    (
        B,
        NOON,
        "",
        "Здравствуйте! Хочу записаться на стрижку завтра в 15:00",
        "book svc=Мужская_стрижка day=+1 time=15:00 firm",
    ),
    (B, NOON, "", "привет, можно к артему на завтра в 19?", "book staff=Артём day=+1 time=19:00 firm"),
    (
        B,
        NOON,
        "",
        "сколько стоит стрижка и можно на завтра в 19?",
        "price svc=Мужская_стрижка | book day=+1 time=19:00",
    ),
    (B, NOON, "", "адрес и до скольки работаете", "address | hours"),
    (B, NOON, "time", "давайте в 19:00, Никита меня зовут", "book day=+1 time=19:00 firm | name name=Никита"),
    (B, NOON, "", "стрижка и камуфляж в субботу", "book svc=Мужская_стрижка&Камуфляж_седины day=sat"),
    (B, NOON, "", "хочу стрижку и бороду на пятницу вечером", "book svc=Стрижка_+_борода day=fri part=evening firm"),
    (B, NOON, "", "хочу подстричься", "book svc=Мужская_стрижка firm"),
    (B, NOON, "", "можно побриться завтра?", "book svc=Королевское_бритьё day=+1"),
    (B, NOON, "", "запишите меня пожалуйста к олегу на четверг на 17:30", "book staff=Олег day=thu time=17:30 firm"),
    (B, NOON, "", "на завтра есть окошко вечером?", "book day=+1 part=evening !firm"),
    (
        B,
        NOON,
        "",
        "Добрый вечер. Можно записаться на камуфляж седины и стрижку к Сергею в среду?",
        "book svc=Мужская_стрижка&Камуфляж_седины staff=Сергей day=wed firm",
    ),
    (B, NOON, "", "хочу записаться", "book firm"),
    (B, NOON, "", "записаться можно?", "book firm"),
    (B, NOON, "", "есть свободные мастера на завтра?", "book day=+1 !firm"),
    (B, NOON, "", "когда ближайшее свободное время?", "book !firm"),
    (B, NOON, "", "на сегодня что-нибудь есть?", "book day=0 !firm"),
    (B, NOON, "", "мне бы подстричься побыстрее, сегодня", "book svc=Мужская_стрижка day=0"),
    (B, NOON, "", "а у олега что есть в четверг?", "book staff=Олег day=thu !firm"),
    (B, NOON, "staff", "давай к сергею тогда", "book staff=Сергей"),
    (B, NOON, "", "мне удобно только после 19", "book win=19:00-"),
    (B, NOON, "", "с 10 до 12 утра", "book win=10:00-12:00"),
    (B, NOON, "", "в обед", "book part=afternoon"),
    (B, NOON, "", "вечерком после работы", "book part=evening"),
    (B, NOON, "", "в любой день на следующей неделе", "book day=+6 until=+12"),
    (B, NOON, "", "в пятницу после 18", "book day=fri win=18:00-"),
    (B, NOON, "", "после обеда в пятницу", "book day=fri win=13:00-"),
    (B, NOON, "", "сегодня в 19:30 свободно?", "book day=0 time=19:30 !firm"),
    (B, NOON, "", "записаться к бари на субботу 😊", "book staff=Бари day=sat firm"),
    (B, NOON, "", "стрижка машинкой на завтра в 11", "book svc=Стрижка_машинкой day=+1 time=11:00"),
    (B, NOON, "", "укладку на субботу к 12", "book svc=Укладка day=sat time=12:00"),
    (B, NOON, "", "хочу королевское бритье в четверг в 2 часа", "book svc=Королевское_бритьё day=thu time=14:00 firm"),
    (B, NOON, "", "можно постричься машинкой сегодня в 6 вечера", "book svc=Стрижка_машинкой day=0 time=18:00"),
    # --- a father books for his son --------------------------------------------------------------
    (B, NOON, "", "сыну стрижку на субботу утром можно?", "book svc=Детская_стрижка day=sat part=morning"),
    (
        B,
        NOON,
        "",
        "нужно подстричь сына 7 лет, есть время завтра после школы?",
        "book svc=Детская_стрижка day=+1 !firm",
    ),
    (B, NOON, "", "стрижка для ребенка 5 лет сколько стоит?", "price svc=Детская_стрижка"),
    (
        B,
        NOON,
        "",
        "хочу записать сына и себя на стрижку в субботу",
        "book svc=Мужская_стрижка&Детская_стрижка day=sat firm",
    ),
    (B, NOON, "", "детская стрижка в воскресенье в 10 утра", "book svc=Детская_стрижка day=sun time=10:00"),
    # --- staff and service negation, any master --------------------------------------------------
    (B, NOON, "", "не к артему, к любому другому", "book nostaff=Артём any"),
    (B, NOON, "", "только не бари пожалуйста", "book nostaff=Бари"),
    (B, NOON, "", "стрижка без бороды", "book svc=Мужская_стрижка nosvc=Стрижка_бороды"),
    (B, NOON, "", "любой мастер, главное завтра вечером", "book any day=+1 part=evening"),
    (B, NOON, "", "к кому угодно, кроме олега", "book nostaff=Олег any"),
    (B, NOON, "staff", "без разницы к кому", "book any"),
    (B, NOON, "", "мне все равно какой мастер", "book any"),
    (B, NOON, "", "бороду не надо, только стрижку", "book svc=Мужская_стрижка nosvc=Стрижка_бороды"),
    (B, NOON, "", "не к сергею", "book nostaff=Сергей"),
    (B, NOON, "staff", "любой", "book any"),
    (B, NOON, "", "к любому мастеру на завтра в 16", "book any day=+1 time=16:00"),
    (N, NOON, "", "не к марии пожалуйста", "book nostaff=Мария"),
    # either of two named: every other master is ruled out
    (Y, NOON, "", "к анне или ольге, только не к светлане", "book nostaff=Светлана&Виктория any"),
    (B, NOON, "", "не к сергею, к артему", "book staff=Артём nostaff=Сергей"),
    (B, NOON, "", "не к сергею и бари", "book nostaff=Сергей&Бари"),
    # --- moving a booking ------------------------------------------------------------------------
    (B, NOON, "", "перенесите на час позже", "move shift=60"),
    (B, NOON, "", "можно на полчаса пораньше?", "move shift=-30"),
    (B, NOON, "", "перенесите мою запись на завтра", "move day=+1"),
    (B, NOON, "", "можно перенести стрижку с пятницы на субботу?", "move day=sat rday=fri rsvc=Мужская_стрижка"),
    (B, NOON, "", "перенесите на час пораньше пожалуйста", "move shift=-60"),
    (B, NOON, "", "а можно сдвинуть на 30 минут позже", "move shift=30"),
    (B, NOON, "", "не успеваю, давайте перенесем на другой день", "move"),
    (B, NOON, "", "перенести субботнюю запись на воскресенье в 12", "move day=sun time=12:00 rday=sat"),
    (B, NOON, "", "хочу поменять время записи на 18:00", "move time=18:00"),
    (B, NOON, "", "перенесите на два часа позже", "move shift=120"),
    (B, NOON, "", "на полтора часа позже можно?", "move shift=90"),
    (
        B,
        NOON,
        "",
        "короче мне надо перенести запись с четверга на пятницу на то же время",
        "move day=fri shift=0 rday=thu",
    ),
    (B, NOON, "", "ПЕРЕНЕСИТЕ НА ЧАС ПОЗЖЕ", "move shift=60"),
    # a wish said after a question goes to the request, past the question between
    (
        B,
        NOON,
        "",
        "запишите к артему на субботу. бари в субботу работает? ну тогда лучше на воскресенье",
        "book staff=Артём day=sun | staff_schedule staff=Бари day=sat",
    ),
    (B, NOON, "", "можно мою запись к артему перенести на 19?", "move time=19:00 rstaff=Артём"),
    (B, NOON, "", "перенос записи на следующую неделю", "move day=+6 until=+12"),
    (N, NOON, "", "перенесите маникюр на послезавтра, на работе завал", "move day=+2 rsvc=Маникюр_классический"),
    (N, NOON, "", "на полчаса попозже можно? не успеваю с работы", "move shift=30"),
    (
        N,
        NOON,
        "",
        "девочки, меня задерживают на работе, можно перенести маникюр на вечер?",
        "move part=evening rsvc=Маникюр_классический",
    ),
    (N, NOON, "", "перенесите пожалуйста с 15 на 17", "move time=17:00 rtime=15:00"),
    (Y, NOON, "", "мне нужно сдвинуть окрашивание на час раньше", "move shift=-60 rsvc=Окрашивание_волос"),
    # --- nudges relative to the last offer -------------------------------------------------------
    (B, NOON, "time", "а пораньше?", "book nudge=earlier"),
    (B, NOON, "time", "попозже есть?", "book nudge=later"),
    (B, NOON, "time", "а можно чуть позже?", "book nudge=later"),
    (B, NOON, "time", "раньше ничего нет?", "book nudge=earlier"),
    (N, NOON, "time", "это поздно, есть пораньше?", "book nudge=earlier"),
    (B, NOON, "time", "а в 8 вечера?", "book time=20:00"),
    # --- the regular: as usual -------------------------------------------------------------------
    (B, NOON, "", "как обычно через неделю в 18:00", "book usual day=+7 time=18:00"),
    (B, NOON, "", "запишите как обычно", "book usual firm"),
    (B, NOON, "", "как обычно, на субботу", "book usual day=sat"),
    (Y, NOON, "", "хочу стрижку как в прошлый раз к ольге", "book svc=Женская_стрижка staff=Ольга usual firm"),
    (B, NOON, "", "мне как всегда к сергею в пятницу вечером", "book usual staff=Сергей day=fri part=evening"),
    # --- spans -----------------------------------------------------------------------------------
    (B, NOON, "", "есть что-нибудь в эти выходные?", "book day=sat until=sun !firm"),
    (N, NOON, "", "в эти выходные есть что-то на маникюр?", "book svc=Маникюр_классический day=sat until=sun !firm"),
    (B, NOON, "", "на следующей неделе вечером можно?", "book day=+6 until=+12 part=evening"),
    # --- cancelling, record references -----------------------------------------------------------
    (B, NOON, "", "отмените мою запись", "cancel"),
    (B, NOON, "", "отмените детскую, которая в субботу", "cancel rsvc=Детская_стрижка rday=sat"),
    (B, NOON, "", "отмена", "cancel"),
    (B, NOON, "", "хочу отменить запись на завтра", "cancel rday=+1"),
    (B, NOON, "", "отмените пожалуйста запись к артему", "cancel rstaff=Артём"),
    (B, NOON, "", "отменить запись на 15:00", "cancel rtime=15:00"),
    (B, NOON, "", "ой, лучше вообще отмените", "cancel"),
    (B, NOON, "", "отмените первую", "cancel rord=1"),
    (B, NOON, "", "пжлст отмените запись", "cancel"),
    (N, NOON, "", "отмените запись пожалуйста, заболела", "cancel"),
    (N, NOON, "", "хочу отменить педикюр в пятницу", "cancel rsvc=Педикюр rday=fri"),
    (Y, NOON, "", "отмените завтрашнюю запись на укладку", "cancel rday=+1 rsvc=Укладка"),
    (B, NOON, "choice", "ту что у сергея", "choose rstaff=Сергей"),
    (B, NOON, "choice", "вторую", "choose rord=2"),
    (B, NOON, "choice", "субботнюю", "choose rday=sat"),
    (B, NOON, "choice", "детскую", "choose rsvc=Детская_стрижка"),
    (B, NOON, "choice", "которая в субботу", "choose rday=sat"),
    (B, NOON, "choice", "последнюю", "choose rord=-1"),
    (B, NOON, "choice", "2", "choose rord=2"),
    (B, NOON, "choice", "детскую, которая в субботу", "choose rsvc=Детская_стрижка rday=sat"),
    (B, NOON, "choice", "на 15:00", "choose rtime=15:00"),
    (Y, NOON, "choice", "ту, что на окрашивание", "choose rsvc=Окрашивание_волос"),
    # --- the salon answers -----------------------------------------------------------------------
    (B, NOON, "", "где вы находитесь?", "address"),
    (B, NOON, "", "до скольки вы сегодня работаете?", "hours day=0"),
    (B, NOON, "", "в воскресенье работаете?", "hours day=sun"),
    (B, NOON, "", "какие мастера есть?", "staff_list"),
    (B, NOON, "", "кто у вас делает камуфляж?", "staff_list svc=Камуфляж_седины"),
    (B, NOON, "", "какие у меня записи?", "my_bookings"),
    (B, NOON, "", "во сколько я записан?", "my_bookings"),
    (B, NOON, "", "здравствуйте, подскажите адрес", "address"),
    (B, NOON, "", "как к вам добраться от метро?", "address"),
    (B, NOON, "", "часы работы?", "hours"),
    (B, NOON, "", "до скольки работаети в субботу", "hours day=sat"),
    (B, NOON, "", "адресс какой?", "address"),
    (B, NOON, "", "Сергей завтра работает?", "staff_schedule staff=Сергей day=+1"),
    (B, NOON, "", "когда работает бари?", "staff_schedule staff=Бари"),
    (B, NOON, "", "а Артём в субботу работает?", "staff_schedule staff=Артём day=sat"),
    (B, NOON, "", "какие мастера работают в субботу?", "staff_list day=sat"),
    (B, NOON, "", "кто лучше стрижет?", "staff_list svc=Мужская_стрижка"),
    (B, NOON, "", "расскажите про камуфляж, что это?", "explain svc=Камуфляж_седины"),
    (B, NOON, "", "что входит в королевское бритье?", "explain svc=Королевское_бритьё"),
    (B, NOON, "", "сколько по времени длится стрижка с бородой?", "explain svc=Стрижка_+_борода"),
    (B, NOON, "", "у вас есть парковка?", "other"),
    (B, NOON, "", "можно оплатить картой?", "other"),
    (B, NOON, "", "а во сколько вы открываетесь завтра?", "hours day=+1"),
    (B, NOON, "", "вы работаете в праздники?", "hours"),
    (N, NOON, "", "во сколько у меня завтра запись?", "my_bookings"),
    (N, NOON, "", "а на какое время я записана?", "my_bookings"),
    (N, NOON, "", "катя завтра работает?", "staff_schedule staff=Екатерина day=+1"),
    (N, NOON, "", "педикюр сколько по времени?", "explain svc=Педикюр"),
    (N, NOON, "", "сколько длится маникюр с покрытием", "explain svc=Маникюр_с_покрытием_гель-лак"),
    (N, NOON, "", "ресницы делаете?", "other unk=ресниц"),
    (Y, NOON, "", "кто делает ламинирование?", "staff_list svc=Ламинирование_ресниц"),
    (Y, NOON, "", "наращивание ресниц делаете?", "other unk=наращивание"),
    (Y, NOON, "", "а светлана в воскресенье работает?", "staff_schedule staff=Светлана day=sun"),
    (Y, NOON, "", "какой у вас адрес и есть ли парковка", "address | other"),
    # --- prices ----------------------------------------------------------------------------------
    (B, NOON, "", "это сколько стоит?", "price"),
    (B, NOON, "", "стрижка сколько стоит", "price svc=Мужская_стрижка"),
    (B, NOON, "", "почем борода?", "price svc=Стрижка_бороды"),
    (B, NOON, "", "прайс скиньте", "price"),
    (B, NOON, "", "стрижка машинкой под ноль сколько?", "price svc=Стрижка_машинкой"),
    (B, NOON, "", "а борода отдельно сколько стоит", "price svc=Стрижка_бороды"),
    (B, NOON, "", "скока стоит стришка", "price svc=Мужская_стрижка"),
    (B, NOON, "", "сколько стоет камуфляж", "price svc=Камуфляж_седины"),
    (B, NOON, "", "какие у вас цены?", "price"),
    (N, NOON, "", "сколько стоит наращивание?", "price svc=Наращивание_ногтей"),
    (N, NOON, "", "гель лак сколько стоит", "price svc=Маникюр_с_покрытием_гель-лак"),
    (N, NOON, "", "цена педикюра?", "price svc=Педикюр"),
    (Y, NOON, "", "сколько стоит мелирование на длинные волосы?", "price svc=Мелирование"),
    (Y, NOON, "", "окрашивание корней сколько?", "price svc=Окрашивание_волос"),
    (Y, NOON, "", "а сколько стоит стрижка для девочки 10 лет?", "price svc=Детская_стрижка"),
    (Y, NOON, "", "стоимость ламинирования ресниц", "price svc=Ламинирование_ресниц"),
    # --- names -----------------------------------------------------------------------------------
    (B, NOON, "", "меня зовут Лена", "name name=Лена"),
    (B, NOON, "", "я Андрей", "name name=Андрей"),
    (B, NOON, "", "это Катя, хочу записаться на стрижку", "name name=Катя | book svc=Мужская_стрижка firm"),
    (B, NOON, "name", "дмитрий", "name name=Дмитрий"),
    (B, NOON, "", "я хочу записаться", "book firm"),
    (B, NOON, "", "я записан на завтра?", "my_bookings"),
    (B, NOON, "name", "сколько стоит стрижка?", "price svc=Мужская_стрижка"),
    (B, NOON, "", "Меня Никита зовут, запишите на завтра на 10 утра", "name name=Никита | book day=+1 time=10:00 firm"),
    (B, NOON, "name", "елена", "name name=Елена"),
    (B, NOON, "name", "Настя Петрова", "name name=Настя_Петрова"),
    (B, NOON, "", "my name is John", "name name=John lang=en"),
    (N, NOON, "", "записываюсь на маникюр, меня зовут Света", "book svc=Маникюр_классический firm | name name=Света"),
    (N, NOON, "", "я к вам первый раз, хочу маникюр", "book svc=Маникюр_классический firm"),
    (N, NOON, "name", "Алиса", "name name=Алиса"),
    (Y, NOON, "", "это ольга, я вчера записывалась на окрашивание", "name name=Ольга | my_bookings"),
    # --- thanks, greetings, bye ------------------------------------------------------------------
    (B, NOON, "", "спасибо!", "thanks"),
    (B, NOON, "", "привет", "greeting"),
    (B, NOON, "", "пока, до встречи", "bye"),
    (B, NOON, "", "спасибо большое, до свидания", "thanks | bye"),
    (B, NOON, "", "спс", "thanks"),
    (B, NOON, "", "добрый день", "greeting"),
    (B, NOON, "", "благодарю, всего доброго!", "thanks | bye"),
    (B, NOON, "", "🙏 спасибо", "thanks"),
    (B, NOON, "", "всё супер, спасибо мастеру!", "thanks"),
    (B, NOON, "", "здрасте", "greeting"),
    # --- complaints and people -------------------------------------------------------------------
    (B, NOON, "", "ужасно подстригли, криво, вообще недоволен", "complaint"),
    (B, NOON, "", "позовите администратора", "human"),
    (B, NOON, "", "мастер испортил стрижку, хочу поговорить с управляющим", "complaint | human"),
    (B, NOON, "", "😡😡😡 ужас а не стрижка", "complaint"),
    (B, NOON, "", "мастер опоздал на 20 минут, я ждал", "complaint"),
    (B, NOON, "", "мне нужен администратор, это срочно", "human"),
    (B, NOON, "", "я оставлю отзыв, вы ужасны", "complaint"),
    (N, NOON, "", "мастер алина испортила мне ногти, всё отслоилось через день", "complaint"),
    (N, NOON, "", "хочу вернуть деньги за маникюр, ужасное качество", "complaint"),
    (N, NOON, "", "можно поговорить с живым человеком?", "human"),
    (Y, NOON, "", "мне не понравилось окрашивание, цвет совсем не тот, что просила", "complaint"),
    (Y, NOON, "", "вы меня обманули, пришла, а мастера нет!", "complaint"),
    (Y, NOON, "", "соедините с менеджером", "human"),
    # a judging question makes a complaint of what another clause of the message tells
    (N, NOON, "", "покрытие отошло на второй день. это нормально вообще??", "complaint"),
    (B, NOON, "", "стрижку сделали неровно!!! так и должно быть? я 1800 заплатил", "complaint"),
    (N, NOON, "", "это нормально, если я приду с дочкой в субботу к 12?", "book day=sat time=12:00"),
    # --- reminder replies ------------------------------------------------------------------------
    (B, NOON, "yes_no", "опоздаю на 10 минут", "late late=10"),
    (B, NOON, "yes_no", "буду", "yes"),
    (B, NOON, "yes_no", "+", "yes"),
    (B, NOON, "", "не присылайте мне больше напоминания", "stop_reminders"),
    (B, NOON, "yes_no", "да, буду", "yes"),
    (B, NOON, "yes_no", "приду", "yes"),
    (B, NOON, "yes_no", "конечно приду, спасибо", "yes | thanks"),
    (B, NOON, "yes_no", "не получится, давайте перенесем на пятницу", "move day=fri"),
    (B, NOON, "yes_no", "1", "yes"),
    (B, NOON, "", "опоздаю минут на 10-15", "late late=15"),
    (B, NOON, "", "отпишите меня от рассылки", "stop_reminders"),
    (B, NOON, "", "больше не пишите мне", "stop_reminders"),
    (B, NOON, "yes_no", "опаздываю минут на 15", "late late=15"),
    (B, NOON, "yes_no", "задерживаюсь, буду через полчаса", "late late=30"),
    (B, NOON, "yes_no", "щас подойду, опоздаю на пять минут", "late late=5"),
    (B, NOON, "yes_no", "не надо", "no"),
    (B, NOON, "", "не надо напоминаний", "stop_reminders"),
    (B, NOON, "", "опоздаю на полчаса, ничего?", "late late=30"),
    (B, NOON, "", "извините задержусь минут на 20", "late late=20"),
    (B, NOON, "yes_no", "неа", "no"),
    (B, NOON, "yes_no", "не, не надо", "no"),
    (B, NOON, "yes_no", "не смогу прийти", "no"),
    (B, NOON, "yes_no", "ок", "yes"),
    (B, NOON, "yes_no", "ок го", "yes"),
    (B, NOON, "yes_no", "норм, давайте", "yes"),
    (B, NOON, "yes_no", "нормально, давайте", "yes"),
    (B, NOON, "yes_no", "👍", "yes"),
    (B, NOON, "yes_no", "да", "yes"),
    (B, NOON, "yes_no", "нет", "no"),
    (B, NOON, "yes_no", "нет, лучше в субботу", "book day=sat"),
    (B, NOON, "yes_no", "я передумал, не надо записывать", "no"),
    (B, NOON, "", "не хочу записываться на завтра, спасибо", "no | thanks"),
    (N, NOON, "yes_no", "Да, подтверждаю", "yes"),
    # --- times said as words ---------------------------------------------------------------------
    (B, NOON, "", "давайте в 7 вечера", "book time=19:00 firm"),
    (B, NOON, "time", "полседьмого норм?", "book day=+1 time=18:30"),
    (B, NOON, "time", "без пятнадцати 7 можно?", "book time=18:45"),
    (B, NOON, "", "к 19 успею подойти, запишите", "book time=19:00 firm"),
    (B, NOON, "", "завтра в семь вечера", "book day=+1 time=19:00"),
    (B, NOON, "", "послезавтра в полпятого", "book day=+2 time=16:30"),
    (B, NOON, "", "в пятницу часиков в шесть", "book day=fri time=18:00"),
    (N, NOON, "time", "в 9 можно?", "book time=09:00 ambig"),
    (N, NOON, "", "в 7 утра", "book time=07:00"),
    # --- nail studio -----------------------------------------------------------------------------
    (
        N,
        NOON,
        "",
        "хочу на маникюр с покрытием в четверг после 15",
        "book svc=Маникюр_с_покрытием_гель-лак day=thu win=15:00- firm",
    ),
    (
        N,
        NOON,
        "",
        "маникюр и педикюр в субботу, можно к одному мастеру?",
        "book svc=Маникюр_классический&Педикюр day=sat",
    ),
    (N, NOON, "", "снять покрытие и сделать маникюр", "book svc=Снятие_покрытия&Маникюр_классический"),
    (N, NOON, "", "к алине на завтра есть места?", "book staff=Алина day=+1 !firm"),
    (
        N,
        NOON,
        "",
        "запишите на педикюр к екатерине в пятницу в 11",
        "book svc=Педикюр staff=Екатерина day=fri time=11:00 firm",
    ),
    (N, NOON, "", "маникюр на завтра на утро", "book svc=Маникюр_классический day=+1 part=morning"),
    (N, NOON, "", "ногти нарастить можно в понедельник?", "book svc=Наращивание_ногтей day=mon"),
    (N, NOON, "", "привет) есть окошко сегодня вечером?", "book day=0 part=evening !firm"),
    (N, NOON, "", "Екатерина, здравствуйте! Можно к вам в субботу?", "book staff=Екатерина day=sat"),
    (N, NOON, "", "хочу маникюр и дизайн на пятницу", "book svc=Маникюр_классический&Дизайн_ногтей day=fri firm"),
    # --- beauty salon ----------------------------------------------------------------------------
    (Y, NOON, "", "хочу покраситься в блонд", "book svc=Окрашивание_волос unk=блонд firm"),
    (Y, NOON, "", "коррекция и окрашивание бровей", "book svc=Коррекция_бровей&Окрашивание_бровей"),
    (Y, NOON, "", "ламинирование ресниц в субботу к виктории", "book svc=Ламинирование_ресниц staff=Виктория day=sat"),
    (Y, NOON, "", "хочу записать дочку на стрижку", "book svc=Детская_стрижка firm"),
    (Y, NOON, "", "стрижка и укладка на 8 марта", "book svc=Женская_стрижка&Укладка day=2027-03-08"),
    (Y, NOON, "", "у меня свадьба в субботу, нужна укладка утром", "book svc=Укладка day=sat part=morning"),
    (Y, NOON, "", "можно к анне, но не раньше 16?", "book staff=Анна win=16:00-"),
    (
        Y,
        NOON,
        "",
        "в среду с 12 до 15 есть окна на коррекцию бровей?",
        "book svc=Коррекция_бровей day=wed win=12:00-15:00 !firm",
    ),
    (Y, NOON, "", "мелирование и тонирование за один раз можно?", "book svc=Мелирование&Тонирование"),
    (Y, NOON, "", "хочу сделать кератин", "book unk=кератин firm"),
    (
        Y,
        NOON,
        "",
        "запишите на стрижку и окрашивание к ольге в четверг",
        "book svc=Женская_стрижка&Окрашивание_волос staff=Ольга day=thu firm",
    ),
    # --- other clocks ----------------------------------------------------------------------------
    (B, LATE, "", "можно завтра с утра?", "book day=+1 part=morning"),
    (B, LATE, "", "а сегодня еще можно успеть?", "book day=0"),
    (B, LATE, "", "сегодня в 10 можно?", "book day=0 time=10:00 past"),
    (B, LATE, "", "до скольки вы работаете?", "hours"),
    (B, LATE, "", "на послезавтра на вечер", "book day=+2 part=evening"),
    (B, MIDNIGHT, "", "сегодня в 15 есть?", "book day=0 time=15:00"),
    (B, MIDNIGHT, "", "завтра к сергею", "book staff=Сергей day=+1"),
    (B, MIDNIGHT, "", "в среду", "book day=wed"),
    (B, MIDNIGHT, "", "на выходных", "book day=sat until=+4"),
    (B, SUN, "", "вы сегодня работаете?", "hours day=0"),
    (B, SUN, "", "в эти выходные", "book day=0 until=0"),
    (B, SUN, "", "на следующей неделе в четверг вечером", "book day=thu part=evening"),
    (B, SUN, "", "завтра в понедельник можно?", "book day=+1"),
    (B, EOM, "", "1 числа можно?", "book day=+1"),
    (B, EOM, "", "завтра в 12", "book day=+1 time=12:00"),
    (B, EOM, "", "через неделю", "book day=+7"),
    (B, EOM, "", "на 31 марта", "book day=0"),
    (B, EOM, "", "сегодня в 17", "book day=0 time=17:00 past"),
    (B, EOM, "", "15.03.2025 в 14:00", "book time=14:00 unclear"),
    (B, NOON, "", "запишите на 35 марта", "book unclear firm"),
    # --- run-on voice messages, typos, slang -----------------------------------------------------
    (
        B,
        NOON,
        "",
        "здравствуйте я хотел бы записаться на стрижку на завтра на вечер часов на семь"
        " если можно к сергею а если нет то к любому",
        "book svc=Мужская_стрижка staff=Сергей any day=+1 time=19:00 firm",
    ),
    (
        N,
        NOON,
        "",
        "слушайте а можно мне на маникюр в пятницу часа в четыре и еще педикюр если получится",
        "book svc=Маникюр_классический&Педикюр day=fri time=16:00",
    ),
    (
        B,
        NOON,
        "",
        "добрый день подскажите пожалуйста сколько стоит стрижка и есть ли свободное время на сегодня",
        "price svc=Мужская_стрижка | book day=0 !firm",
    ),
    (B, NOON, "", "хочу записатся на стрижку зафтра", "book svc=Мужская_стрижка day=+1 firm"),
    (B, NOON, "", "можно в суботу к артему", "book staff=Артём day=sat"),
    (B, NOON, "", "плиз запиши на пятнецу в 18", "book day=fri time=18:00 firm"),
    (B, NOON, "", "а щас можно подойти?", "book day=0"),
    (B, NOON, "time", "го в 19", "book day=+1 time=19:00 firm"),
    (B, NOON, "", "здрасьте а можно севодня к бари часов в 5", "book staff=Бари day=0 time=17:00"),
    (N, NOON, "", "девочки привет хочу на маникюрчик в субботу", "book svc=Маникюр_классический day=sat firm"),
    (B, NOON, "", "asdfgh", ""),
    (B, NOON, "", "ну", ""),
    (B, NOON, "", "...", ""),
    # --- with an offer on the table --------------------------------------------------------------
    (B, NOON, "time", "давайте второе", "book day=+1 time=18:30 firm"),
    (B, NOON, "time", "в 5", "book day=+1 time=17:00 firm"),
    (B, NOON, "time", "давайте на 19", "book day=+1 time=19:00 firm"),
    (B, NOON, "day", "послезавтра", "book day=+2"),
    (B, NOON, "service", "бороду", "book svc=Стрижка_бороды"),
    (B, NOON, "staff", "к олегу", "book staff=Олег"),
    (B, NOON, "staff", "без разницы", "book any"),
    (B, NOON, "time", "17:00 подходит", "book day=+1 time=17:00 firm"),
    # --- English ---------------------------------------------------------------------------------
    (B, NOON, "", "can I book a haircut tomorrow at 3pm?", "book svc=Мужская_стрижка day=+1 time=15:00 firm lang=en"),
    (B, NOON, "", "any time on saturday?", "book day=sat !firm lang=en"),
    (B, NOON, "", "cancel my appointment", "cancel lang=en"),
    (B, NOON, "", "how much is a beard trim", "price svc=Стрижка_бороды lang=en"),
    (B, NOON, "", "hi", "greeting lang=en"),
    (B, NOON, "", "what's your address?", "address lang=en"),
    (B, NOON, "", "what time do you close today?", "hours day=0 lang=en"),
    (
        B,
        NOON,
        "",
        "I'd like a haircut and beard trim on friday evening",
        "book svc=Стрижка_+_борода day=fri part=evening firm lang=en",
    ),
    (B, NOON, "time", "can we do 15:00 instead?", "book time=15:00 lang=en"),
    (B, NOON, "time", "earlier?", "book nudge=earlier lang=en"),
    (B, NOON, "time", "later please", "book nudge=later lang=en"),
    (B, NOON, "yes_no", "yes", "yes lang=en"),
    (B, NOON, "yes_no", "no thanks", "no | thanks lang=en"),
    (B, NOON, "", "thank you!", "thanks lang=en"),
    (B, NOON, "", "I'll be 10 minutes late", "late late=10 lang=en"),
    (B, NOON, "", "can I move my appointment to next monday at 11am?", "move day=mon time=11:00 lang=en"),
    (
        B,
        NOON,
        "",
        "any masters available in the evening next week?",
        "book day=+6 until=+12 part=evening !firm lang=en",
    ),
    (B, NOON, "", "who does kids haircuts?", "staff_list svc=Детская_стрижка lang=en"),
    (B, NOON, "", "I want to talk to a manager", "human lang=en"),
    (B, NOON, "", "stop sending me reminders", "stop_reminders lang=en"),
    (B, NOON, "", "what are your opening hours on sunday?", "hours day=sun lang=en"),
    (B, NOON, "", "book me with Artem tomorrow morning", "book staff=Артём day=+1 part=morning firm lang=en"),
    (B, NOON, "", "bye", "bye lang=en"),
    (B, NOON, "", "running 15 min late", "late late=15 lang=en"),
    (
        N,
        NOON,
        "",
        "hello, do you have anything for a manicure today after 5pm?",
        "book svc=Маникюр_классический day=0 win=17:00- !firm lang=en",
    ),
    (N, NOON, "", "how much is a pedicure?", "price svc=Педикюр lang=en"),
    (Y, NOON, "", "where are you located? and are you open on sunday?", "address | hours day=sun lang=en"),
    (Y, NOON, "", "the colour is terrible, I am very unhappy", "complaint lang=en"),
]


def _offered(now: datetime) -> tuple[datetime, ...]:
    day = now.date() + timedelta(days=1)
    return tuple(datetime.combine(day, time(h, m), now.tzinfo) for h, m in ((17, 0), (18, 30), (19, 0)))


def _context(salon: str, clock: str, expecting: str, text: str) -> ReadContext:
    now = CLOCKS[clock]
    return ReadContext(
        text=text,
        now=now,
        catalogue=SALONS[salon],
        expecting=Expecting(expecting) if expecting else Expecting.NOTHING,
        offered=_offered(now) if expecting == "time" else (),
    )


@pytest.mark.parametrize(("salon", "clock", "expecting", "text", "spec"), CASES, ids=[c[3][:60] for c in CASES])
def test_reader_understands(salon: str, clock: str, expecting: str, text: str, spec: str) -> None:
    ctx = _context(salon, clock, expecting, text)
    understanding = OfflineReader().understand(ctx)
    assert compare(understanding, spec, ctx.catalogue, ctx.now) == []
    assert understanding.reader == "offline"


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 250


def test_a_reminder_button_is_an_answer_about_its_record() -> None:
    ctx = ReadContext(text="Приду", now=CLOCKS[NOON], catalogue=SALONS[B], button_ids=("visit_confirm:77",))
    (intent,) = OfflineReader().understand(ctx).intents
    assert (intent.kind, intent.reply_id, intent.record.record_id) == (IntentKind.YES, "visit_confirm:77", 77)


def test_a_decline_button_is_a_no_about_its_record() -> None:
    ctx = ReadContext(text="Не приду", now=CLOCKS[NOON], catalogue=SALONS[B], button_ids=("visit_decline:78",))
    (intent,) = OfflineReader().understand(ctx).intents
    assert (intent.kind, intent.record.record_id) == (IntentKind.NO, 78)


def test_yes_and_no_buttons() -> None:
    for button, kind in (("answer_yes", IntentKind.YES), ("answer_no", IntentKind.NO)):
        ctx = ReadContext(text="Да", now=CLOCKS[NOON], catalogue=SALONS[B], button_ids=(button,))
        assert [(i.kind, i.reply_id) for i in OfflineReader().understand(ctx).intents] == [(kind, button)]


def test_an_unknown_button_is_passed_on_for_the_engine() -> None:
    ctx = ReadContext(text="17:00", now=CLOCKS[NOON], catalogue=SALONS[B], button_ids=("slot:11:2026-03-11T17:00",))
    (intent,) = OfflineReader().understand(ctx).intents
    assert (intent.kind, intent.reply_id) == (IntentKind.OTHER, "slot:11:2026-03-11T17:00")


def test_the_when_keeps_the_clients_words() -> None:
    ctx = _context(B, NOON, "", "запишите на стрижку завтра в 15:00")
    (intent,) = OfflineReader().understand(ctx).intents
    assert "завтра" in intent.when.text and "15:00" in intent.when.text
