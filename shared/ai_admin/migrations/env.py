"""Alembic environment: one connection, one transaction, an advisory lock against concurrent migrators."""

from alembic import context
from sqlalchemy import create_engine, text

_LOCK_KEY = 746_001  # any constant shared by every migrator of this schema


def run() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
        try:
            context.configure(connection=connection, transaction_per_migration=True)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
            connection.commit()
    engine.dispose()


run()
