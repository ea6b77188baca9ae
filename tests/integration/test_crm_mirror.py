"""The mirror's data rules against real PostgreSQL: upserts by YClients id, stale versions never win,
aggregates follow domain.client_profile, and re-syncing never loses data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pg8000.native
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.postgres_crm_mirror import PostgresCrmMirror
from ai_admin.domain.crm import Attendance, CrmClient, CrmRecord, GoodsSale, RecordService
from ai_admin.local.stack import Stack

COMPANY = 1
BASE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(local_stack: Stack, clean_state: None) -> Iterator[pg8000.native.Connection]:
    connection = connect(local_stack.env["DATABASE_URL"])
    yield connection
    connection.close()


def client(cid: int = 10, sold: str = "5000", visits: int = 3) -> CrmClient:
    return CrmClient(id=cid, name="Клиент", phone=f"+7916000{cid:04d}", sold_amount=Decimal(sold), visits_count=visits)


def record(
    rid: int,
    *,
    cid: int = 10,
    staff: int = 201,
    day: int = 0,
    attendance: Attendance = Attendance.ATTENDED,
    cost: str = "1500",
    service: tuple[int, str] = (101, "Мужская стрижка"),
    deleted: bool = False,
    changed: datetime | None = None,
    goods: tuple[GoodsSale, ...] = (),
) -> CrmRecord:
    return CrmRecord(
        id=rid,
        client_id=cid,
        client_phone=None,
        staff_id=staff,
        start_at=BASE + timedelta(days=day),
        duration_s=3600,
        attendance=attendance,
        deleted=deleted,
        services=(RecordService(service[0], service[1], Decimal(cost)),),
        goods=goods,
        changed_at=changed or BASE + timedelta(days=day),
    )


def row(conn: pg8000.native.Connection, cid: int = 10) -> dict[str, object]:
    cols = [
        "visits_count",
        "total_spent",
        "services_amount",
        "goods_amount",
        "visit_history",
        "last_services",
        "favourite_staff_ids",
        "favourite_service_ids",
        "loyalty_level",
        "first_visit_date",
        "last_visit_date",
    ]
    values = conn.run(f"SELECT {', '.join(cols)} FROM clients WHERE company_id = 1 AND yclients_id = :id", id=cid)
    return dict(zip(cols, values[0], strict=True))


def test_aggregates_follow_the_rules(conn: pg8000.native.Connection) -> None:
    mirror = PostgresCrmMirror(conn)
    mirror.upsert_clients(COMPANY, [client(sold="9000", visits=7)])
    mirror.upsert_records(
        COMPANY,
        [
            record(1, day=0, staff=201),
            record(2, day=10, staff=201, service=(102, "Стрижка бороды"), cost="800"),
            record(3, day=20, staff=202),
            record(4, day=30, staff=201, attendance=Attendance.NO_SHOW),
            record(5, day=40, staff=202, deleted=True),
            record(6, day=50, staff=201, attendance=Attendance.WAITING),
        ],
    )
    mirror.refresh_client_profiles(COMPANY)
    r = row(conn)
    assert r["visits_count"] == 3  # attended only
    assert r["total_spent"] == Decimal("9000")  # sold_amount, untouched
    assert r["services_amount"] == Decimal("3800")
    assert r["goods_amount"] == Decimal("5200")
    assert r["favourite_staff_ids"] == [201]  # two attended visits; 202 has one
    assert r["last_services"] == ["Мужская стрижка", "Стрижка бороды"]
    history = r["visit_history"]
    assert isinstance(history, list) and [v["record_id"] for v in history] == [3, 2, 1]
    assert history[0]["date"] == "2026-03-21T12:00"  # salon-local (Moscow) wall time
    assert r["loyalty_level"] == "bronze"


def test_reupserting_the_same_page_is_idempotent(conn: pg8000.native.Connection) -> None:
    mirror = PostgresCrmMirror(conn)
    mirror.upsert_clients(COMPANY, [client()])
    page = [
        record(1),
        record(2, day=1),
        record(3, day=2, goods=(GoodsSale(77, 5, "Воск", Decimal(1), Decimal(900)),)),
    ]
    for _ in range(3):
        mirror.upsert_records(COMPANY, page)
    assert conn.run("SELECT count(*) FROM records")[0][0] == 3
    assert conn.run("SELECT count(*) FROM goods_transactions")[0][0] == 1


def test_an_older_version_never_overwrites_a_newer_one(conn: pg8000.native.Connection) -> None:
    mirror = PostgresCrmMirror(conn)
    newer = record(1, attendance=Attendance.NO_SHOW, changed=BASE + timedelta(hours=5))
    older = record(1, attendance=Attendance.WAITING, changed=BASE + timedelta(hours=1))
    mirror.upsert_records(COMPANY, [newer])
    mirror.upsert_records(COMPANY, [older])
    assert conn.run("SELECT attendance FROM records WHERE yclients_id = 1")[0][0] == -1
    tie = record(1, attendance=Attendance.ATTENDED, changed=BASE + timedelta(hours=5))
    mirror.upsert_records(COMPANY, [tie])  # same change time: the later delivery is the same or newer data
    assert conn.run("SELECT attendance FROM records WHERE yclients_id = 1")[0][0] == 1


def test_a_deletion_arrives_as_an_update(conn: pg8000.native.Connection) -> None:
    mirror = PostgresCrmMirror(conn)
    mirror.upsert_clients(COMPANY, [client()])
    mirror.upsert_records(COMPANY, [record(1), record(2, day=3)])
    mirror.refresh_client_profiles(COMPANY)
    assert row(conn)["visits_count"] == 2
    mirror.upsert_records(COMPANY, [record(2, day=3, deleted=True, changed=BASE + timedelta(days=9))])
    mirror.refresh_client_profiles(COMPANY)
    assert row(conn)["visits_count"] == 1


def test_history_survives_a_resync_without_records(conn: pg8000.native.Connection) -> None:
    mirror = PostgresCrmMirror(conn)
    mirror.upsert_clients(COMPANY, [client()])
    mirror.upsert_records(COMPANY, [record(1), record(2, day=5)])
    mirror.refresh_client_profiles(COMPANY)
    before = row(conn)
    conn.run("DELETE FROM records")  # e.g. the visits fell out of the synced window
    mirror.upsert_clients(COMPANY, [client(sold="7000")])
    mirror.refresh_client_profiles(COMPANY)
    after = row(conn)
    assert after["visit_history"] == before["visit_history"]
    assert after["last_services"] == before["last_services"]
    assert after["total_spent"] == Decimal("7000")


operations = st.lists(
    st.one_of(
        st.tuples(st.just("client"), st.decimals(min_value=0, max_value=100_000, places=2)),
        st.tuples(
            st.just("records"),
            st.lists(
                st.tuples(st.integers(1, 8), st.sampled_from(list(Attendance)), st.booleans(), st.integers(0, 30)),
                max_size=6,
            ),
        ),
        st.tuples(st.just("refresh"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_resync_never_loses_data(conn: pg8000.native.Connection, ops: list[tuple[str, object]]) -> None:
    conn.run("DELETE FROM records WHERE company_id = 1")
    conn.run("DELETE FROM goods_transactions WHERE company_id = 1")
    conn.run("DELETE FROM clients WHERE company_id = 1")
    mirror = PostgresCrmMirror(conn)
    mirror.upsert_clients(COMPANY, [client(sold="0")])
    last_sold, clock, had_history = Decimal(0), 0, False
    newest: dict[int, int] = {}
    for kind, arg in ops:
        if kind == "client":
            assert isinstance(arg, Decimal)
            last_sold = arg
            mirror.upsert_clients(COMPANY, [client(sold=str(arg))])
        elif kind == "records":
            assert isinstance(arg, list)
            page = []
            for rid, attendance, deleted, day in arg:
                clock += 1
                page.append(
                    record(
                        rid,
                        attendance=attendance,
                        deleted=deleted,
                        day=day,
                        changed=BASE + timedelta(minutes=clock),
                    )
                )
                newest[rid] = int(attendance) if not deleted else 99
            mirror.upsert_records(COMPANY, page)
        else:
            mirror.refresh_client_profiles(COMPANY)
            history = row(conn)["visit_history"]
            if had_history:
                assert history, "visit_history was emptied by a re-sync"
            had_history = had_history or bool(history)
        assert row(conn)["total_spent"] == last_sold
    stored = {
        rid: (att if not dele else 99)
        for rid, att, dele in conn.run("SELECT yclients_id, attendance, deleted FROM records WHERE company_id = 1")
    }
    assert stored == newest  # every record holds its newest version, none lost, none duplicated
