"""Reminders and the booking monitor: retry times of failed notifications, and the monitor's memory.

``booking_snapshots`` holds what the monitor last saw of each upcoming record, so a look compares the
mirror with a durable state instead of with whatever the last sync overwrote; ``booking_monitors``
says since when a salon is watched (records created before that are never announced).
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("""
    -- NULL for a failed notification: never retried.
    ALTER TABLE sent_notifications ADD COLUMN retry_at timestamptz;
    -- "What did we last send this client?" (the conversation reads it to place a bare "да").
    CREATE INDEX sent_notifications_client ON sent_notifications (company_id, client_phone, sent_at DESC)
        WHERE status = 'sent';

    CREATE TABLE booking_monitors (
        company_id     bigint PRIMARY KEY REFERENCES companies ON DELETE CASCADE,
        watching_since timestamptz NOT NULL,
        last_look_at   timestamptz
    );

    CREATE TABLE booking_snapshots (
        company_id bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        record_id  bigint NOT NULL,
        start_at   timestamptz NOT NULL,
        cancelled  boolean NOT NULL,
        synced_at  timestamptz,
        seen_at    timestamptz NOT NULL,
        PRIMARY KEY (company_id, record_id)
    );
    """)


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only")
