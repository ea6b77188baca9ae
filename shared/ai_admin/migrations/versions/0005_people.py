"""Hand-offs to a salon's administrators: one row per time a conversation was passed to a human.

A conversation has at most one open hand-off; its administrators are told once (``notice``), and the
bot keeps quiet while it is open and notified (if the salon says so) until an administrator closes it.
"""

from alembic import op

revision = "0005_people"
down_revision = "0004"


def upgrade() -> None:
    op.execute("""
    CREATE TABLE handoffs (
        handoff_id      bigserial PRIMARY KEY,
        company_id      bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        conversation_id bigint NOT NULL REFERENCES conversations ON DELETE CASCADE,
        client_phone    text,
        client_name     text,
        reason          text NOT NULL DEFAULT '',
        opened_at       timestamptz NOT NULL,
        -- pending: nobody told yet; notified: at least one administrator accepted the message;
        -- no_admin: the salon lists none; failed: every send failed (the next hand-off call retries).
        notice          text NOT NULL DEFAULT 'pending'
                        CHECK (notice IN ('pending', 'notified', 'no_admin', 'failed')),
        notified_to     text[] NOT NULL DEFAULT '{}',
        notified_at     timestamptz,
        notice_error    text,
        closed_at       timestamptz,
        closed_by       text
    );
    CREATE UNIQUE INDEX handoffs_one_open ON handoffs (conversation_id) WHERE closed_at IS NULL;
    CREATE INDEX handoffs_open ON handoffs (company_id, opened_at) WHERE closed_at IS NULL;
    """)


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only")
