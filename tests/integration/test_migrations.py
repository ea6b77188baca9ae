from ai_admin.adapters.postgres_connection import connect
from ai_admin.local.stack import Stack
from ai_admin.migrations import migrate

TENANT_TABLES = {
    "companies",
    "service_categories",
    "services",
    "staff",
    "staff_schedules",
    "clients",
    "records",
    "goods_transactions",
    "sync_runs",
    "sync_watermarks",
    "conversations",
    "sent_notifications",
    "bot_record_changes",
    "client_opt_outs",
    "booking_monitors",
    "booking_snapshots",
    "handoffs",
}


def test_rerunning_migrations_is_a_no_op(local_stack: Stack) -> None:
    assert migrate(local_stack.env["DATABASE_URL"]) == []


def test_every_tenant_table_belongs_to_a_company(local_stack: Stack) -> None:
    conn = connect(local_stack.env["DATABASE_URL"])
    try:
        rows = conn.run(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'company_id'"
        )
    finally:
        conn.close()
    assert {row[0] for row in rows} >= TENANT_TABLES


def test_phone_column_only_takes_e164(local_stack: Stack, clean_state: None) -> None:
    import pg8000.native
    import pytest

    conn = connect(local_stack.env["DATABASE_URL"])
    try:
        conn.run("INSERT INTO clients (company_id, yclients_id, phone) VALUES (1, 1, '+79161234567')")
        with pytest.raises(pg8000.native.DatabaseError):
            conn.run("INSERT INTO clients (company_id, yclients_id, phone) VALUES (1, 2, '89161234567')")
    finally:
        conn.close()
