"""How a client's profile is derived from their visits: defined once, here, for every feature.

- visits_count counts attended records only (attendance 1), never cancellations or no-shows;
- services_amount is the sum of attended records' service costs;
- total_spent is YClients' ``sold_amount``: taken as the CRM reports it, never recomputed;
- goods_amount = total_spent - services_amount, floored at 0 (sold_amount covers goods sold at the
  desk as well as services; goods sold inside visits are also kept line by line in goods_transactions,
  whose sum is a lower bound of goods_amount: desk sales without a record do not appear there);
- visit_history and last_services are rebuilt from attended records but never replaced by empty
  values (a client whose records are outside the synced window keeps what they had);
- favourites: the staff and services of at least FAVOURITE_MIN_VISITS attended visits, most visits
  first, ties broken by the most recent visit, at most FAVOURITES_LIMIT;
- loyalty level: the first tier whose visit and spend thresholds are both met.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LoyaltyTier:
    name: str
    min_visits: int
    min_spent: Decimal


LOYALTY_TIERS: tuple[LoyaltyTier, ...] = (
    LoyaltyTier("vip", 20, Decimal(50_000)),
    LoyaltyTier("gold", 10, Decimal(20_000)),
    LoyaltyTier("silver", 5, Decimal(8_000)),
    LoyaltyTier("bronze", 2, Decimal(0)),
)
NEW_CLIENT_LEVEL = "new"
FAVOURITE_MIN_VISITS = 2
FAVOURITES_LIMIT = 3
VISIT_HISTORY_LIMIT = 50
LAST_SERVICES_LIMIT = 5


def loyalty_level(visits: int, total_spent: Decimal) -> str:
    for tier in LOYALTY_TIERS:
        if visits >= tier.min_visits and total_spent >= tier.min_spent:
            return tier.name
    return NEW_CLIENT_LEVEL


def goods_amount(total_spent: Decimal, services_amount: Decimal) -> Decimal:
    return max(total_spent - services_amount, Decimal(0))
