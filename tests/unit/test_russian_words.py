from __future__ import annotations

import pytest

from ai_admin.domain.russian_words import (
    Case,
    accusative,
    dative,
    first_name_variants,
    genitive,
    inflect_name,
    inflect_title,
    is_first_name,
    is_known,
    lemma,
    lemmas,
    verb_grammemes,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("стрижку", "стрижка"),
        ("Стрижки", "стрижка"),
        ("бороду", "борода"),
        ("Сергею", "сергей"),
        ("Серёже", "сережа"),
        ("ребёнку", "ребенок"),
        ("детскую", "детский"),
        ("бритьё", "бритье"),
        ("fade", "fade"),
        ("VIP", "vip"),
    ],
)
def test_lemma(word: str, expected: str) -> None:
    assert lemma(word) == expected


def test_lemmas_of_a_message() -> None:
    assert lemmas("Хочу к Сергею на стрижку бороды!") == ["хотеть", "к", "сергей", "на", "стрижка", "борода"]


NAMES = [
    # name, genitive (у ...), dative (к ...), accusative (записать ...), instrumental (с ...)
    ("Сергей", "Сергея", "Сергею", "Сергея", "Сергеем"),
    ("Анна", "Анны", "Анне", "Анну", "Анной"),
    ("Никита", "Никиты", "Никите", "Никиту", "Никитой"),
    ("Илья", "Ильи", "Илье", "Илью", "Ильёй"),
    ("Лев", "Льва", "Льву", "Льва", "Львом"),
    ("Тимур", "Тимура", "Тимуру", "Тимура", "Тимуром"),
    ("Любовь", "Любови", "Любови", "Любовь", "Любовью"),
    ("Женя", "Жени", "Жене", "Женю", "Женей"),
    ("Бари", "Бари", "Бари", "Бари", "Бари"),
    ("Сергей Иванов", "Сергея Иванова", "Сергею Иванову", "Сергея Иванова", "Сергеем Ивановым"),
    ("John", "John", "John", "John", "John"),
    # not in the dictionary: declined by the ending rule
    ("Зоурбек", "Зоурбека", "Зоурбеку", "Зоурбека", "Зоурбеком"),
    ("Аглая", "Аглаи", "Аглае", "Аглаю", "Аглаей"),
]


@pytest.mark.parametrize(("name", "gent", "datv", "accs", "ablt"), NAMES)
def test_names_decline(name: str, gent: str, datv: str, accs: str, ablt: str) -> None:
    assert genitive(name) == gent
    assert dative(name) == datv
    assert inflect_name(name, Case.ACCUSATIVE) == accs
    assert inflect_name(name, Case.INSTRUMENTAL) == ablt
    assert inflect_name(name, Case.NOMINATIVE) == name


TITLES = [
    # title, accusative (на ...), genitive (для ...)
    ("Мужская стрижка", "Мужскую стрижку", "Мужской стрижки"),
    ("Детская стрижка", "Детскую стрижку", "Детской стрижки"),
    ("Стрижка бороды", "Стрижку бороды", "Стрижки бороды"),
    ("Стрижка + борода", "Стрижку + бороду", "Стрижки + бороды"),
    ("СТРИЖКА + БОРОДА", "СТРИЖКУ + БОРОДУ", "СТРИЖКИ + БОРОДЫ"),
    ("Отец и сын", "Отца и сына", "Отца и сына"),
    ("Королевское бритьё", "Королевское бритьё", "Королевского бритья"),
    ("Камуфляж седины", "Камуфляж седины", "Камуфляжа седины"),
    ("Укладка", "Укладку", "Укладки"),
    ("Окантовка", "Окантовку", "Окантовки"),
    ("Мужская стрижка машинкой", "Мужскую стрижку машинкой", "Мужской стрижки машинкой"),
    ("Стрижка (длинные волосы)", "Стрижку (длинные волосы)", "Стрижки (длинные волосы)"),
    ("Экспресс-стрижка", "Экспресс-стрижку", "Экспресс-стрижки"),
    ("Комплекс: стрижка и борода", "Комплекс: стрижку и бороду", "Комплекса: стрижки и бороды"),
    ("Стрижка fade", "Стрижку fade", "Стрижки fade"),
    ("Fade", "Fade", "Fade"),
    ("Skin fade + борода", "Skin fade + бороду", "Skin fade + бороды"),
    ("Бритьё головы шейвером", "Бритьё головы шейвером", "Бритья головы шейвером"),
]


@pytest.mark.parametrize(("title", "accs", "gent"), TITLES)
def test_titles_decline(title: str, accs: str, gent: str) -> None:
    assert accusative(title) == accs
    assert inflect_title(title, Case.GENITIVE) == gent


def test_a_sentence_reads_naturally() -> None:
    assert f"Записал вас на {accusative('Мужская стрижка').lower()} к {dative('Сергей')}" == (
        "Записал вас на мужскую стрижку к Сергею"
    )


@pytest.mark.parametrize(
    ("word", "full"),
    [
        ("Серёжа", "сергей"),
        ("Сереже", "сергей"),
        ("Саша", "александр"),
        ("Саша", "александра"),
        ("к Артему", "артем"),
    ],
)
def test_short_first_names_lead_to_the_full_name(word: str, full: str) -> None:
    assert full in first_name_variants(word.rsplit(maxsplit=1)[-1])


def test_first_names_are_told_from_other_words() -> None:
    assert all(is_first_name(w) for w in ("лена", "Никиту", "андрей", "вове"))
    assert not any(is_first_name(w) for w in ("сколько", "стрижку", "записан", "любому", "john"))


def test_known_words_and_typos() -> None:
    assert is_known("завтра") and is_known("Стрижку")
    assert not is_known("зафтра") and not is_known("записатся")


def test_verb_grammemes() -> None:
    assert "past" in verb_grammemes("подстриг")
    assert {"2per", "plur", "pres"} <= verb_grammemes("делаете")
    assert verb_grammemes("стрижка") == frozenset()
