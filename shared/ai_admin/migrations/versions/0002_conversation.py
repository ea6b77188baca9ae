"""The AI conversation's own records: what the bot changed in the CRM, and who asked not to be written to.

``bot_record_changes`` lets the booking monitor tell the bot's changes from the salon's, so a client is
not notified of a booking they have just made in the chat.
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("""
    CREATE TABLE bot_record_changes (
        company_id bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        record_id  bigint NOT NULL,
        change     text NOT NULL CHECK (change IN ('created', 'moved', 'cancelled', 'confirmed')),
        at         timestamptz NOT NULL,
        PRIMARY KEY (company_id, record_id, change, at)
    );
    CREATE INDEX bot_record_changes_record ON bot_record_changes (company_id, record_id);

    CREATE TABLE client_opt_outs (
        company_id   bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        phone        text NOT NULL,
        opted_out_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, phone)
    );
    """)


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only")
