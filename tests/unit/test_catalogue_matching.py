from __future__ import annotations

import pytest

from ai_admin.domain.catalogue_matching import (
    Service,
    StaffMember,
    match_services,
    match_staff,
    mentions_child,
    named_words,
    noun_for,
    title_words,
)

CATALOGUE = [
    Service(1, "Мужская стрижка", "Стрижки", 1600, 60),
    Service(2, "Стрижка машинкой", "Стрижки", 900, 30),
    Service(3, "Детская стрижка", "Стрижки", 1100, 45),
    Service(4, "Стрижка + борода", "Комплексы", 2300, 90),
    Service(5, "Отец + сын", "Комплексы", 2500, 100),
    Service(6, "Стрижка бороды", "Борода", 850, 30),
    Service(7, "Моделирование бороды", "Борода", 1000, 40),
    Service(8, "Королевское бритьё", "Бритьё", 1300, 45),
    Service(9, "Бритьё головы", "Бритьё", 950, 40),
    Service(10, "Камуфляж седины", "Окрашивание", 1000, 30),
    Service(11, "Тонирование бороды", "Окрашивание", 700, 30),
    Service(12, "Укладка", "Стрижки", 500, 20),
    Service(13, "Окантовка", "Стрижки", 450, 20),
    Service(14, "Воск: нос и уши", "Уход", 400, 15),
    Service(15, "Стрижка + бритьё головы", "Комплексы", 2100, 80),
    Service(16, "Skin fade", "Стрижки", 1800, 60),
    Service(17, "Чёрная маска", "Уход за кожей", 600, 20),
]

SERVICE_CASES: list[tuple[str, int | None]] = [
    ("стрижка", 1),
    ("Стрижка", 1),
    ("хочу стрижку", 1),
    ("запишите на стрижку завтра в 3", 1),
    ("стришка", 1),
    ("стрижку пожалуйста", 1),
    ("хочу подстричься", 1),
    ("можно постричься в субботу?", 1),
    ("мужская стрижка", 1),
    ("Сколько стоит мужская стрижка?", 1),
    ("мужскую стрижку к Сергею", 1),
    ("стрижка машинкой", 2),
    ("машинкой под ноль", 2),
    ("детская стрижка", 3),
    ("А детская?", 3),
    ("стрижка ребёнку", 3),
    ("стрижка ребенку 7 лет", 3),
    ("подстричь сына", 3),
    ("сыну стрижку", 3),
    ("детскую", 3),
    ("стрижка и борода", 4),
    ("стрижку и бороду", 4),
    ("стрижка + борода", 4),
    ("комплекс стрижка борода", 4),
    ("комплекс", 4),
    ("отец и сын", 5),
    ("отец + сын", 5),
    ("стрижка бороды", 6),
    ("бороду подровнять", 6),
    ("барода", 6),
    ("моделирование бороды", 7),
    ("моделирование", 7),
    ("королевское бритьё", 8),
    ("королевское бритье", 8),
    ("побрить голову", 9),
    ("бритьё головы", 9),
    ("камуфляж седины", 10),
    ("закрасить седину камуфляж", 10),
    ("тонирование бороды", 11),
    ("укладка", 12),
    ("окантовку", 13),
    ("воск нос", 14),
    ("стрижка и бритьё головы", 15),
    ("skin fade", 16),
    ("Skin Fade", 16),
    ("фейд", None),
    ("маникюр", None),
    ("педикюр и брови", None),
    ("привет", None),
    ("", None),
    ("уход за кожей", 17),
]


@pytest.mark.parametrize(("text", "expected"), SERVICE_CASES, ids=[c[0] or "empty" for c in SERVICE_CASES])
def test_services(text: str, expected: int | None) -> None:
    found = match_services(text, CATALOGUE)
    if expected is None:
        assert found.unknown
        assert found.best is None
        assert found.available == tuple(CATALOGUE)
    else:
        assert not found.unknown
        assert found.best is not None and found.best.id == expected, [m.item.title for m in found][:3]


def test_the_case_table_is_large_enough() -> None:
    assert len(SERVICE_CASES) >= 40


def test_a_plain_haircut_ranks_before_every_combo_and_childrens_service() -> None:
    ranked = [match.item.id for match in match_services("стрижка", CATALOGUE)]
    for special in (3, 4, 5, 15):
        assert special not in ranked or ranked.index(special) > ranked.index(1)


def test_a_child_is_never_matched_to_the_father_and_son_combo_first() -> None:
    ranked = match_services("стрижка ребёнку", CATALOGUE).items
    assert ranked[0].id == 3


def test_matches_iterate_best_first() -> None:
    found = match_services("бороду", CATALOGUE)
    scores = [match.score for match in found]
    assert scores == sorted(scores, reverse=True)
    assert len(found) == len(scores) and found[0].item == found.best
    assert {6, 7, 11} <= {item.id for item in found.items}


STAFF = [
    StaffMember(201, "Сергей"),
    StaffMember(202, "Бари"),
    StaffMember(203, "Александр Петров"),
    StaffMember(204, "Артём"),
    StaffMember(205, "Лев"),
    StaffMember(206, "Евгения"),
    StaffMember(207, "Олег"),
]

STAFF_CASES: list[tuple[str, list[int]]] = [
    ("к Сергею", [201]),
    ("Сергей", [201]),
    ("у Сергея свободно?", [201]),
    ("с Сергеем", [201]),
    ("Серёжа", [201]),
    ("к Сереже", [201]),
    ("Сергй", [201]),
    ("к Бари", [202]),
    ("Бари завтра работает?", [202]),
    ("к Александру", [203]),
    ("Саша", [203]),
    ("к Петрову", [203]),
    ("к Артёму", [204]),
    ("к Артему", [204]),
    ("к Льву", [205]),
    ("хочу к Жене", [206]),
    ("к Евгении", [206]),
    ("к Олегу", [207]),
    ("к Ивану", []),
    ("стрижка завтра в 3", []),
    ("к любому мастеру", []),
    ("Бар", []),
]


@pytest.mark.parametrize(("text", "expected"), STAFF_CASES, ids=[c[0] for c in STAFF_CASES])
def test_staff(text: str, expected: list[int]) -> None:
    found = match_staff(text, STAFF)
    assert [match.item.id for match in found][: len(expected) or None] == expected
    if not expected:
        assert found.unknown and found.available == tuple(STAFF)


def test_two_staff_with_one_first_name_are_both_offered() -> None:
    staff = [StaffMember(1, "Сергей Иванов"), StaffMember(2, "Сергей Смирнов"), StaffMember(3, "Бари")]
    assert [match.item.id for match in match_staff("к Сергею", staff)] == [1, 2]
    assert match_staff("к Сергею Смирнову", staff)[0].item.id == 2


def test_words_written_apart_name_a_hyphenated_title() -> None:
    services = [Service(1, "Маникюр с покрытием гель-лак"), Service(2, "Маникюр классический")]
    assert match_services("гель лак", services).best == services[0]


def test_named_words_and_children() -> None:
    beard = Service(4, "Стрижка бороды", "Борода")
    assert named_words("подровнять бороду", beard) == frozenset({"борода", "стрижка"})
    assert title_words(Service(1, "Мужская стрижка")) == frozenset({"стрижка"})
    assert mentions_child("сыну стрижку") and not mentions_child("мне стрижку")
    assert noun_for("снять") == "снятие" and noun_for("окно") == "окно"


def test_a_titles_own_negation_names_it_and_the_opposite_does_not() -> None:
    services = [Service(1, "Маникюр с покрытием", "Маникюр"), Service(2, "Маникюр без покрытия", "Маникюр")]
    assert match_services("маникюр без покрытия", services).best == services[1]
    assert match_services("маникюр с покрытием", services).best == services[0]
    assert match_services("маникюр", services).best == services[1]  # says nothing of a coating
    assert match_services("маникюр с гель-лаком", services).best == services[0]
    assert named_words("без покрытия", services[1]) == {"покрытие"}


def test_a_verb_names_the_service_of_its_object() -> None:
    services = [
        Service(1, "Мужская стрижка", "Стрижки"),
        Service(2, "Моделирование бороды", "Борода"),
        Service(3, "Стрижка и борода", "Комплексы"),
        Service(4, "Воск: брови", "Депиляция"),
        Service(5, "Коррекция бровей", "Депиляция"),
    ]
    assert match_services("подровнять бороду", services).best == services[1]
    assert match_services("бороду подравнять бы", services).best == services[1]
    assert match_services("подправить брови", services).best == services[4]
    assert match_services("подстричься", services).best == services[0]
    assert match_services("подстричь голову", services).best == services[0]


def test_a_procedure_without_its_object_is_not_the_brows_one() -> None:
    services = [Service(1, "Окрашивание бровей", "Брови"), Service(2, "Окрашивание в один тон", "Окрашивание")]
    assert match_services("окрашивание", services).best == services[1]
    assert match_services("покраситься", services).best == services[1]
    assert match_services("окрашивание бровей", services).best == services[0]
    assert match_services("брови покрасить", services).best == services[0]
