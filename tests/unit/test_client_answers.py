from __future__ import annotations

import pytest

from ai_admin.domain.client_answers import read_answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("да", "yes"),
        ("+", "yes"),
        ("норм", "yes"),
        ("нормально, давайте", "yes"),
        ("ок го", "yes"),
        ("пойдет", "yes"),
        ("договорились", "yes"),
        ("+++", "yes"),
        ("-", "no"),
        ("--", "no"),
        ("—", "no"),
        ("нет", "no"),
        ("не смогу", "no"),
        ("неа", "no"),
        ("сколько стоит стрижка", None),
        ("", None),
    ],
)
def test_short_answers(text: str, answer: str | None) -> None:
    assert read_answer(text) == answer
