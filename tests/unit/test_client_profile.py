from decimal import Decimal

import pytest

from ai_admin.domain.client_profile import goods_amount, loyalty_level


@pytest.mark.parametrize(
    ("visits", "spent", "level"),
    [
        (0, "0", "new"),
        (1, "100000", "new"),
        (2, "0", "bronze"),
        (5, "7999.99", "bronze"),
        (5, "8000", "silver"),
        (10, "19999", "silver"),
        (10, "20000", "gold"),
        (20, "49999", "gold"),
        (20, "50000", "vip"),
        (100, "1000000", "vip"),
    ],
)
def test_loyalty_needs_both_visits_and_spend(visits: int, spent: str, level: str) -> None:
    assert loyalty_level(visits, Decimal(spent)) == level


def test_goods_amount_is_the_rest_of_sold_amount_never_negative() -> None:
    assert goods_amount(Decimal("12000"), Decimal("9500")) == Decimal("2500")
    assert goods_amount(Decimal("1000"), Decimal("1500")) == Decimal("0")
