import pytest
from hypothesis import given
from hypothesis import strategies as st

from ai_admin.domain.phones import InvalidPhone, mask, to_digits, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("79161234567", "+79161234567"),
        (79161234567, "+79161234567"),
        ("89161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("+7 (916) 123-45-67", "+79161234567"),
        ("+7 916 123-45-67", "+79161234567"),
        ("8 916 123 45 67", "+79161234567"),
        ("+375291234567", "+375291234567"),
        ("375291234567", "+375291234567"),
        ("+49 30 1234567", "+49301234567"),
    ],
)
def test_normalises_to_e164(raw: str | int, expected: str) -> None:
    assert to_e164(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "123", "+7 916", "0000000000000000000"])
def test_rejects_what_is_not_a_phone(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        to_e164(raw)


@given(st.from_regex(r"9[0-9]{9}", fullmatch=True))
def test_every_russian_mobile_spelling_gives_one_number(local: str) -> None:
    spellings = [local, "8" + local, "7" + local, "+7" + local, f"+7 ({local[:3]}) {local[3:6]}-{local[6:]}"]
    assert {to_e164(s) for s in spellings} == {"+7" + local}


def test_digits_form_for_requests() -> None:
    assert to_digits("+79161234567") == "79161234567"


def test_mask_keeps_only_prefix_and_last_two() -> None:
    assert mask("+79161234567") == "+7916*****67"
    assert "1234" not in mask("+79161234567")
