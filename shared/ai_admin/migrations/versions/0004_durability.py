"""Durability: webhook parts we could not read, kept as dead letters.

``dead_letters`` holds what a signed webhook delivered that could not be processed (a body that is not
JSON, a message that breaks the documented shape); the delivery itself is acknowledged so Meta does not
re-send it for days. A redelivery adds nothing (``fingerprint``).
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("""
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
