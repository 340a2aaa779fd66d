"""The access log: who viewed a candidate's personal data or exported a log, and when (Decree 13/2023/NĐ-CP).

Append-only like the transition log: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "access_log is append-only (nhật ký truy cập chỉ được ghi thêm)"

SQLITE = [
    f"CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
POSTGRESQL = [
    f"CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
    "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("remote_addr", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_access_log_user_id_users")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_access_log_dossier_id_dossiers")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_access_log_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_at"), "access_log", ["at"])
    op.create_index(op.f("ix_access_log_dossier_id"), "access_log", ["dossier_id"])
    op.create_index(op.f("ix_access_log_user_id_at"), "access_log", ["user_id", "at"])
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect)
    if statements is None:
        raise NotImplementedError(f"no append-only protection written for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER access_log_no_update")
        op.execute("DROP TRIGGER access_log_no_delete")
    else:
        op.execute("DROP TRIGGER access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER access_log_no_change ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    op.drop_table("access_log")
