"""Initial multi-tenant schema: the CRM mirror, sync tracking, conversations and notifications.

Every table is keyed by ``company_id`` (the salon's YClients company id) first; CRM rows are keyed by
their YClients id within the company, so every sync writes by upsert.
"""

from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE companies (
        company_id               bigint PRIMARY KEY,
        title                    text NOT NULL,
        address                  text NOT NULL DEFAULT '',
        phone                    text,
        timezone                 text NOT NULL DEFAULT 'Europe/Moscow',
        whatsapp_phone_number_id text UNIQUE,
        business_type            text NOT NULL DEFAULT 'barbershop',
        settings                 jsonb NOT NULL DEFAULT '{}'::jsonb,
        active                   boolean NOT NULL DEFAULT true,
        raw                      jsonb,
        synced_at                timestamptz,
        created_at               timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE service_categories (
        company_id  bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        yclients_id bigint NOT NULL,
        title       text NOT NULL,
        weight      integer NOT NULL DEFAULT 0,
        synced_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, yclients_id)
    );

    CREATE TABLE services (
        company_id   bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        yclients_id  bigint NOT NULL,
        category_id  bigint,
        title        text NOT NULL,
        price_min    numeric(12, 2) NOT NULL DEFAULT 0,
        price_max    numeric(12, 2) NOT NULL DEFAULT 0,
        duration_s   integer NOT NULL DEFAULT 3600 CHECK (duration_s > 0),
        description  text NOT NULL DEFAULT '',
        is_active    boolean NOT NULL DEFAULT true,
        is_bookable  boolean NOT NULL DEFAULT true,
        weight       integer NOT NULL DEFAULT 0,
        staff_ids    bigint[] NOT NULL DEFAULT '{}',
        raw          jsonb,
        synced_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, yclients_id)
    );

    CREATE TABLE staff (
        company_id     bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        yclients_id    bigint NOT NULL,
        name           text NOT NULL,
        specialization text NOT NULL DEFAULT '',
        position       text NOT NULL DEFAULT '',
        is_active      boolean NOT NULL DEFAULT true,
        is_bookable    boolean NOT NULL DEFAULT true,
        rating         numeric(3, 2),
        weight         integer NOT NULL DEFAULT 0,
        raw            jsonb,
        synced_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, yclients_id)
    );

    -- One row per staff member and date in the synced window; a closed day is a row with
    -- is_working = false, never a missing row (the old system kept stale "working" rows).
    CREATE TABLE staff_schedules (
        company_id bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        staff_id   bigint NOT NULL,
        date       date NOT NULL,
        is_working boolean NOT NULL,
        slots      jsonb NOT NULL DEFAULT '[]'::jsonb,
        synced_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, staff_id, date)
    );

    CREATE TABLE clients (
        company_id            bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        yclients_id           bigint NOT NULL,
        name                  text NOT NULL DEFAULT '',
        phone                 text,
        email                 text,
        discount              numeric(5, 2) NOT NULL DEFAULT 0,
        visits_count          integer NOT NULL DEFAULT 0,
        first_visit_date      date,
        last_visit_date       date,
        total_spent           numeric(14, 2) NOT NULL DEFAULT 0,
        services_amount       numeric(14, 2) NOT NULL DEFAULT 0,
        goods_amount          numeric(14, 2) NOT NULL DEFAULT 0,
        visit_history         jsonb NOT NULL DEFAULT '[]'::jsonb,
        last_services         text[] NOT NULL DEFAULT '{}',
        favourite_staff_ids   bigint[] NOT NULL DEFAULT '{}',
        favourite_service_ids bigint[] NOT NULL DEFAULT '{}',
        loyalty_level         text NOT NULL DEFAULT 'new',
        raw                   jsonb,
        synced_at             timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, yclients_id),
        CHECK (phone IS NULL OR phone ~ '^\\+[1-9][0-9]{6,14}$')
    );
    CREATE INDEX clients_phone ON clients (company_id, phone);

    CREATE TABLE records (
        company_id      bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        yclients_id     bigint NOT NULL,
        client_id       bigint,
        client_phone    text,
        staff_id        bigint,
        services        jsonb NOT NULL DEFAULT '[]'::jsonb,
        start_at        timestamptz NOT NULL,
        duration_s      integer NOT NULL DEFAULT 0,
        attendance      smallint NOT NULL DEFAULT 0 CHECK (attendance BETWEEN -1 AND 2),
        deleted         boolean NOT NULL DEFAULT false,
        cost            numeric(14, 2) NOT NULL DEFAULT 0,
        visit_id        bigint,
        comment         text NOT NULL DEFAULT '',
        online          boolean NOT NULL DEFAULT false,
        created_by_bot  boolean NOT NULL DEFAULT false,
        crm_created_at  timestamptz,
        crm_changed_at  timestamptz,
        raw             jsonb,
        synced_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, yclients_id)
    );
    CREATE INDEX records_client ON records (company_id, client_id);
    CREATE INDEX records_phone ON records (company_id, client_phone);
    CREATE INDEX records_start ON records (company_id, start_at);

    CREATE TABLE goods_transactions (
        company_id   bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        yclients_id  bigint NOT NULL,
        record_id    bigint,
        client_id    bigint,
        good_id      bigint,
        title        text NOT NULL DEFAULT '',
        amount       numeric(12, 3) NOT NULL DEFAULT 0,
        cost         numeric(14, 2) NOT NULL DEFAULT 0,
        occurred_at  timestamptz,
        raw          jsonb,
        synced_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, yclients_id)
    );
    CREATE INDEX goods_transactions_client ON goods_transactions (company_id, client_id);

    CREATE TABLE sync_runs (
        run_id            bigserial PRIMARY KEY,
        company_id        bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        job               text NOT NULL,
        mode              text NOT NULL CHECK (mode IN ('full', 'incremental')),
        status            text NOT NULL DEFAULT 'running'
                          CHECK (status IN ('running', 'completed', 'failed')),
        started_at        timestamptz NOT NULL DEFAULT now(),
        finished_at       timestamptz,
        batches_planned   integer NOT NULL DEFAULT 0,
        batches_done      integer NOT NULL DEFAULT 0,
        batches_failed    integer NOT NULL DEFAULT 0,
        requests          integer NOT NULL DEFAULT 0,
        rows_written      integer NOT NULL DEFAULT 0,
        watermark_from    timestamptz,
        watermark_to      timestamptz,
        errors            jsonb NOT NULL DEFAULT '[]'::jsonb
    );
    CREATE INDEX sync_runs_recent ON sync_runs (company_id, job, started_at DESC);
    -- At most one run of a job per company at a time.
    CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (company_id, job) WHERE status = 'running';

    CREATE TABLE sync_batches (
        run_id       bigint NOT NULL REFERENCES sync_runs ON DELETE CASCADE,
        seq          integer NOT NULL,
        status       text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'done', 'failed')),
        spec         jsonb NOT NULL,
        attempts     integer NOT NULL DEFAULT 0,
        requests     integer NOT NULL DEFAULT 0,
        rows_written integer NOT NULL DEFAULT 0,
        error        text,
        finished_at  timestamptz,
        PRIMARY KEY (run_id, seq)
    );

    CREATE TABLE sync_watermarks (
        company_id bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        job        text NOT NULL,
        watermark  timestamptz NOT NULL,
        run_id     bigint REFERENCES sync_runs ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, job)
    );

    CREATE TABLE conversations (
        conversation_id  bigserial PRIMARY KEY,
        company_id       bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        client_key       text NOT NULL,
        phone            text,
        started_at       timestamptz NOT NULL DEFAULT now(),
        last_inbound_at  timestamptz,
        last_outbound_at timestamptz,
        state            jsonb NOT NULL DEFAULT '{}'::jsonb,
        UNIQUE (company_id, client_key)
    );

    CREATE TABLE messages (
        message_id      bigserial PRIMARY KEY,
        conversation_id bigint NOT NULL REFERENCES conversations ON DELETE CASCADE,
        direction       text NOT NULL CHECK (direction IN ('in', 'out')),
        wa_message_id   text UNIQUE,
        kind            text NOT NULL DEFAULT 'text',
        body            text NOT NULL DEFAULT '',
        payload         jsonb,
        status          text,
        error           jsonb,
        created_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX messages_conversation ON messages (conversation_id, created_at);

    -- A reminder or notification is claimed (inserted) before it is sent, so it goes out once.
    CREATE TABLE sent_notifications (
        company_id    bigint NOT NULL REFERENCES companies ON DELETE CASCADE,
        record_id     bigint NOT NULL,
        kind          text NOT NULL,
        client_phone  text,
        status        text NOT NULL DEFAULT 'claimed'
                      CHECK (status IN ('claimed', 'sent', 'failed', 'skipped')),
        attempts      integer NOT NULL DEFAULT 0,
        wa_message_id text,
        error         text,
        claimed_at    timestamptz NOT NULL DEFAULT now(),
        sent_at       timestamptz,
        PRIMARY KEY (company_id, record_id, kind)
    );
    """)


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only")
