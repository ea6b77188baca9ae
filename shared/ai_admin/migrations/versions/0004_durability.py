"""Durability: turns recorded in PostgreSQL, and webhook parts we could not read kept as dead letters.

``turns`` is the journal of the conversation worker: each inbound transcript row points at the turn
that took it (``messages.turn_id``), and the turn keeps the messages it answers, the replies it decided
(stored before any is sent) and how many of them were handed to WhatsApp. A queue record delivered again,
or a Redis that lost its buffer, then finds the turn instead of answering the same messages twice.

``dead_letters`` holds what a signed webhook delivered that could not be processed (a body that is not
JSON, a message that breaks the documented shape); the delivery itself is acknowledged so Meta does not
re-send it for days. A redelivery adds nothing (``fingerprint``).
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("""
    CREATE TABLE turns (
        turn_id         bigserial PRIMARY KEY,
        company_id      bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        conversation_id bigint NOT NULL REFERENCES conversations ON DELETE CASCADE,
        messages        jsonb NOT NULL,
        status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'failed')),
        replies         jsonb,
        failed          boolean NOT NULL DEFAULT false,
        sent            integer NOT NULL DEFAULT 0,
        started_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz
    );
    CREATE INDEX turns_open ON turns (company_id, started_at) WHERE status = 'open';
    ALTER TABLE messages ADD COLUMN turn_id bigint REFERENCES turns ON DELETE SET NULL;

    CREATE TABLE dead_letters (
        dead_letter_id bigserial PRIMARY KEY,
        source         text NOT NULL,
        reason         text NOT NULL,
        fragment       text NOT NULL,
        fingerprint    text NOT NULL UNIQUE,
        received_at    timestamptz NOT NULL DEFAULT now()
    );
    """)


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only")
