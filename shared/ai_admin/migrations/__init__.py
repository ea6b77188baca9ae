"""Forward-only schema migrations (Alembic, plain SQL), applied by ``ai-admin db migrate`` and the tests."""

from __future__ import annotations

from pathlib import Path

from ai_admin.adapters.postgres_connection import PostgresTarget

HERE = Path(__file__).resolve().parent


def sqlalchemy_url(url: str) -> str:
    target = PostgresTarget.from_url(url)
    auth = target.user + (f":{target.password}" if target.password else "")
    if target.unix_sock:
        return f"postgresql+pg8000://{auth}@/{target.database}?unix_sock={target.unix_sock}"
    return f"postgresql+pg8000://{auth}@{target.host}:{target.port}/{target.database}"


def migrate(url: str) -> list[str]:
    """Apply every pending migration; returns the revisions applied (empty when up to date)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    script = ScriptDirectory.from_config(config)
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(config, "head")
    finally:
        engine.dispose()
    pending = [rev.revision for rev in script.walk_revisions(base="base", head="head")]
    pending.reverse()
    if before is None:
        return pending
    return pending[pending.index(before) + 1 :]
