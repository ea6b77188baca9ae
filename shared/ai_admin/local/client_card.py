"""``ai-admin client <phone>``: everything we hold about one client, per salon that knows the number.

The profile and money split as the sync stored them, the visits and upcoming records of the mirror,
the opt-out, an open hand-off, the reminders sent and the last messages of the conversation. Phones
and names are masked as the logs mask them (``--reveal`` prints them in clear, for the operator's own
terminal); phone numbers inside message texts are masked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pg8000.native

from ai_admin.domain.phones import mask
from ai_admin.observability import redact

VISITS = 10
MESSAGES = 12


@dataclass
class ClientCard:
    company_id: int
    salon: str
    phone: str
    timezone: ZoneInfo
    profile: dict[str, Any] | None = None
    goods_lines: tuple[int, Decimal] = (0, Decimal(0))
    visits: list[dict[str, Any]] = field(default_factory=list)
    upcoming: list[dict[str, Any]] = field(default_factory=list)
    opted_out_at: datetime | None = None
    handoff: dict[str, Any] | None = None
    reminders: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)


def _rows(conn: pg8000.native.Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    rows = conn.run(sql, **params) or []
    names = [c["name"] for c in conn.columns or []]
    return [dict(zip(names, row, strict=True)) for row in rows]


_RECORDS = """
SELECT r.yclients_id AS record, r.start_at, st.name AS staff,
       ARRAY(SELECT s->>'title' FROM jsonb_array_elements(r.services) s) AS services,
       r.cost, r.attendance, r.deleted, r.created_by_bot
FROM records r LEFT JOIN staff st ON st.company_id = r.company_id AND st.yclients_id = r.staff_id
WHERE r.company_id = :company AND r.client_phone = :phone AND {when}
ORDER BY r.start_at {order} LIMIT :limit
"""


def cards(conn: pg8000.native.Connection, phone: str, now: datetime, company_id: int | None = None) -> list[ClientCard]:
    """One card per salon where ``phone`` (E.164) is a client, has records or has written to us."""
    digits = phone.lstrip("+")
    salons = _rows(
        conn,
        "SELECT c.company_id, c.title, c.timezone FROM companies c"
        " WHERE (CAST(:only AS bigint) IS NULL OR c.company_id = :only)"
        " AND (EXISTS (SELECT 1 FROM clients WHERE company_id = c.company_id AND phone = :phone)"
        "  OR EXISTS (SELECT 1 FROM records WHERE company_id = c.company_id AND client_phone = :phone)"
        "  OR EXISTS (SELECT 1 FROM conversations WHERE company_id = c.company_id"
        "             AND (phone = :phone OR client_key = :digits)))"
        " ORDER BY c.company_id",
        only=company_id,
        phone=phone,
        digits=digits,
    )
    found = []
    for salon in salons:
        company = int(salon["company_id"])
        card = ClientCard(company, str(salon["title"]), phone, ZoneInfo(str(salon["timezone"])))
        profiles = _rows(
            conn,
            "SELECT yclients_id, name, visits_count, first_visit_date, last_visit_date, loyalty_level, discount,"
            " total_spent, services_amount, goods_amount, last_services,"
            " ARRAY(SELECT s.name FROM staff s WHERE s.company_id = c.company_id"
            "       AND s.yclients_id = ANY(c.favourite_staff_ids)) AS favourite_staff"
            " FROM clients c WHERE company_id = :company AND phone = :phone"
            " ORDER BY visits_count DESC, yclients_id DESC LIMIT 1",
            company=company,
            phone=phone,
        )
        card.profile = profiles[0] if profiles else None
        if card.profile is not None:
            [[lines, amount]] = conn.run(
                "SELECT count(*), coalesce(sum(cost), 0) FROM goods_transactions"
                " WHERE company_id = :company AND client_id = :client",
                company=company,
                client=card.profile["yclients_id"],
            )
            card.goods_lines = (int(lines), Decimal(amount))
        for attribute, when, order, limit in (
            ("visits", "r.start_at <= :now", "DESC", VISITS),
            ("upcoming", "r.start_at > :now AND NOT r.deleted", "ASC", 50),
        ):
            query = _RECORDS.format(when=when, order=order)
            setattr(card, attribute, _rows(conn, query, company=company, phone=phone, now=now, limit=limit))
        opted = conn.run(
            "SELECT opted_out_at FROM client_opt_outs WHERE company_id = :company AND phone = :phone",
            company=company,
            phone=phone,
        )
        card.opted_out_at = opted[0][0] if opted else None
        handoffs = _rows(
            conn,
            "SELECT h.handoff_id, h.opened_at, h.reason, h.notice, h.notified_to FROM handoffs h"
            " JOIN conversations c USING (conversation_id) WHERE h.company_id = :company AND h.closed_at IS NULL"
            " AND (c.phone = :phone OR c.client_key = :digits)",
            company=company,
            phone=phone,
            digits=digits,
        )
        card.handoff = handoffs[0] if handoffs else None
        card.reminders = _rows(
            conn,
            "SELECT record_id AS record, kind, status, attempts, sent_at, claimed_at FROM sent_notifications"
            " WHERE company_id = :company AND client_phone = :phone ORDER BY claimed_at DESC LIMIT 5",
            company=company,
            phone=phone,
        )
        card.messages = list(
            reversed(
                _rows(
                    conn,
                    "SELECT m.created_at, m.direction, m.kind, m.body, m.status FROM messages m"
                    " JOIN conversations c USING (conversation_id) WHERE c.company_id = :company"
                    " AND (c.phone = :phone OR c.client_key = :digits) ORDER BY m.created_at DESC, m.message_id DESC"
                    " LIMIT :limit",
                    company=company,
                    phone=phone,
                    digits=digits,
                    limit=MESSAGES,
                )
            )
        )
        found.append(card)
    return found


_ATTENDANCE = {-1: "не пришёл / отменена", 0: "ожидается", 1: "пришёл", 2: "подтвердил"}


def _name(value: Any, reveal: bool) -> str:
    text = str(value or "").strip()
    if not text:
        return "-"
    return text if reveal else f"{text[0]}***"


def _text(value: Any, reveal: bool) -> str:
    text = str(value or "")
    return text if reveal else str(redact(text))


def _when(value: Any, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or "-")


def _visit_row(r: dict[str, Any], tz: ZoneInfo) -> tuple[str, ...]:
    state = "удалена" if r["deleted"] else _ATTENDANCE.get(int(r["attendance"]), str(r["attendance"]))
    return (
        str(r["record"]),
        _when(r["start_at"], tz),
        ", ".join(r["services"] or []) or "-",
        str(r["staff"] or "-"),
        f"{Decimal(r['cost']):.0f}",
        state + (" (бот)" if r["created_by_bot"] else ""),
    )


def print_cards(found: list[ClientCard], *, reveal: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140, highlight=False)
    for card in found:
        phone = card.phone if reveal else mask(card.phone)
        tz = card.timezone
        console.print(f"\n[bold]{phone}[/] in salon {card.company_id} ({card.salon}), times in {tz.key}")
        p = card.profile
        if p is None:
            console.print("  profile: not a client in the synced CRM data")
        else:
            console.print(
                f"  profile: {_name(p['name'], reveal)}, YClients client {p['yclients_id']}, {p['visits_count']} visits"
                f" ({p['first_visit_date'] or '-'} .. {p['last_visit_date'] or '-'}), loyalty {p['loyalty_level']},"
                f" discount {Decimal(p['discount']):.0f}%"
            )
            console.print(
                f"  usual: {', '.join(p['last_services'] or []) or '-'}; masters: "
                f"{', '.join(p['favourite_staff'] or []) or '-'}"
            )
            lines, amount = card.goods_lines
            console.print(
                f"  money: total {Decimal(p['total_spent']):.2f} = services {Decimal(p['services_amount']):.2f}"
                f" + goods {Decimal(p['goods_amount']):.2f} ({lines} goods lines in visits, {amount:.2f})"
            )
        console.print(f"  opt-out: {'since ' + _when(card.opted_out_at, tz) if card.opted_out_at else 'no'}")
        h = card.handoff
        console.print(
            "  hand-off: "
            + (
                f"open #{h['handoff_id']} since {_when(h['opened_at'], tz)} ({h['notice']}): {h['reason']}"
                if h
                else "none"
            )
        )
        for title, rows in (("Upcoming records", card.upcoming), (f"Last {VISITS} visits", card.visits)):
            table = Table(title=title, title_justify="left")
            for column in ("record", "when", "services", "master", "cost", "state"):
                table.add_column(column)
            for row in rows:
                table.add_row(*_visit_row(row, tz))
            console.print(table if rows else f"  {title.lower()}: none")
        if card.reminders:
            table = Table(title="Notifications", title_justify="left")
            for column in ("record", "kind", "status", "attempts", "sent"):
                table.add_column(column)
            for r in card.reminders:
                table.add_row(str(r["record"]), r["kind"], r["status"], str(r["attempts"]), _when(r["sent_at"], tz))
            console.print(table)
        table = Table(title="Last messages", title_justify="left")
        for column in ("when", "from", "kind", "text", "status"):
            table.add_column(column)
        for m in card.messages:
            arrow = "client" if m["direction"] == "in" else "bot"
            table.add_row(
                _when(m["created_at"], tz), arrow, m["kind"], _text(m["body"], reveal), str(m["status"] or "")
            )
        console.print(table if card.messages else "  messages: none")
