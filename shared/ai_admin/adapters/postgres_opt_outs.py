"""Clients who asked the salon's bot not to write to them first (table ``client_opt_outs``)."""

from __future__ import annotations

from ai_admin.adapters.postgres_session import PostgresSession


class PostgresOptOuts:
    def __init__(self, db: PostgresSession) -> None:
        self._db = db

    def opt_out(self, company_id: int, phone: str) -> None:
        """Idempotent: the first opt-out's time is kept."""
        self._db.run(
            "INSERT INTO client_opt_outs (company_id, phone) VALUES (:company, :phone) ON CONFLICT DO NOTHING",
            company=company_id,
            phone=phone,
        )

    def opt_in(self, company_id: int, phone: str) -> None:
        self._db.run(
            "DELETE FROM client_opt_outs WHERE company_id = :company AND phone = :phone",
            company=company_id,
            phone=phone,
        )

    def is_opted_out(self, company_id: int, phone: str) -> bool:
        rows = self._db.run(
            "SELECT EXISTS (SELECT 1 FROM client_opt_outs WHERE company_id = :company AND phone = :phone)",
            company=company_id,
            phone=phone,
        )
        return bool(rows[0][0])
